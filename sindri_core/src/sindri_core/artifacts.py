"""Writing generated files under ``<project>/.sindri/<provider>/``, and only there.

Files are written atomically (temporary file, then rename) with an explicit mode, so a
crash never leaves half a compose file, and secret files are never world-readable, not even
for an instant.

A repository can ship ``.sindri/<provider>`` (or ``.sindri`` itself) as a symbolic link to any
directory. Every directory below the project is therefore opened relative to its parent with
``O_NOFOLLOW``, so a link anywhere on the path is refused with an error naming it, and nothing
is written or removed through it (no check-then-use race either). ``destroy`` removes only the
files a deploy recorded in the directory's manifest; anything else found there stays.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from sindri_core.errors import OperationError
from sindri_core.lifecycle import Artifact

__all__ = [
    "MANIFEST_NAME",
    "check_output_dir",
    "remove_artifact",
    "remove_artifacts",
    "write_artifact",
    "write_artifacts",
    "write_copy",
]

SINDRI_DIR = ".sindri"
MANIFEST_NAME = ".sindri-files"  # the files deploy wrote, relative to the provider directory
MANIFEST_LIMIT = 64 * 1024
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _split(path: Path) -> tuple[Path, tuple[str, ...], str]:
    """``(project, (".sindri", provider, *subdirs), name)`` of a generated file's path."""
    parts = path.parts
    for index in range(len(parts) - 3, -1, -1):
        if parts[index] == SINDRI_DIR:
            directories, name = parts[index:-1], parts[-1]
            if any(part in ("..", ".") for part in (*directories, name)):
                break
            return Path(*parts[:index]), directories, name
    raise ValueError(f"{path} is not inside <project>/.sindri/<provider>/")


def _refusal(path: Path, reason: str) -> OperationError:
    return OperationError(
        f"refusing to use {path}: {reason}; sindri writes only inside "
        "<project>/.sindri/<provider>/ and follows no links there (remove it and rerun)"
    )


def _open_child(parent_fd: int, name: str, path: Path, *, create: bool) -> int | None:
    """Open directory ``name`` below ``parent_fd`` without following a link (``None`` when it
    does not exist and ``create`` is false)."""
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o755, dir_fd=parent_fd)
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            link = stat.S_ISLNK(os.stat(name, dir_fd=parent_fd, follow_symlinks=False).st_mode)
            raise _refusal(
                path, "it is a symbolic link" if link else "it is not a directory"
            ) from None
        raise OperationError(f"cannot open {path}: {exc.strerror}") from None


def _walk(fd: int, base: Path, parts: Iterable[str], *, create: bool) -> int | None:
    """Descend from ``fd`` (consumed) through ``parts``, each opened without following a
    link; ``None`` when one does not exist and ``create`` is false."""
    walked = base
    for part in parts:
        walked = walked / part
        try:
            child = _open_child(fd, part, walked, create=create)
        finally:
            os.close(fd)
        if child is None:
            return None
        fd = child
    return fd


@contextlib.contextmanager
def _directory(
    start: Path | int, base: Path, parts: Iterable[str], *, create: bool
) -> Iterator[int | None]:
    """A descriptor of ``base/parts...``, starting from the path or descriptor ``start``."""
    if isinstance(start, int):
        first = os.dup(start)
    else:
        first = os.open(start, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    fd = _walk(first, base, parts, create=create)
    try:
        yield fd
    finally:
        if fd is not None:
            os.close(fd)


def check_output_dir(directory: Path) -> None:
    """Refuse a provider directory reached through a link, or one that is not a directory.

    Called before a lifecycle command changes anything, so the refusal comes before any work.
    """
    project, parts, _ = _split(directory / "_")
    with _directory(project, project, parts, create=False):
        pass


def _exists_as_file(fd: int, name: str, path: Path) -> bool:
    """Whether ``name`` exists below ``fd``; a link or anything but a file there is refused."""
    try:
        info = os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(info.st_mode):
        raise _refusal(path, "it is a symbolic link")
    if not stat.S_ISREG(info.st_mode):
        raise _refusal(path, "it is not a regular file")
    return True


def _write_at(fd: int, name: str, data: bytes, mode: int, path: Path) -> None:
    _exists_as_file(fd, name, path)
    tmp = f".{name}.{os.urandom(6).hex()}"
    handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode, dir_fd=fd)
    try:
        try:
            os.fchmod(handle, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)
        os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=fd)
        raise


