"""Switching from the Rust tool on the real engine: its deployment of this project (made here
the way its compose template and its `docker compose --project-name <directory>` made it) is
adopted, and the user's home volume with its files is mounted by sindri's container."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from typing import Any

import pytest

from sindri_providers_docker.adoption import ADOPTION_RECORD, read_adoption
from tests.docker.conftest import BusyboxProject, EngineJanitor, docker

pytestmark = pytest.mark.docker

RUST_HOME = "/alt/home/developer"


def _config(image: str) -> str:
    return textwrap.dedent(
        f"""
        version: "3.0"
        name: {{name}}
        deployment:
          provider: docker
          image: {image}
          resources:
            memory: 128MB
            cpus: 1
        """
    )


def _compose(*args: str) -> None:
    """Compose as the Rust tool ran it: the plugin, or the standalone binary the tests put
    first on PATH where docker has no plugin (docs/adr/0016)."""
    standalone = shutil.which("docker-compose")
    argv = [standalone] if standalone else [shutil.which("docker") or "docker", "compose"]
    subprocess.run([*argv, *args], check=True, capture_output=True, text=True, timeout=120)


def _rust_deployment(
    directory: Any, name: str, image: str, janitor: EngineJanitor
) -> tuple[str, str]:
    """What the Rust tool's deploy leaves: compose project named after the directory, service
    ``sindri``, ``container_name``, volume ``<project>_<name>_home``; a file in the home."""
    project = directory.name
    (directory / "docker-compose.yml").write_text(
        textwrap.dedent(
            f"""\
            services:
              sindri:
                image: {image}
                container_name: {name}
                volumes:
                  - {name}_home:{RUST_HOME}
                stdin_open: true
                tty: true
            volumes:
              {name}_home:
                driver: local
            """
        )
    )
    volume = f"{project}_{name}_home"
    janitor.volumes.append(volume)
    janitor.networks.append(f"{project}_default")
    _compose("-f", str(directory / "docker-compose.yml"), "--project-name", project, "up", "-d")
    docker("exec", name, "sh", "-c", f"echo kept-by-the-switch > {RUST_HOME}/notes.txt")
    return project, volume


def test_the_rust_tools_deployment_of_this_directory_is_adopted_with_its_home(
    busybox_project: Any, busybox_image: str, sindri_cli: Any, engine_janitor: EngineJanitor
) -> None:
    project: BusyboxProject = busybox_project(config=_config(busybox_image))
    _, volume = _rust_deployment(project.dir, project.name, busybox_image, engine_janitor)

    plan = sindri_cli("plan", "--json", cwd=project.dir)
    assert plan.exit_code == 0, plan.stderr
    adopt = [a for a in plan.json()["actions"] if a["action"] == "adopt"]
    assert [a["resource"] for a in adopt] == [f"container:{project.name}"]
    assert volume in adopt[0]["description"]

    deployed = sindri_cli("deploy", cwd=project.dir)
    assert deployed.exit_code == 0, deployed.stderr
    notes = docker("exec", project.name, "cat", f"{RUST_HOME}/notes.txt").stdout
    assert notes.strip() == "kept-by-the-switch"
    info = json.loads(docker("container", "inspect", project.name).stdout)[0]
    assert info["Config"]["Labels"]["dev.sindri.name"] == project.name
    assert {m["Name"] for m in info["Mounts"] if m["Type"] == "volume"} == {volume}

    # Later commands treat the adopted volume as sindri's own.
    again = sindri_cli("deploy", cwd=project.dir)
    assert again.exit_code == 0, again.stderr
    status = sindri_cli("status", "--json", cwd=project.dir)
    assert status.exit_code == 0 and status.json()["state"] == "running"
    kept = sindri_cli("destroy", "--yes", cwd=project.dir)
    assert kept.exit_code == 0, kept.stderr
    assert docker("volume", "inspect", volume, check=False).returncode == 0
    redeployed = sindri_cli("deploy", cwd=project.dir)
    assert redeployed.exit_code == 0, redeployed.stderr
    notes = docker("exec", project.name, "cat", f"{RUST_HOME}/notes.txt").stdout
    assert notes.strip() == "kept-by-the-switch"
    gone = sindri_cli("destroy", "--yes", "--volumes", cwd=project.dir)
    assert gone.exit_code == 0, gone.stderr
    assert docker("volume", "inspect", volume, check=False).returncode != 0


def test_another_directorys_rust_deployment_with_the_same_name_is_never_adopted(
    busybox_project: Any,
    busybox_image: str,
    sindri_cli: Any,
    engine_janitor: EngineJanitor,
    tmp_path: Any,
) -> None:
    project: BusyboxProject = busybox_project(config=_config(busybox_image))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _, volume = _rust_deployment(elsewhere, project.name, busybox_image, engine_janitor)

    plan = sindri_cli("plan", "--json", cwd=project.dir)
    assert plan.exit_code == 0, plan.stderr
    assert not [a for a in plan.json()["actions"] if a["action"] == "adopt"]
    deployed = sindri_cli("deploy", cwd=project.dir)
    assert deployed.exit_code == 1
    assert "was not created by sindri" in deployed.stderr
    labels = json.loads(docker("container", "inspect", project.name).stdout)[0]["Config"]["Labels"]
    assert labels["com.docker.compose.project.working_dir"] == str(elsewhere)
    assert docker("volume", "inspect", volume, check=False).returncode == 0


def test_a_rust_home_without_its_container_is_named_not_adopted(
    busybox_project: Any, busybox_image: str, sindri_cli: Any, engine_janitor: EngineJanitor
) -> None:
    project: BusyboxProject = busybox_project(config=_config(busybox_image))
    volume = f"{project.dir.name}_{project.name}_home"
    engine_janitor.volumes.append(volume)
    docker("volume", "create", "--label", f"com.docker.compose.project={project.dir.name}",
           "--label", f"com.docker.compose.volume={project.name}_home", volume)  # fmt: skip

    plan = sindri_cli("plan", "--json", cwd=project.dir)
    assert plan.exit_code == 0, plan.stderr
    (note,) = [n for n in plan.json()["notes"] if volume in n]
    assert "does not adopt it" in note and "docker compose up -d" in note
    deployed = sindri_cli("deploy", cwd=project.dir)
    assert deployed.exit_code == 0, deployed.stderr
    assert volume in deployed.stderr
    mounts = json.loads(docker("container", "inspect", project.name).stdout)[0]["Mounts"]
    assert volume not in {m.get("Name") for m in mounts}
    again = sindri_cli("plan", "--json", cwd=project.dir)
    assert not [n for n in again.json()["notes"] if volume in n]


@pytest.mark.parametrize(
    ("record", "believed"),
    [
        ({"project": "{dir}", "home": "{dir}_{name}_home"}, True),
        ({"project": "{dir}", "home": "{dir}_{name}_home", "docker": "{dir}_{name}_docker"}, True),
        ({"project": "{dir}", "home": "victim"}, False),
        ({"project": "other", "home": "other_{name}_home"}, False),
        ({"project": "{dir}", "home": "{dir}_{name}_home", "docker": "victim"}, False),
    ],
)
def test_a_planted_adoption_record_names_no_other_volume(
    tmp_path: Any, record: dict[str, str], believed: bool
) -> None:
    # destroy --volumes deletes what the record names, and a repository can ship the record
    project_dir = tmp_path / "My.Project"
    output_dir = project_dir / ".sindri" / "docker"
    output_dir.mkdir(parents=True)
    values = {k: v.format(dir="myproject", name="dev") for k, v in record.items()}
    (output_dir / ADOPTION_RECORD).write_text(json.dumps(values))
    adopted = read_adoption(output_dir, "dev", project_dir)
    assert (adopted is not None) is believed
    if believed:
        assert adopted is not None and adopted.home == "myproject_dev_home"


def test_an_adoption_record_that_is_a_link_is_not_followed(tmp_path: Any) -> None:
    project_dir = tmp_path / "proj"
    output_dir = project_dir / ".sindri" / "docker"
    output_dir.mkdir(parents=True)
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps({"project": "proj", "home": "proj_dev_home"}))
    (output_dir / ADOPTION_RECORD).symlink_to(target)
    assert read_adoption(output_dir, "dev", project_dir) is None
