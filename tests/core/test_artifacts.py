"""Generated files stay inside ``<project>/.sindri/<provider>/``: links on the way are refused
and destroy removes only what deploy recorded."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sindri_core.artifacts import (
    MANIFEST_NAME,
    check_output_dir,
    remove_artifact,
    remove_artifacts,
    write_artifact,
    write_copy,
)
from sindri_core.errors import OperationError
from sindri_core.lifecycle import Artifact


@pytest.fixture
def decoy(tmp_path: Path) -> Path:
    directory = tmp_path / "decoy"
    directory.mkdir()
    (directory / "precious.txt").write_text("keep me\n")
    (directory / "compose.yaml").write_text("not sindri's\n")
    return directory


def _snapshot(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): p.read_text() for p in directory.rglob("*")}


def test_files_are_written_recorded_and_removed_leaving_foreign_files(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    output = project / ".sindri" / "devpod"
    write_artifact(Artifact(output / ".devcontainer" / "devcontainer.json", "{}\n"))
    write_artifact(Artifact(output / "workspace.env", "A=1\n", mode=0o600))
    assert stat.S_IMODE((output / "workspace.env").stat().st_mode) == 0o600
    assert (
        output / MANIFEST_NAME
    ).read_text() == ".devcontainer/devcontainer.json\nworkspace.env\n"

    (output / "notes.txt").write_text("the user's\n")
    remove_artifacts(output)
    assert sorted(p.name for p in output.rglob("*")) == ["notes.txt"]
    (output / "notes.txt").unlink()
    remove_artifacts(output)
    assert not (project / ".sindri").exists()


@pytest.mark.parametrize("link", [".sindri", ".sindri/docker", ".sindri/docker/sub"])
def test_a_link_on_the_path_is_refused_and_the_target_survives(
    tmp_path: Path, decoy: Path, link: str
) -> None:
    project = tmp_path / "project"
    (project / link).parent.mkdir(parents=True)
    (project / link).symlink_to(decoy)
    before = _snapshot(decoy)
    output = project / ".sindri" / "docker"
    with pytest.raises(OperationError, match=f"refusing to use {project / link}: it is a symbolic"):
        write_artifact(Artifact(output / "sub" / "compose.yaml", "services: {}\n"))
    if link != ".sindri/docker/sub":
        for operation in (remove_artifacts, check_output_dir):
            with pytest.raises(OperationError, match="symbolic link"):
                operation(output)
    assert _snapshot(decoy) == before


def test_a_link_in_place_of_a_file_is_refused(tmp_path: Path, decoy: Path) -> None:
    output = tmp_path / "project" / ".sindri" / "docker"
    output.mkdir(parents=True)
    (output / "compose.yaml").symlink_to(decoy / "compose.yaml")
    for operation in (
        lambda: write_artifact(Artifact(output / "compose.yaml", "x")),
        lambda: remove_artifact(output / "compose.yaml"),
    ):
        with pytest.raises(OperationError, match=r"compose\.yaml: it is a symbolic link"):
            operation()
    assert (decoy / "compose.yaml").read_text() == "not sindri's\n"


def test_a_planted_manifest_cannot_name_files_outside(tmp_path: Path, decoy: Path) -> None:
    output = tmp_path / "project" / ".sindri" / "docker"
    output.mkdir(parents=True)
    relative = os.path.relpath(decoy / "precious.txt", output)
    (output / MANIFEST_NAME).write_text(f"{relative}\n{decoy / 'precious.txt'}\n")
    remove_artifacts(output)
    assert (decoy / "precious.txt").exists()


def test_a_file_where_the_directory_should_be_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".sindri").mkdir(parents=True)
    (project / ".sindri" / "docker").write_text("a file\n")
    with pytest.raises(OperationError, match="docker: it is not a directory"):
        write_artifact(Artifact(project / ".sindri" / "docker" / "compose.yaml", "x"))
    assert (project / ".sindri" / "docker").read_text() == "a file\n"


def test_a_copy_is_private_recorded_and_refused_through_a_link(tmp_path: Path, decoy: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    source = tmp_path / "key.pem"
    source.write_bytes(b"\x00binary\xff")
    output = project / ".sindri" / "docker"
    target = write_copy(source, output / "secret-files" / "KEY", 0o400)
    assert target.read_bytes() == b"\x00binary\xff"
    assert stat.S_IMODE(target.stat().st_mode) == 0o400
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert (output / MANIFEST_NAME).read_text() == "secret-files/KEY\n"
    remove_artifacts(output)
    assert not (project / ".sindri").exists()

    (project / ".sindri" / "docker").mkdir(parents=True)
    (project / ".sindri" / "docker" / "secret-files").symlink_to(decoy)
    with pytest.raises(OperationError, match="secret-files: it is a symbolic link"):
        write_copy(source, output / "secret-files" / "KEY", 0o400)
    assert _snapshot(decoy) == {"precious.txt": "keep me\n", "compose.yaml": "not sindri's\n"}