def _read_manifest(fd: int) -> list[str]:
    try:
        handle = os.open(MANIFEST_NAME, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
    except OSError:
        return []  # none yet, or a link planted there: nothing is recorded as ours
    try:
        text = os.read(handle, MANIFEST_LIMIT).decode("utf-8", errors="replace")
    finally:
        os.close(handle)
    return [line for line in text.splitlines() if _recordable(line)]


def _recordable(relative: str) -> bool:
    return (
        not relative.startswith("/")
        and all(part not in ("..", ".", "") for part in relative.split("/"))
        and relative != MANIFEST_NAME
    )


def _record(fd: int, relative: str, directory: Path) -> None:
    recorded = _read_manifest(fd)
    if relative not in recorded:
        content = "".join(f"{line}\n" for line in [*recorded, relative]).encode()
        _write_at(fd, MANIFEST_NAME, content, 0o644, directory / MANIFEST_NAME)


def write_artifact(artifact: Artifact) -> Path:
    """Write one generated file and record it in its provider directory's manifest.

    :raises OperationError: a link (or a non-directory) on the way, or a link in its place.
    """
    return _write_recorded(artifact.path, artifact.content.encode("utf-8"), artifact.mode)


def write_copy(source: Path, target: Path, mode: int) -> Path:
    """``source``'s bytes at ``target`` with ``mode``, written and recorded like a generated
    file, in a directory only its owner can enter: for a runtime that mounts a host file with
    the file's own mode (a bind mount) when it must have another.

    :raises OperationError: a link (or a non-directory) on the way, or a link in its place.
    """
    return _write_recorded(target, source.read_bytes(), mode, private=True)


def _write_recorded(path: Path, data: bytes, mode: int, *, private: bool = False) -> Path:
    project, parts, name = _split(path)
    directory = project.joinpath(*parts[:2])
    with _directory(project, project, parts[:2], create=True) as provider_fd:
        assert provider_fd is not None  # created when missing
        _record(provider_fd, "/".join((*parts[2:], name)), directory)
        with _directory(provider_fd, directory, parts[2:], create=True) as fd:
            assert fd is not None
            if private:
                os.fchmod(fd, 0o700)
            _write_at(fd, name, data, mode, path)
    return path


def write_artifacts(artifacts: Iterable[Artifact]) -> list[Path]:
    return [write_artifact(artifact) for artifact in artifacts]


def remove_artifact(path: Path) -> None:
    """Remove one generated file (a secrets file no longer needed); absent is fine."""
    project, parts, name = _split(path)
    with _directory(project, project, parts, create=False) as fd:
        if fd is not None and _exists_as_file(fd, name, path):
            os.unlink(name, dir_fd=fd)


def remove_artifacts(directory: Path) -> None:
    """Remove the files deploy recorded in a provider's directory (``destroy``), then the
    directories left empty; files sindri did not record stay where they are."""
    project, parts, _ = _split(directory / "_")
    with _directory(project, project, parts, create=False) as fd:
        if fd is None:
            return
        for relative in _read_manifest(fd):
            _remove_recorded(fd, directory, relative)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(MANIFEST_NAME, dir_fd=fd)
    with _directory(project, project, parts[:1], create=False) as sindri_fd:
        if sindri_fd is None or not _rmdir_if_empty(sindri_fd, parts[1]):
            return
    with _directory(project, project, (), create=False) as project_fd:
        assert project_fd is not None
        _rmdir_if_empty(project_fd, SINDRI_DIR)


def _remove_recorded(fd: int, directory: Path, relative: str) -> None:
    *subdirs, name = relative.split("/")
    with _directory(fd, directory, subdirs, create=False) as parent:
        if parent is None:
            return
        if _exists_as_file(parent, name, directory / relative):
            os.unlink(name, dir_fd=parent)
    for depth in range(len(subdirs), 0, -1):  # its subdirectories, deepest first, when empty
        with _directory(fd, directory, subdirs[: depth - 1], create=False) as parent:
            if parent is None or not _rmdir_if_empty(parent, subdirs[depth - 1]):
                return


def _rmdir_if_empty(fd: int, name: str) -> bool:
    """Remove directory ``name`` below ``fd`` if it is empty; whether it is gone."""
    try:
        os.rmdir(name, dir_fd=fd)
    except FileNotFoundError:
        return True
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
            return False  # not empty, or a link: left alone
        raise
    return True
