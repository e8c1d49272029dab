"""Generated files stay inside ``<project>/.sindri/<provider>/``: links on the way are refused
and destroy removes only what deploy recorded."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from sindri_core.artifacts import (
    MANIFEST_NAME,
    READ_BACK_LIMIT,
    check_output_dir,
    read_artifact,
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


# -- reading back what a repository may have planted (issue 24) ---------------------------------


@pytest.fixture
def output(tmp_path: Path) -> Path:
    directory = tmp_path / "project" / ".sindri" / "docker"
    directory.mkdir(parents=True)
    return directory


@pytest.mark.parametrize(
    ("plant", "reason"),
    [
        (lambda p: p.symlink_to("/dev/zero"), "it is a symbolic link"),
        (lambda p: p.symlink_to("/dev/stdin"), "it is a symbolic link"),
        (lambda p: os.mkfifo(p), "it is not a regular file"),
        (lambda p: p.mkdir(), "it is not a regular file"),
        (lambda p: p.write_bytes(b"x" * (READ_BACK_LIMIT + 1)), "it is larger than 1024 KiB"),
    ],
    ids=["dev-zero", "dev-stdin", "fifo", "directory", "oversized"],
)
def test_a_planted_file_is_refused_by_name_without_reading_it(
    output: Path, plant: Any, reason: str
) -> None:
    plant(output / "compose.yaml")
    with pytest.raises(OperationError, match=f"compose.yaml: {reason}"):
        read_artifact(output / "compose.yaml")


def test_a_file_is_read_back_and_an_absent_one_is_none(output: Path) -> None:
    (output / "compose.yaml").write_bytes(b"services: {}\n")
    assert read_artifact(output / "compose.yaml") == b"services: {}\n"
    assert read_artifact(output / "absent.yaml") is None
    assert read_artifact(output / "sub" / "absent.yaml") is None


def test_an_oversized_manifest_is_rebuilt_so_destroy_removes_the_secrets(output: Path) -> None:
    (output / MANIFEST_NAME).write_text("x" * 80 + "\n" * 1 + "padding\n" * 9000)  # > 64 KiB
    write_artifact(Artifact(output / "compose.yaml", "services: {}\n"))
    write_artifact(Artifact(output / "secrets.env", "A=1\n", mode=0o600))
    assert (output / MANIFEST_NAME).read_text() == "compose.yaml\nsecrets.env\n"

    removal = remove_artifacts(output)

    assert not (output.parent.parent / ".sindri").exists(), removal


def test_an_untrusted_manifest_at_destroy_falls_back_to_the_known_files(output: Path) -> None:
    (output / "secrets.env").write_text("A=1\n")
    (output / "notes.txt").write_text("mine\n")
    (output / MANIFEST_NAME).write_bytes(b"\xff\xfe not UTF-8")

    removal = remove_artifacts(output, known=("compose.yaml", "secrets.env"))

    assert sorted(p.name for p in output.iterdir()) == ["notes.txt"]
    assert any("not UTF-8" in note for note in removal.notes())
    assert removal.left == ("notes.txt",)


@pytest.mark.parametrize(
    "manifest_is",
    ["a-directory", "a-link", "a-fifo"],
)
def test_a_manifest_that_is_not_a_file_is_reported_and_destroy_goes_on(
    output: Path, manifest_is: str
) -> None:
    (output / "secrets.env").write_text("A=1\n")
    manifest = output / MANIFEST_NAME
    {
        "a-directory": lambda: (manifest / "sub").mkdir(parents=True),
        "a-link": lambda: manifest.symlink_to("/dev/zero"),
        "a-fifo": lambda: os.mkfifo(manifest),
    }[manifest_is]()

    removal = remove_artifacts(output, known=("secrets.env",))

    assert not (output / "secrets.env").exists()
    assert removal.skipped


def test_hostile_manifest_lines_are_skipped_and_the_rest_removed(output: Path) -> None:
    for name in ("a.txt", "z.txt"):
        (output / name).write_text("generated\n")
    (output / "dir").mkdir()
    (output / "link").symlink_to(output / "a.txt")
    lines = ["dir", "link", "nul\0name", "n" * 300, "a.txt", "z.txt"]
    (output / MANIFEST_NAME).write_text("\n".join(lines) + "\n")

    removal = remove_artifacts(output)

    assert sorted(p.name for p in output.iterdir()) == ["dir", "link"]
    notes = "\n".join(removal.notes())
    for reason in ("dir: it is not a regular file", "link: it is a symbolic link"):
        assert reason in notes
    assert "control character" in notes
    assert "longer than 255 bytes" in notes
