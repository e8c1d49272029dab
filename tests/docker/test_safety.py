"""The Docker provider against hostile projects, on the real engine: a `.sindri/docker` link
to another directory, `$` in values and paths that compose would interpolate, and two sindri
processes deploying one project at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.docker.conftest import BASE_CONFIG, BusyboxProject, docker, docker_lines

pytestmark = pytest.mark.docker


def _containers(project: BusyboxProject) -> list[str]:
    return docker_lines("ps", "-aq", "--filter", f"label=dev.sindri.name={project.name}")


def test_a_linked_provider_directory_is_refused_and_its_target_survives(
    busybox_project: Any, sindri_cli: Any, tmp_path: Path
) -> None:
    project = busybox_project()
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (decoy / "precious.txt").write_text("keep me\n")
    (project.dir / ".sindri").mkdir()
    project.output_dir.symlink_to(decoy)

    for command in (("deploy",), ("destroy", "--yes"), ("stop",), ("start",)):
        result = sindri_cli(*command, cwd=project.dir)
        assert result.exit_code == 1, (command, result.stderr)
        assert f"refusing to use {project.output_dir}: it is a symbolic link" in result.stderr
        assert "internal error" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in decoy.iterdir()) == ["precious.txt"]
    assert _containers(project) == []


def test_destroy_leaves_files_it_did_not_write(busybox_project: Any, sindri_cli: Any) -> None:
    project = busybox_project()
    assert sindri_cli("deploy", cwd=project.dir).exit_code == 0
    (project.output_dir / "notes.txt").write_text("mine\n")
    assert sindri_cli("destroy", "--yes", cwd=project.dir).exit_code == 0
    assert [p.name for p in project.output_dir.iterdir()] == ["notes.txt"]


def test_compose_interpolates_nothing_sindri_writes(
    busybox_project: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    made = busybox_project()
    # A project directory whose path holds `$HOME`: the file secret's bind source lives in it.
    home_named = tmp_path / "dollar$HOME-${USER-u}"  # no ":": binds split on it
    home_named.mkdir()
    project = BusyboxProject(home_named / "proj", made.name, made.test_id)
    made.dir.rename(project.dir)
    monkeypatch.setenv("HOME", str(tmp_path / "not-this-home"))
    monkeypatch.setenv("USER", "intruder")
    (project.dir / "key.pub").write_text("ssh-ed25519 AAAAliteral\n")
    project.write_config(
        BASE_CONFIG + "extensions:\n  profile: 'pro$HOME-${USER:-u}'\n"
        "secrets:\n  - name: KEY\n    source: file\n    path: key.pub\n"
        "    mountPath: /secrets/key.pub\n"
    )
    result = sindri_cli("deploy", cwd=project.dir)
    assert result.exit_code == 0, result.stderr
    profile = docker("exec", project.name, "sh", "-c", 'printf "%s" "$INSTALL_PROFILE"').stdout
    assert profile == "pro$HOME-${USER:-u}"
    assert docker("exec", project.name, "cat", "/secrets/key.pub").stdout == (
        "ssh-ed25519 AAAAliteral\n"
    )
    assert not (tmp_path / "not-this-home").exists()  # the engine created no stray source
    assert sindri_cli("destroy", "--yes", "--volumes", cwd=project.dir).exit_code == 0


_HOLDER = """
import sys
from pathlib import Path
from sindri_core.project_lock import project_lock
with project_lock(Path(sys.argv[1]), "deploy", on_wait=print):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def _hold_lock(project: BusyboxProject, env: dict[str, str]) -> subprocess.Popen[str]:
    """Another process holding the project's lock until its stdin closes."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(project.dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    return holder


def test_a_second_deploy_of_one_project_waits_then_refuses_naming_the_first(
    busybox_project: Any, tmp_path: Path
) -> None:
    project = busybox_project()
    env = {**os.environ, "SINDRI_LOCK_WAIT": "0.5"}
    holder = _hold_lock(project, env)
    try:
        for command in (("deploy",), ("destroy", "--yes"), ("start",), ("stop",)):
            second = subprocess.run(
                [sys.executable, "-m", "sindri_core", *command],
                cwd=project.dir,
                capture_output=True,
                text=True,
                env=env,
                timeout=60,
            )
            assert second.returncode == 1, second.stderr
            assert f"another sindri process (pid {holder.pid}, deploy)" in second.stderr
            assert "internal error" not in second.stderr
        assert _containers(project) == []
        assert not project.output_dir.exists()
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    after = subprocess.run(
        [sys.executable, "-m", "sindri_core", "deploy"],
        cwd=project.dir,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert after.returncode == 0, after.stderr
    assert len(_containers(project)) == 1


def test_a_second_run_waits_for_the_first_and_then_runs(busybox_project: Any) -> None:
    project = busybox_project()
    env = {**os.environ, "SINDRI_LOCK_WAIT": "120"}
    holder = _hold_lock(project, env)
    second = subprocess.Popen(
        [sys.executable, "-m", "sindri_core", "stop"],
        cwd=project.dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert second.stderr is not None
    waiting = second.stderr.readline()  # returns once the second run says it waits
    assert waiting == (
        f"warning: waiting up to 120 s for another sindri process (pid {holder.pid}, deploy) "
        "working on this project\n"
    )
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=30)
    _, rest = second.communicate(timeout=120)
    assert "another sindri process" not in rest  # it ran once the lock was free
    assert "not deployed" in rest or second.returncode == 0, rest
