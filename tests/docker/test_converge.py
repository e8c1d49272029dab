"""Deploy converges and plan tells the truth, on the real engine (issue #17, ADR 0015).

deploy, deploy again (no-op: same container, not one compose call), edit the Dockerfile, plan
shows the update, deploy without --force runs the new image built with the layer cache and the
home volume's files survive; plan's artifacts are the files deploy writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sindri_core.runner import CommandRunner
from tests.docker.conftest import BusyboxProject, docker

pytestmark = pytest.mark.docker


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every argv sindri runs, recorded on the way to the real tool."""
    seen: list[list[str]] = []
    real = CommandRunner.run

    def run(self: CommandRunner, argv: Sequence[str], **kwargs: Any) -> Any:
        seen.append(list(argv))
        return real(self, argv, **kwargs)

    monkeypatch.setattr(CommandRunner, "run", run)
    return seen


def _container(name: str) -> tuple[str, str]:
    """The container's id and the image reference it was created from."""
    out = docker("container", "inspect", "--format", "{{.Id}} {{.Config.Image}}", name).stdout
    container_id, image = out.split()
    return container_id, image


def _ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


def _deployed(busybox_project: Any, sindri_cli: Any) -> tuple[BusyboxProject, str, str]:
    """A fresh project, deployed: it, its container's id and image."""
    project = busybox_project()
    _ok(sindri_cli("deploy", cwd=project.dir))
    return (project, *_container(project.name))


def _changes(sindri_cli: Any, project: BusyboxProject) -> dict[str, dict[str, Any]]:
    report = _ok(sindri_cli("plan", "--json", cwd=project.dir)).json()
    assert report["compared"] is True
    return {change["resource"]: change for change in report["changes"]}


def _is_compose(argv: list[str]) -> bool:
    return "compose" in argv[:2] or Path(argv[0]).name == "docker-compose"


def test_deploy_again_is_a_no_op_without_any_compose_call(
    busybox_project: Any, sindri_cli: Any, commands: list[list[str]]
) -> None:
    project, *before = _deployed(busybox_project, sindri_cli)
    commands.clear()

    again = _ok(sindri_cli("deploy", cwd=project.dir))

    assert again.stdout.splitlines() == [f"{project.name} is up to date: {before[1]}"]
    assert list(_container(project.name)) == before
    assert [argv for argv in commands if _is_compose(argv)] == []
    assert not [argv for argv in commands if argv[:2] == ["docker", "build"]]
    changes = _changes(sindri_cli, project)
    assert {c["action"] for c in changes.values()} == {"unchanged"}
    assert f"container:{project.name}" in changes


def test_an_edited_dockerfile_is_planned_then_applied_with_cache_keeping_home(
    busybox_project: Any, sindri_cli: Any, commands: list[list[str]]
) -> None:
    project, old_id, old_image = _deployed(busybox_project, sindri_cli)
    docker("exec", project.name, "sh", "-c", "echo precious > /workspace/marker")
    project.write_dockerfile(["/bin/sh", "-c", "echo v2 > /v; exec sleep 3600"])

    changes = _changes(sindri_cli, project)
    container = changes[f"container:{project.name}"]
    assert container["action"] == "update"
    assert container["from"] == f"image {old_image}"
    new_image = container["to"].removeprefix("image ")
    assert new_image != old_image and new_image.startswith("sindri:")
    assert changes[f"image:{new_image}"]["action"] == "create"
    assert changes[f"volume:sindri-{project.name}-home"]["action"] == "unchanged"
    assert changes[f"file:{project.output_dir / 'compose.yaml'}"]["action"] == "update"

    commands.clear()
    _ok(sindri_cli("deploy", cwd=project.dir))  # no --force
    new_id, running = _container(project.name)
    assert running == new_image and new_id != old_id
    builds = [argv for argv in commands if argv[:2] == ["docker", "build"]]
    assert len(builds) == 1 and "--no-cache" not in builds[0]
    assert not any("--force-recreate" in argv for argv in commands)
    marker = docker("exec", project.name, "cat", "/workspace/marker").stdout
    assert marker.strip() == "precious"
    assert docker("exec", project.name, "cat", "/v").stdout.strip() == "v2"


def test_force_still_rebuilds_without_cache_and_recreates(
    busybox_project: Any, sindri_cli: Any, commands: list[list[str]]
) -> None:
    project, before, _ = _deployed(busybox_project, sindri_cli)
    commands.clear()
    _ok(sindri_cli("deploy", "--force", cwd=project.dir))
    builds = [argv for argv in commands if argv[:2] == ["docker", "build"]]
    assert len(builds) == 1 and "--no-cache" in builds[0]
    assert any("--force-recreate" in argv for argv in commands)
    assert _container(project.name)[0] != before


