"""Fixtures of the fly tests: a project directory with sindri.yaml, and the fake flyctl."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from sindri_core.project import Project
from tests.fly.fakefly import APP, DIGEST

IMAGE_CONFIG = f"""
  image_config:
    registry: ghcr.io/pacphi/sindri
    digest: "{DIGEST}"
"""
PINNED = f"ghcr.io/pacphi/sindri@{DIGEST}"


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    return path


@pytest.fixture
def fly_config(project_dir: Path) -> Callable[..., Path]:
    """``fly_config(deployment="", fly="", extra="")`` writes sindri.yaml for the fly provider.

    ``deployment`` is YAML under ``deployment:`` (indented two spaces), ``fly`` under
    ``providers.fly:`` (four spaces), ``extra`` top-level YAML.
    """

    def write(deployment: str = IMAGE_CONFIG, fly: str = "", extra: str = "") -> Path:
        text = textwrap.dedent(
            f"""\
            version: "3.0"
            name: {APP}
            deployment:
              provider: fly
            """
        )
        text += textwrap.indent(textwrap.dedent(deployment).strip("\n"), "  ") + "\n"
        text += "providers:\n  fly:\n    region: sjc\n"
        if fly.strip():
            text += textwrap.indent(textwrap.dedent(fly).strip("\n"), "    ") + "\n"
        text += textwrap.dedent(extra).strip("\n") + "\n"
        path = project_dir / "sindri.yaml"
        path.write_text(text)
        return path

    return write


@pytest.fixture
def load_project(fly_config: Callable[..., Path]) -> Callable[..., Project]:
    def load(**kwargs: str) -> Project:
        return Project.load(fly_config(**kwargs))

    return load


@pytest.fixture
def dockerfile_context(project_dir: Path) -> Path:
    """A real local build context: ./Dockerfile plus a file it copies."""
    (project_dir / "Dockerfile").write_text(
        "FROM scratch\nCOPY motd /etc/motd\nARG DISTRO\nARG SINDRI_VERSION\n"
    )
    (project_dir / "motd").write_text("welcome\n")
    return project_dir / "Dockerfile"
