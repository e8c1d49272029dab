"""Files some tests need that a plain clone may lack: the shared material next to the
repository (``../shared``: JSON schemas of the consuming tools) and the lowest allowed
dependency versions installed by ``scripts/bootstrap``.

A test asks for such a file with :func:`required_file`. Without it the test is skipped, with
a reason saying what is missing, so ``./scripts/test`` passes on any clone; under CI (``CI``
set, as ``.ci/run`` sets it) a missing file fails the test instead, so CI never passes by
skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
SHARED = REPOSITORY.parent / "shared"

__all__ = ["REPOSITORY", "SHARED", "required_file", "shared_file"]


def required_file(path: Path, what: str) -> Path:
    """``path``, or skip (fail under CI) saying that ``what`` is missing."""
    if path.exists():
        return path
    reason = f"needs {what} at {path}"
    if os.environ.get("CI", "").lower() not in {"", "0", "false"}:
        pytest.fail(f"{reason}; CI requires it", pytrace=False)
    pytest.skip(reason)


def shared_file(relative: str) -> Path:
    """A file of the shared material next to the repository (``../shared/<relative>``)."""
    return required_file(SHARED / relative, f"the shared material ../shared/{relative}")
