"""SIGTERM while `compose up` runs: deploy rolls back like any failure and compose is ended
before sindri exits (issue 24, item 11). On the real engine; `docker compose up` alone is
held by a wrapper so the signal arrives while it runs."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.docker.conftest import BASE_CONFIG, DOCKER, docker_lines

pytestmark = pytest.mark.docker


def _wrappers(directory: Path, ready: Path) -> Path:
    """``docker`` and ``docker-compose`` that pass everything to the real ones but compose's
    ``up`` (whichever compose sindri finds), which reports its pid on the FIFO ``ready`` and
    then waits (as a slow pull would) until it is killed."""
    directory.mkdir()
    for name, real, is_up in (
        ("docker", DOCKER, '" $* " == *" compose "* && " $* " == *" up "*'),
        ("docker-compose", shutil.which("docker-compose") or "false", '" $* " == *" up "*'),
    ):
        script = directory / name
        script.write_text(
            textwrap.dedent(f"""\
                #!/bin/bash
                if [[ {is_up} ]]; then
                  echo $$ > {ready}
                  exec sleep 600
                fi
                exec {real} "$@"
                """)
        )
        script.chmod(0o755)
    return directory


def _compose_pid(ready: Path, sindri: subprocess.Popen[str]) -> int:
    """The pid `compose up` reports, once it runs; fails if sindri ends before that."""
    fd = os.open(ready, os.O_RDONLY | os.O_NONBLOCK)
    try:
        received = b""
        while not received.endswith(b"\n"):
            readable, _, _ = select.select([fd], [], [], 1.0)
            if readable:
                received += os.read(fd, 64)
            elif sindri.poll() is not None:
                pytest.fail(f"sindri ended before compose up ran: {sindri.communicate()}")
        return int(received)
    finally:
        os.close(fd)


def test_sigterm_during_compose_up_rolls_back_and_ends_compose(
    busybox_project: Any, tmp_path: Path
) -> None:
    project = busybox_project(config=BASE_CONFIG + "secrets:\n  - name: TOKEN\n")
    ready = tmp_path / "ready"
    os.mkfifo(ready)
    bin_dir = _wrappers(tmp_path / "bin", ready)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "TOKEN": "s3cret"}
    sindri = subprocess.Popen(
        [sys.executable, "-m", "sindri_core", "deploy"],
        cwd=project.dir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        compose_pid = _compose_pid(ready, sindri)
        assert (project.output_dir / "secrets.env").exists()
        sindri.send_signal(signal.SIGTERM)
        _, stderr = sindri.communicate(timeout=120)
    finally:
        if sindri.poll() is None:
            sindri.kill()
            sindri.wait()

    assert sindri.returncode == 143, stderr
    assert "error: terminated" in stderr
    with pytest.raises(ProcessLookupError):
        os.kill(compose_pid, 0)  # ended by sindri, not left behind
    assert not project.output_dir.exists(), sorted(project.output_dir.rglob("*"))
    assert docker_lines("ps", "-aq", "--filter", f"label=dev.sindri.name={project.name}") == []
