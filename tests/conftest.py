"""Shared test setup: every test runs with its own cache and Docker config directories, and
never reads the developer's home directory."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from sindri_core.plugin_host import set_host

pytest_plugins = ["tests.support.fixtures"]


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
    ):
        monkeypatch.delenv(name, raising=False)


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