def test_plan_artifacts_are_the_files_deploy_writes(busybox_project: Any, sindri_cli: Any) -> None:
    project = busybox_project()
    planned = _ok(sindri_cli("plan", "--json", cwd=project.dir)).json()
    assert {c["action"] for c in planned["changes"]} == {"create"}
    _ok(sindri_cli("deploy", cwd=project.dir))
    for artifact in planned["artifacts"]:
        assert Path(artifact["path"]).read_text() == artifact["content"]
    assert _container(project.name)[1] in planned["artifacts"][0]["content"]


def test_a_changed_setting_updates_the_compose_file_and_recreates(
    busybox_project: Any, sindri_cli: Any
) -> None:
    project = busybox_project()
    (project.dir / ".dockerignore").write_text("sindri.yaml\n")  # the image stays the same
    _ok(sindri_cli("deploy", cwd=project.dir))
    before, image = _container(project.name)
    project.config.write_text(project.config.read_text().replace("cpus: 1", "cpus: 2"))
    container = _changes(sindri_cli, project)[f"container:{project.name}"]
    assert container["action"] == "update"
    assert container["from"].startswith("compose file ") and container["to"] != container["from"]
    _ok(sindri_cli("deploy", cwd=project.dir))
    after, same_image = _container(project.name)
    assert after != before and same_image == image
    assert _ok(sindri_cli("deploy", cwd=project.dir)).stdout.count("up to date") == 1


def test_plan_text_names_the_real_tag_the_changed_settings_and_no_needless_action(
    busybox_project: Any, sindri_cli: Any
) -> None:
    project = busybox_project()
    (project.dir / ".dockerignore").write_text("sindri.yaml\n")  # the image stays the same
    _ok(sindri_cli("deploy", cwd=project.dir))
    _, running = _container(project.name)
    project.config.write_text(project.config.read_text().replace("memory: 128MB", "memory: 256MB"))

    text = _ok(sindri_cli("plan", cwd=project.dir)).stdout.splitlines()
    # The Image line names the tag deploy runs (the local build's), not the -SOURCE placeholder.
    assert text[1].startswith(f"Image:    {running}  (build: ")
    compose = project.output_dir / "compose.yaml"
    assert f"  update    file:{compose}: mem_limit: 128m → mem_limit: 256m" in text
    # The home volume exists: Changes says unchanged, and Actions does not say "create".
    home = f"volume:sindri-{project.name}-home"
    assert f"  unchanged {home}" in text
    assert not any(line.split()[:2] == ["create", f"{home}:"] for line in text)
    assert _ok(sindri_cli("plan", "--json", cwd=project.dir)).json()["reference"] == running

    verbose = _ok(sindri_cli("plan", "-v", cwd=project.dir)).stdout.splitlines()
    assert "    |     mem_limit: 256m" in verbose  # the generated compose file itself


def test_plan_without_an_engine_shows_the_desired_state_and_says_so(
    busybox_project: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project = busybox_project()
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    result = _ok(sindri_cli("plan", "--json", cwd=project.dir))
    report = result.json()
    assert report["compared"] is False and report["changes"] == []
    assert report["artifacts"] and report["actions"]
    assert any("could not compare" in note for note in report["notes"])
    text = _ok(sindri_cli("plan", cwd=project.dir)).stdout
    assert "Could not compare with what runs" in text


def test_status_shows_drift_and_suggests_deploy(busybox_project: Any, sindri_cli: Any) -> None:
    project, _, running = _deployed(busybox_project, sindri_cli)
    current = _ok(sindri_cli("status", "--json", cwd=project.dir)).json()
    assert current["configured_image"] is None and "drift" not in current["details"]

    project.write_dockerfile(["/bin/sh", "-c", "exec sleep 3600"])
    drifted = _ok(sindri_cli("status", "--json", cwd=project.dir)).json()
    assert drifted["image"] == running
    wanted = drifted["configured_image"]
    assert wanted.startswith("sindri:") and wanted != running
    assert drifted["details"]["drift"] == (
        f"image {running} → image {wanted}; `sindri deploy` applies it"
    )
    text = _ok(sindri_cli("status", cwd=project.dir)).stdout
    assert f"Configured image: {wanted}" in text and "sindri deploy" in text
