"""Running mypy from the development environment, as the type-checking tests need it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def mypy_errors(*args: str, cwd: Path) -> tuple[list[str], str]:
    """mypy's error lines for ``args`` run in ``cwd`` (cache there too), and its whole output."""
    completed = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(cwd / ".mypy-cache"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    errors = [line for line in completed.stdout.splitlines() if ": error:" in line]
    return errors, completed.stdout + completed.stderr
