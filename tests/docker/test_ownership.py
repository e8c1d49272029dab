"""Destroy removes only what carries the deployment's labels, and a deployment belongs to one
project directory: on the real engine, against a planted compose file and a second directory
that picks the same `name` (issue 24, items 1 and 2)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.docker.conftest import BusyboxProject, EngineJanitor, docker, docker_lines

pytestmark = pytest.mark.docker


def _volume_exists(name: str) -> bool:
    return docker("volume", "inspect", name, check=False).returncode == 0


@pytest.fixture
def victims(busybox_project: Any, engine_janitor: EngineJanitor) -> dict[str, str]:
    """Volumes destroy must never touch: unlabelled, another compose project's, and another
    sindri deployment's home volume."""
    tag = busybox_project().test_id
    made = {
        "plain": f"victim-{tag}-plain",
        "compose": f"victim-{tag}-compose",
        "sindri": f"sindri-other{tag}-home",
    }
    docker("volume", "create", made["plain"])
    docker("volume", "create", "--label", f"com.docker.compose.project=other{tag}", made["compose"])
    docker(
        "volume",
        "create",
        "--label",
        f"dev.sindri.name=other{tag}",
        "--label",
        "dev.sindri.provider=docker",
        made["sindri"],
    )
    engine_janitor.volumes += list(made.values())
    return made


def _plant_compose(project: BusyboxProject, victims: dict[str, str]) -> str:
    """A compose file naming the victims (compose drops volumes no service mounts)."""
    mounts = ", ".join(f"v{i}:/v{i}" for i in range(len(victims)))
    volumes = "".join(f"  v{i}: {{name: {name}}}\n" for i, name in enumerate(victims.values()))
    text = (
        textwrap.dedent(f"""\
        name: sindri-{project.name}
        services:
          {project.name}:
            image: none
            volumes: [{mounts}]
        volumes:
        """)
        + volumes
    )
    project.output_dir.mkdir(parents=True, exist_ok=True)
    (project.output_dir / "compose.yaml").write_text(text)
    return text


def test_a_planted_compose_file_never_reaches_compose_and_is_left(
    busybox_project: Any, sindri_cli: Any, victims: dict[str, str]
) -> None:
    project = busybox_project()
    planted = _plant_compose(project, victims)

    result = sindri_cli("destroy", "--volumes", "--yes", cwd=project.dir)

    assert result.exit_code == 0, result.stderr
    assert all(_volume_exists(name) for name in victims.values())
    assert (project.output_dir / "compose.yaml").read_text() == planted
    assert "left compose.yaml: sindri did not write it" in result.stdout


def test_destroy_after_a_deploy_removes_only_labelled_volumes(
    busybox_project: Any, sindri_cli: Any, victims: dict[str, str]
) -> None:
    project = busybox_project()
    assert sindri_cli("deploy", cwd=project.dir).exit_code == 0
    _plant_compose(project, victims)  # over the recorded file: still never handed to compose
    for command in (("stop",), ("start",)):
        assert sindri_cli(*command, cwd=project.dir).exit_code == 0

    result = sindri_cli("destroy", "--volumes", "--yes", cwd=project.dir)

    assert result.exit_code == 0, result.stderr
    assert all(_volume_exists(name) for name in victims.values())
    assert not _volume_exists(f"sindri-{project.name}-home")
    assert docker_lines("ps", "-aq", "--filter", f"label=dev.sindri.name={project.name}") == []


def _twin(project: BusyboxProject, tmp_path: Path) -> BusyboxProject:
    """A second directory whose sindri.yaml picks the same `name`."""
    twin = BusyboxProject(tmp_path / f"twin-{project.test_id}", project.name, project.test_id)
    twin.dir.mkdir()
    shutil.copy(project.dir / "busybox", twin.dir / "busybox")
    twin.write_dockerfile(extra=("ENV TWIN=1",))
    shutil.copy(project.config, twin.config)
    return twin


def test_a_second_directory_with_the_same_name_is_refused(
    busybox_project: Any, sindri_cli: Any, tmp_path: Path
) -> None:
    first = busybox_project()
    assert sindri_cli("deploy", cwd=first.dir).exit_code == 0
    container = docker_lines("ps", "-q", "--filter", f"label=dev.sindri.name={first.name}")
    twin = _twin(first, tmp_path)

    for command in (("deploy",), ("destroy", "--volumes", "--yes"), ("stop",), ("start",)):
        result = sindri_cli(*command, cwd=twin.dir)
        assert result.exit_code == 2, (command, result.stderr)
        assert f"belongs to the project in {first.dir.resolve()}" in result.stderr
        assert "another `name` in sindri.yaml" in result.stderr

    assert docker_lines("ps", "-q", "--filter", f"label=dev.sindri.name={first.name}") == container
    assert _volume_exists(f"sindri-{first.name}-home")
    assert not twin.output_dir.exists()


def test_a_kept_volume_still_belongs_to_its_directory(
    busybox_project: Any, sindri_cli: Any, tmp_path: Path
) -> None:
    first = busybox_project()
    assert sindri_cli("deploy", cwd=first.dir).exit_code == 0
    assert sindri_cli("destroy", "--yes", cwd=first.dir).exit_code == 0  # the volume stays
    twin = _twin(first, tmp_path)

    for command in (("deploy",), ("destroy", "--volumes", "--yes")):
        result = sindri_cli(*command, cwd=twin.dir)
        assert result.exit_code == 2, (command, result.stderr)
        assert str(first.dir.resolve()) in result.stderr
    assert _volume_exists(f"sindri-{first.name}-home")


def test_a_home_volume_from_before_the_label_is_kept_and_counts_as_ours(
    busybox_project: Any, sindri_cli: Any
) -> None:
    project = busybox_project()
    home = f"sindri-{project.name}-home"
    labels = {  # what an older sindri's compose left on the volume
        "dev.sindri.name": project.name,
        "dev.sindri.provider": "docker",
        "com.docker.compose.project": f"sindri-{project.name}",
        "com.docker.compose.volume": "home",
        "com.docker.compose.config-hash": "0" * 64,
    }
    docker("volume", "create", *(f"--label={k}={v}" for k, v in labels.items()), home)
    created = docker("volume", "inspect", "--format", "{{.CreatedAt}}", home).stdout

    result = sindri_cli("deploy", cwd=project.dir)

    assert result.exit_code == 0, result.stderr
    assert docker("volume", "inspect", "--format", "{{.CreatedAt}}", home).stdout == created
    assert sindri_cli("destroy", "--volumes", "--yes", cwd=project.dir).exit_code == 0
    assert not _volume_exists(home)
