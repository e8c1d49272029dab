"""The example provider from docs/PLUGINS.md installs like any third-party provider."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plugin" / "sindri-provider-hello"


@pytest.mark.slow
def test_installed_example_shows_up_in_providers(tmp_path, uv_cache):
    target = tmp_path / "site"
    uv = shutil.which("uv")
    assert uv, "scripts/bootstrap installs uv"
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            sys.executable,
            "--no-deps",
            "--offline",  # hatchling from uv's cache (scripts/bootstrap); no test uses the index
            "--cache-dir",
            uv_cache,
            "--target",
            str(target),
            str(EXAMPLE),
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-m", "sindri_core", "providers", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    providers = {p["name"]: p for p in json.loads(result.stdout)["providers"]}
    assert providers["hello"]["distribution"] == "sindri-provider-hello"
    assert providers["hello"]["version"] == "1.0.0"
    assert providers["hello"]["capabilities"]["build"] == "never"
    assert "docker" in providers  # the workspace's own providers are still there
