"""The Docker provider on the real engine, through the CLI: build, deploy, status, stop,
start, connect, destroy — and the failures, which must leave nothing behind."""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.docker.conftest import BASE_CONFIG, BusyboxProject, docker, docker_lines

pytestmark = pytest.mark.docker


def _container_id(name: str) -> str | None:
    result = docker("container", "inspect", "--format", "{{.Id}}", name, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def _volume_exists(name: str) -> bool:
    return docker("volume", "inspect", name, check=False).returncode == 0


def _images_of(project: BusyboxProject) -> list[str]:
    return docker_lines(
        "images", "-q", "--no-trunc", "--filter", f"label=dev.sindri.test={project.test_id}"
    )


def _status(sindri_cli: Any, project: BusyboxProject) -> dict[str, Any]:
    result = sindri_cli("status", "--json", cwd=project.dir)
    assert result.exit_code == 0, result.stderr
    return result.json()


def _deploy(sindri_cli: Any, project: BusyboxProject, *args: str) -> Any:
    result = sindri_cli("deploy", *args, cwd=project.dir)
    assert result.exit_code == 0, result.stderr
    return result


def _assert_nothing_left(project: BusyboxProject, *, volume: bool = False) -> None:
    labels = f"label=dev.sindri.name={project.name}"
    assert docker_lines("ps", "-aq", "--filter", labels) == []
    assert _container_id(project.name) is None
    project_label = f"label=com.docker.compose.project=sindri-{project.name}"
    assert docker_lines("network", "ls", "-q", "--filter", project_label) == []
    assert _volume_exists(f"sindri-{project.name}-home") is volume
    assert not project.output_dir.exists()


# -- build -------------------------------------------------------------------------------------


def test_build_from_local_dockerfile_skips_unchanged_and_force_rebuilds(
    busybox_project: Any, sindri_cli: Any
) -> None:
    project = busybox_project()
    first = sindri_cli("build", "--json", cwd=project.dir)
    assert first.exit_code == 0, first.stderr
    built = first.json()
    assert built["skipped"] is False
    assert built["reference"].startswith("sindri:")
    assert built["reference"].endswith(built["fingerprint"][:12])
    labels = docker("image", "inspect", "--format", "{{json .Config.Labels}}", built["reference"])
    assert json.loads(labels.stdout)["dev.sindri.fingerprint"] == built["fingerprint"]
    image_id = _images_of(project)

    again = sindri_cli("build", "--json", cwd=project.dir).json()
    assert again == {**built, "skipped": True}
    assert _images_of(project) == image_id  # nothing new was built

    forced = sindri_cli("build", "--force", "--json", cwd=project.dir)
    assert forced.exit_code == 0, forced.stderr
    assert forced.json()["skipped"] is False
    new_id = docker("image", "inspect", "--format", "{{.Id}}", built["reference"]).stdout.strip()
    assert new_id not in image_id  # --no-cache produced a new image under the same tag


def test_a_changed_dockerfile_is_built_again(busybox_project: Any, sindri_cli: Any) -> None:
    project = busybox_project()
    first = sindri_cli("build", "--json", cwd=project.dir).json()
    project.write_dockerfile(["/bin/sh", "-c", "sleep 3600"])
    second = sindri_cli("build", "--json", cwd=project.dir).json()
    assert second["skipped"] is False
    assert second["fingerprint"] != first["fingerprint"]
    assert second["reference"] != first["reference"]


def test_a_failing_build_exits_1_with_the_builders_words(
    busybox_project: Any, sindri_cli: Any
) -> None:
    project = busybox_project()
    (project.dir / "Dockerfile").write_text("FROM scratch\nCOPY no-such-file /x\n")
    result = sindri_cli("deploy", cwd=project.dir)
    assert result.exit_code == 1
    assert "failed" in result.stderr and "no-such-file" in result.stderr
    assert "Traceback" not in result.stderr
    _assert_nothing_left(project)


# -- the lifecycle -----------------------------------------------------------------------------


def test_deploy_status_stop_start_destroy(busybox_project: Any, sindri_cli: Any) -> None:
    project = busybox_project()
    absent = _status(sindri_cli, project)
    assert absent["state"] == "not_deployed"
    assert absent["image"] is None

    deployed = _deploy(sindri_cli, project)
    assert f"Container {project.name} is running" in deployed.stdout
    running = _status(sindri_cli, project)
    assert running["state"] == "running"
    assert running["image"].startswith("sindri:")
    assert running["configured_image"] is None
    assert running["details"]["compose_project"] == f"sindri-{project.name}"
    assert running["details"]["memory_usage"].endswith("128MiB")
    inspect = json.loads(docker("container", "inspect", project.name).stdout)[0]
    assert inspect["Config"]["Labels"]["dev.sindri.provider"] == "docker"
    assert inspect["HostConfig"]["Memory"] == 128 * 1024 * 1024
    assert inspect["HostConfig"]["NanoCpus"] == 1_000_000_000
    assert inspect["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped"
    assert inspect["HostConfig"]["NetworkMode"] == "bridge"
    assert inspect["Config"]["Env"].count("INSTALL_PROFILE=minimal") == 1
    assert any(m["Name"] == f"sindri-{project.name}-home" for m in inspect["Mounts"])

    stop = sindri_cli("stop", cwd=project.dir)
    assert stop.exit_code == 0, stop.stderr
    stopped = _status(sindri_cli, project)
    assert stopped["state"] == "stopped"
    # Stopped is not drift: status says to start it, not to deploy.
    assert "drift" not in stopped["details"]
    assert stopped["details"]["hint"] == "`sindri start` starts it"
    text = sindri_cli("status", cwd=project.dir).stdout
    assert "sindri deploy" not in text and "Hint: `sindri start` starts it" in text
    assert sindri_cli("stop", cwd=project.dir).stdout.startswith(f"{project.name} is already")

    start = sindri_cli("start", cwd=project.dir)
    assert start.exit_code == 0, start.stderr
    assert _status(sindri_cli, project)["state"] == "running"

    destroyed = sindri_cli("destroy", "--yes", cwd=project.dir)
    assert destroyed.exit_code == 0, destroyed.stderr
    assert "kept volume" in destroyed.stdout
    _assert_nothing_left(project, volume=True)
    assert _status(sindri_cli, project)["state"] == "not_deployed"

    with_volumes = sindri_cli("destroy", "--yes", "--volumes", cwd=project.dir)
    assert with_volumes.exit_code == 0, with_volumes.stderr
    assert "removed volume" in with_volumes.stdout
    _assert_nothing_left(project, volume=False)


def test_ports_extra_hosts_and_restart_reach_the_engine(
    busybox_project: Any, sindri_cli: Any
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    project = busybox_project(
        config=BASE_CONFIG
        + "providers:\n  docker:\n    restart: 'no'\n"
        + f"    ports: ['127.0.0.1:{port}:8080']\n    extraHosts: ['db.internal:10.9.8.7']\n"
    )
    _deploy(sindri_cli, project)
    host_config = json.loads(docker("container", "inspect", project.name).stdout)[0]["HostConfig"]
    assert host_config["PortBindings"] == {
        "8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(port)}]
    }
    assert host_config["ExtraHosts"] == ["db.internal:10.9.8.7"]
    assert host_config["RestartPolicy"]["Name"] == "no"
    assert _status(sindri_cli, project)["addresses"] == [f"127.0.0.1:{port}->8080/tcp"]


def test_destroy_removes_only_what_the_deployment_created(
    busybox_project: Any, sindri_cli: Any, engine_janitor: Any
) -> None:
    project = busybox_project()
    # Names the Rust version's substring matching would have swept away.
    decoy_volume = f"{project.name}_home"
    decoy_network = f"sindri_{project.name}_default"
    engine_janitor.volumes.append(decoy_volume)
    engine_janitor.networks.append(decoy_network)
    docker("volume", "create", decoy_volume)
    docker("network", "create", decoy_network)
    _deploy(sindri_cli, project)

    result = sindri_cli("destroy", "--yes", "--volumes", cwd=project.dir)
    assert result.exit_code == 0, result.stderr
    _assert_nothing_left(project, volume=False)
    assert _volume_exists(decoy_volume)
    assert docker("network", "inspect", decoy_network, check=False).returncode == 0


def test_destroy_without_the_compose_file_still_finds_the_deployment(
    busybox_project: Any, sindri_cli: Any
) -> None:
    project = busybox_project()
    _deploy(sindri_cli, project)
    (project.output_dir / "compose.yaml").unlink()
    result = sindri_cli("destroy", "--yes", "--volumes", cwd=project.dir)
    assert result.exit_code == 0, result.stderr
    _assert_nothing_left(project, volume=False)


def test_deploy_of_an_unchanged_deployment_is_a_no_op_and_force_keeps_the_home_volume(
    busybox_project: Any, sindri_cli: Any
) -> None:
    project = busybox_project()
    _deploy(sindri_cli, project)
    before = _container_id(project.name)
    docker("exec", project.name, "sh", "-c", "echo precious > /workspace/marker")

    again = _deploy(sindri_cli, project)
    assert "is up to date" in again.stdout
    assert _container_id(project.name) == before

    _deploy(sindri_cli, project, "--force")
    after = _container_id(project.name)
    assert after is not None and after != before
    marker = docker("exec", project.name, "cat", "/workspace/marker")
    assert marker.stdout.strip() == "precious"


def test_a_foreign_container_with_the_same_name_is_not_touched(
    busybox_project: Any, busybox_image: str, sindri_cli: Any
) -> None:
    project = busybox_project()
    docker("run", "-d", "--name", project.name, busybox_image)
    foreign = _container_id(project.name)
    planned = sindri_cli("plan", cwd=project.dir)
    assert planned.exit_code == 0, planned.stderr
    assert planned.stdout.splitlines()[2].startswith(
        f"Deploy would refuse: a container named {project.name} exists and was not created"
    )
    assert "Up to date" not in planned.stdout
    assert sindri_cli("plan", "--json", cwd=project.dir).json()["refusals"] != []
    result = sindri_cli("deploy", cwd=project.dir)
    assert result.exit_code == 1
    assert "was not created by sindri" in result.stderr
    assert sindri_cli("destroy", "--yes", cwd=project.dir).exit_code == 0
    assert _container_id(project.name) == foreign


def test_no_wait_returns_after_creating(busybox_project: Any, sindri_cli: Any) -> None:
    project = busybox_project()
    result = _deploy(sindri_cli, project, "--no-wait")
    assert "not waiting" in result.stdout
    assert _container_id(project.name) is not None


# -- failures leave nothing half-created -------------------------------------------------------


def test_an_exiting_container_fails_the_deploy_with_its_last_logs(
    busybox_project: Any, sindri_cli: Any
) -> None:
    project = busybox_project(cmd=["/bin/sh", "-c", "echo boom-from-the-container; exit 3"])
    result = sindri_cli("deploy", cwd=project.dir)
    assert result.exit_code == 1
    assert "right after starting" in result.stderr
    assert "status 3" in result.stderr
    # The container's log lines stay lines of their own, under the error line.
    assert "    boom-from-the-container" in result.stderr.splitlines()
    assert result.diagnostics.splitlines()[0].startswith("error: deploy of ")
    assert "Rolled back" in result.stderr
    _assert_nothing_left(project)


def test_an_image_that_does_not_exist_fails_and_leaves_nothing(
    busybox_project: Any, sindri_cli: Any, registry: Any
) -> None:
    project = busybox_project()
    (project.dir / "Dockerfile").unlink()
    project.write_config(
        BASE_CONFIG + f"  image: {registry.host}/sindri-tests/missing-{project.test_id}:1.0.0\n"
    )
    result = sindri_cli("deploy", cwd=project.dir)
    assert result.exit_code == 1
    assert f"deploy of {project.name} failed" in result.stderr
    assert "missing-" in result.stderr
    _assert_nothing_left(project)


def test_a_failed_redeploy_keeps_the_existing_home_volume(
    busybox_project: Any, sindri_cli: Any
) -> None:
    project = busybox_project()
    _deploy(sindri_cli, project)
    docker("exec", project.name, "sh", "-c", "echo precious > /workspace/marker")
    project.write_dockerfile(["/bin/sh", "-c", "exit 4"])
    result = sindri_cli("deploy", "--force", cwd=project.dir)
    assert result.exit_code == 1
    assert "status 4" in result.stderr
    assert f"kept volume sindri-{project.name}-home" in result.stderr
    _assert_nothing_left(project, volume=True)


# -- an image from a registry, resolved by a range ---------------------------------------------


def test_deploy_of_a_registry_image_resolved_by_a_semver_range_is_digest_pinned(
    busybox_project: Any, busybox_image: str, registry: Any, sindri_cli: Any, engine_janitor: Any
) -> None:
    project = busybox_project()
    (project.dir / "Dockerfile").unlink()
    repo = f"{registry.host}/sindri-tests/box-{project.test_id}"
    for tag in ("1.0.0", "1.4.2", "2.0.0"):
        docker("tag", busybox_image, f"{repo}:{tag}")
        docker("push", f"{repo}:{tag}")
        docker("rmi", f"{repo}:{tag}")  # the deploy must pull it
    digest = registry.digest_of(f"sindri-tests/box-{project.test_id}", "1.4.2")
    engine_janitor.images.append(f"{repo}@{digest}")
    project.write_config(
        BASE_CONFIG + f"  image_config:\n    registry: {repo}\n    version: '^1.0'\n"
    )

    _deploy(sindri_cli, project)
    status = _status(sindri_cli, project)
    assert status["state"] == "running"
    assert status["image"] == f"{repo}:1.4.2@{digest}"
    assert status["configured_image"] is None
    compose = (project.output_dir / "compose.yaml").read_text()
    assert f"image: {repo}:1.4.2@{digest}" in compose
    assert "pull_policy: missing" in compose


# -- secrets -----------------------------------------------------------------------------------


def test_secrets_file_is_private_lives_with_the_deployment_and_is_never_shown(
    busybox_project: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    value = "v-" + os.urandom(6).hex() + " 'quoted' $HOME # not a comment"
    monkeypatch.setenv("API_TOKEN", value)
    project = busybox_project()
    (project.dir / "id_test.pub").write_text("ssh-ed25519 AAAAtest\n")
    (project.dir / "id_test.pub").chmod(0o644)
    project.write_config(
        BASE_CONFIG + "secrets:\n  - name: API_TOKEN\n  - name: SSH_KEY\n    source: file\n"
        "    path: id_test.pub\n    mountPath: /secrets/id_test.pub\n    permissions: '0600'\n"
    )
    outputs = [_deploy(sindri_cli, project)]
    secrets_file = project.output_dir / "secrets.env"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert f"API_TOKEN={value}\n" in secrets_file.read_text()
    assert value not in (project.output_dir / "compose.yaml").read_text()
    env = docker("exec", project.name, "sh", "-c", 'printf "%s" "$API_TOKEN"').stdout
    assert env == value  # taken literally: no quote stripping, no interpolation
    assert docker("exec", project.name, "cat", "/secrets/id_test.pub").stdout.startswith("ssh")
    # The container sees the mode asked for, whatever the host file's (a private copy).
    mode = docker("exec", project.name, "stat", "-c", "%a", "/secrets/id_test.pub").stdout
    assert mode.strip() == "600"
    assert stat.S_IMODE((project.dir / "id_test.pub").stat().st_mode) == 0o644
    copies = project.output_dir / "secret-files"
    assert stat.S_IMODE(copies.stat().st_mode) == 0o700
    assert (copies / ".gitignore").read_text() == "*\n"
    readonly = docker(
        "exec", project.name, "sh", "-c", "echo x > /secrets/id_test.pub", check=False
    )
    assert readonly.returncode != 0

    # start/stop keep working because the file outlives the first start.
    for command in ("stop", "start", "status", "plan"):
        outputs.append(sindri_cli(command, cwd=project.dir))
        assert outputs[-1].exit_code == 0, outputs[-1].stderr
    outputs.append(sindri_cli("status", "--json", cwd=project.dir))
    for result in outputs:
        assert value not in result.stdout + result.stderr

    assert sindri_cli("destroy", "--yes", "--volumes", cwd=project.dir).exit_code == 0
    assert not secrets_file.exists() and not copies.exists()


# -- connect -----------------------------------------------------------------------------------


def test_connect_runs_in_the_workspace_and_passes_the_exit_status(
    busybox_project: Any, sindri_cli: Any, tmp_path: Path
) -> None:
    project = busybox_project()
    _deploy(sindri_cli, project)
    result = sindri_cli("connect", "sh", "-c", "pwd > /workspace/where; exit 7", cwd=project.dir)
    assert result.exit_code == 7
    assert docker("exec", project.name, "cat", "/workspace/where").stdout.strip() == "/workspace"

    assert sindri_cli("stop", cwd=project.dir).exit_code == 0
    stopped = sindri_cli("connect", cwd=project.dir)
    assert stopped.exit_code == 1
    assert "is not running" in stopped.stderr and "sindri start" in stopped.stderr


def test_connect_uses_the_dev_user_when_the_image_has_one(
    busybox_project: Any, sindri_cli: Any
) -> None:
    passwd = "root:x:0:0::/root:/bin/sh\\ndeveloper:x:1000:1000::/home/developer:/bin/sh\\n"
    script = f"mkdir -p /etc /tmp && chmod 1777 /tmp && printf '{passwd}' > /etc/passwd"
    project = busybox_project(extra=(f'RUN ["/bin/sh", "-c", "{script}"]',))
    _deploy(sindri_cli, project)
    result = sindri_cli("connect", "sh", "-c", "id -un > /tmp/who", cwd=project.dir)
    assert result.exit_code == 0, result.stderr
    assert docker("exec", project.name, "cat", "/tmp/who").stdout.strip() == "developer"


def test_connect_to_nothing_says_deploy_first(busybox_project: Any, sindri_cli: Any) -> None:
    project = busybox_project()
    result = sindri_cli("connect", cwd=project.dir)
    assert result.exit_code == 1
    assert "is not deployed" in result.stderr


SINDRI_WORKSPACE_CONFIG = """
version: "3.0"
name: {name}
deployment:
  provider: docker
  resources:
    memory: 128MB
    cpus: 1
"""


def test_connect_makes_the_workspace_an_image_that_is_not_sindri_lacks(
    busybox_project: Any, sindri_cli: Any
) -> None:
    # The default workspace (/alt/home/developer/workspace) does not exist in busybox; the
    # home volume is mounted at its parent, so the workspace can be made there.
    project = busybox_project(config=SINDRI_WORKSPACE_CONFIG)
    _deploy(sindri_cli, project)
    result = sindri_cli("connect", "sh", "-c", "pwd > ../where", cwd=project.dir)
    assert result.exit_code == 0, result.stderr
    where = docker("exec", project.name, "cat", "/alt/home/developer/where").stdout.strip()
    assert where == "/alt/home/developer/workspace"
    assert "Created the workspace /alt/home/developer/workspace" in result.stderr


def test_connect_falls_back_to_the_home_mount_when_the_workspace_cannot_be_made(
    busybox_project: Any, sindri_cli: Any
) -> None:
    # A dev user who may not write the root-owned home volume: the workspace cannot be made.
    passwd = "root:x:0:0::/root:/bin/sh\\ndeveloper:x:1000:1000::/home/developer:/bin/sh\\n"
    script = f"mkdir -p /etc /tmp && chmod 1777 /tmp && printf '{passwd}' > /etc/passwd"
    project = busybox_project(
        config=SINDRI_WORKSPACE_CONFIG, extra=(f'RUN ["/bin/sh", "-c", "{script}"]',)
    )
    _deploy(sindri_cli, project)
    result = sindri_cli("connect", "sh", "-c", "pwd > /tmp/where", cwd=project.dir)
    assert result.exit_code == 0, result.stderr
    assert docker("exec", project.name, "cat", "/tmp/where").stdout.strip() == "/alt/home/developer"
    assert "connecting in /alt/home/developer" in result.stderr
