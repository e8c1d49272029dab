"""Run the real tool and its fake on the same argv, for tests that hold a fake to the tool."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sindri_core.testing import FakeTool


def both(
    fake: FakeTool, argv: list[str], env: dict[str, str], real_tool: Path | None = None
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    """``(real, fake)`` results of ``argv`` (without the program name); the real tool is
    ``real_tool`` (a pinned oracle, :mod:`tests.support.pinned_tools`), else found on PATH."""
    bin_dir = str(fake.tools.bin_dir)
    if real_tool is None:
        path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != bin_dir)
        found = shutil.which(fake.name, path=path)
        assert found, f"{fake.name} is installed by scripts/install-system-deps"
        real_tool = Path(found)
    real = subprocess.run([str(real_tool), *argv], capture_output=True, text=True, env=env)
    faked = subprocess.run(
        [str(Path(bin_dir) / fake.name), *argv], capture_output=True, text=True, env=env
    )
    return real, faked


def same_refusal(
    fake: FakeTool, argv: list[str], env: dict[str, str], real_tool: Path | None = None
) -> None:
    """Both refuse ``argv`` with the same exit code, nothing on stdout, and the same first
    line on stderr that is not a deprecation notice."""
    real, faked = both(fake, argv, env, real_tool)
    assert faked.returncode == real.returncode != 0, (real.stderr, faked.stderr)
    assert faked.stdout == real.stdout == ""
    assert _first(faked.stderr) == _first(real.stderr)


def _first(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    notices = ("DEPRECATED", " ")  # docker's legacy-builder notice and its indented lines
    return next(line for line in lines if not line.startswith(notices))
