"""`plan` and `deploy` read back files of `.sindri/docker/` that a repository may have
planted: a FIFO, a link to a device, an oversized file. Each is one error naming it, within
seconds, in a real `sindri` process (issue 24, item 3)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = """\
version: "3.0"
name: readback
deployment:
  provider: docker
  image: registry.example.com/team/box:1.2.3
"""


def _sindri(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sindri_core", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,  # today's code waits forever on the FIFO: the timeout fails the test
        stdin=subprocess.PIPE,
        env={**os.environ, "SINDRI_CACHE_DIR": str(project.parent / "cache")},
    )


@pytest.mark.parametrize(
    ("plant", "reason"),
    [
        (os.mkfifo, "it is not a regular file"),
        (lambda path: path.symlink_to("/dev/stdin"), "it is a symbolic link"),
        (lambda path: path.write_bytes(b"#" * (2 << 20)), "it is larger than"),
    ],
    ids=["fifo", "link-to-stdin", "oversized"],
)
def test_plan_refuses_a_planted_compose_file_by_name(
    tmp_path: Path, plant: object, reason: str
) -> None:
    project = tmp_path / "project"
    output = project / ".sindri" / "docker"
    output.mkdir(parents=True)
    (project / "sindri.yaml").write_text(CONFIG)
    plant(output / "compose.yaml")  # type: ignore[operator]

    result = _sindri(project, "plan")

    assert result.returncode == 1, result.stderr
    assert f"{output / 'compose.yaml'}: {reason}" in result.stderr
    assert "internal error" not in result.stderr
