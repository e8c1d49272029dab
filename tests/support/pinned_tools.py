"""The real tools the tests hold their fakes to (oracles), at pinned versions, from the
project-local ``.tools/bin`` that ``scripts/install-pinned-tools`` fills, never from ``PATH``.

A missing oracle skips the test (fails it under CI, :mod:`tests.support.required`); an oracle
of another version is a set-up error naming the version the fakes were written from, so a
machine's own ``kubectl`` can never turn into a fake mismatch.
"""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path

import pytest

from tests.support.required import REPOSITORY, required_file

TOOLS = REPOSITORY / ".tools" / "bin"
PINS = REPOSITORY / "scripts" / "pinned-tools"

__all__ = ["TOOLS", "pinned", "pinned_kubectl"]


@functools.cache
def pinned() -> dict[str, str]:
    """The ``NAME=value`` lines of ``scripts/pinned-tools``."""
    lines = PINS.read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


@functools.cache
def _kubectl_version(path: Path) -> str:
    shown = subprocess.run(
        [str(path), "version", "--client", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    try:
        return str(json.loads(shown.stdout)["clientVersion"]["gitVersion"])
    except (ValueError, KeyError, TypeError):
        return f"unknown ({shown.stderr.strip()[:200]})"


def pinned_kubectl() -> Path:
    """The pinned kubectl, checked to be the version the fakes follow."""
    path = required_file(TOOLS / "kubectl", "the pinned kubectl (run scripts/bootstrap)")
    expected = pinned()["KUBECTL_VERSION"]
    found = _kubectl_version(path)
    if found != expected:
        pytest.fail(
            f"set-up error: {path} is kubectl {found}, the tests need {expected} (Debian "
            f"trixie kubectl {pinned()['KUBECTL_DEBIAN_VERSION']}); run scripts/bootstrap",
            pytrace=False,
        )
    return path
