"""Writing generated files under ``<project>/.sindri/<provider>/``, and only there.

Files are written atomically (temporary file, then rename) with an explicit mode, so a
crash never leaves half a compose file, and secret files are never world-readable, not even
for an instant.

A repository can ship ``.sindri/<provider>`` (or ``.sindri`` itself) as a symbolic link to any
directory. Every directory below the project is therefore opened relative to its parent with
``O_NOFOLLOW``, so a link anywhere on the path is refused with an error naming it, and nothing
is written or removed through it (no check-then-use race either). ``destroy`` removes only the
files a deploy recorded in the directory's manifest; anything else found there stays.

Files read back from there (a compose file plan compares, a deploy record, the manifest) may
have been planted by the repository too: :func:`read_artifact` reads them without following a
link, without blocking on a FIFO or a device, and never more than a bound.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import attrs

from sindri_core.errors import OperationError
from sindri_core.lifecycle import Artifact

__all__ = [
    "MANIFEST_NAME",
    "READ_BACK_LIMIT",
    "Removal",
    "check_output_dir",
    "read_artifact",
    "remove_artifact",
    "remove_artifacts",
    "write_artifact",
    "write_artifacts",
    "write_copy",
]

SINDRI_DIR = ".sindri"
MANIFEST_NAME = ".sindri-files"  # the files deploy wrote, relative to the provider directory
MANIFEST_LIMIT = 64 * 1024
READ_BACK_LIMIT = 1024 * 1024  # a generated file is a few KiB; 1 MiB is generous
_NAME_MAX = 255  # bytes of one path component (Linux, macOS)
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


def _read_at(fd: int, name: str, path: Path, limit: int) -> bytes | None:
    """The bytes of regular file ``name`` below ``fd``; ``None`` when it does not exist.

    Checked before it is opened and again on the descriptor, so a link, FIFO or device put
    there is refused without being read (nor waited on: ``O_NONBLOCK``).
    """
    if not _exists_as_file(fd, name, path):
        return None
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        handle = os.open(name, flags, dir_fd=fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refusal(path, "it is a symbolic link") from None
        raise OperationError(f"cannot read {path}: {exc.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise _refusal(path, "it is not a regular file")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(handle, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(handle)
    if size > limit:
        raise _refusal(path, f"it is larger than {limit // 1024} KiB, more than sindri writes")
    return b"".join(chunks)


def read_artifact(path: Path, *, limit: int = READ_BACK_LIMIT) -> bytes | None:
    """The bytes of a file under ``<project>/.sindri/<provider>/``; ``None`` when it (or its
    directory) does not exist. Follows no link, never blocks, reads at most ``limit`` bytes.

    :raises OperationError: a link on the way or in its place, anything but a regular file
        there (a FIFO, a device, a directory), or more than ``limit`` bytes; the message
        names the file.
    """
    project, parts, name = _split(path)
    with _directory(project, project, parts, create=False) as fd:
        return None if fd is None else _read_at(fd, name, path, limit)


@attrs.frozen
class _Manifest:
    """The manifest's usable lines; ``sound`` is false when the file itself could not be
    trusted (too large, not a file, not UTF-8), ``problems`` says why and which lines were
    skipped."""

    entries: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    sound: bool = True


def _read_manifest(fd: int, directory: Path) -> _Manifest:
    path = directory / MANIFEST_NAME
    try:
        data = _read_at(fd, MANIFEST_NAME, path, MANIFEST_LIMIT)
        text = "" if data is None else data.decode("utf-8")
    except OperationError as exc:
        return _Manifest(problems=(exc.message,), sound=False)
    except UnicodeDecodeError:
        return _Manifest(problems=(f"{path} is not UTF-8 text",), sound=False)
    entries, problems = [], []
    for line in text.splitlines():
        reason = _unrecordable(line)
        if reason is None:
            entries.append(line)
        else:
            problems.append(f"skipped line {line[:80]!r} of {path}: {reason}")
    return _Manifest(tuple(dict.fromkeys(entries)), tuple(problems))


def _unrecordable(relative: str) -> str | None:
    """Why a manifest line cannot name a file sindri wrote; ``None`` when it can."""
    parts = relative.split("/")
    if relative.startswith("/") or any(part in ("..", ".", "") for part in parts):
        return "not a path inside the directory"
    if any(ord(char) < 0x20 or char == "\x7f" for char in relative):
        return "it holds a control character"
    if any(len(os.fsencode(part)) > _NAME_MAX for part in parts):
        return f"a name longer than {_NAME_MAX} bytes"
    if relative == MANIFEST_NAME:
        return "the manifest itself"
    return None


def _record(fd: int, relative: str, directory: Path) -> None:
    """Add ``relative`` to the manifest; one that cannot be trusted is started afresh rather
    than appended to (what follows an unread part would be invisible to destroy)."""
    manifest = _read_manifest(fd, directory)
    if relative in manifest.entries and manifest.sound and not manifest.problems:
        return
    recorded = [*manifest.entries, relative] if manifest.sound else [relative]
    content = "".join(f"{line}\n" for line in dict.fromkeys(recorded)).encode()
    path = directory / MANIFEST_NAME
    if not manifest.sound:
        _unlink_anything(fd, MANIFEST_NAME)
    _write_at(fd, MANIFEST_NAME, content, 0o644, path)


def _unlink_anything(fd: int, name: str) -> None:
    """Remove a planted non-file manifest (a link, a FIFO, an empty directory) so it can be
    written; a non-empty directory stays and the write below refuses it."""
    try:
        os.unlink(name, dir_fd=fd)
    except FileNotFoundError:
        return
    except OSError:
        with contextlib.suppress(OSError):
            os.rmdir(name, dir_fd=fd)


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


@attrs.frozen
class Removal:
    """What :func:`remove_artifacts` could not do: ``skipped`` says which recorded files it
    left and why, ``left`` names the files in the directory sindri did not write."""

    skipped: tuple[str, ...] = ()
    left: tuple[str, ...] = ()

    def notes(self) -> tuple[str, ...]:
        """One line per problem, for a warning or a result message."""
        left = (
            (f"left {', '.join(self.left)}: sindri did not write it (remove it yourself)",)
            if self.left
            else ()
        )
        return (*self.skipped, *left)


def remove_artifacts(
    directory: Path, *, known: Iterable[str] = (), warn: Callable[[str], None] | None = None
) -> Removal:
    """Remove the files deploy recorded in a provider's directory (``destroy``), then the
    directories left empty; files sindri did not record stay where they are.

    A manifest line that cannot name a file of ours, or names a link or a directory, is
    skipped and reported; the rest is removed. A manifest that cannot be trusted as a whole
    (too large, not a file, not UTF-8) is replaced by ``known``: the paths, relative to
    ``directory``, that the provider writes, so a secrets file never outlives it.

    :param warn: told each of :meth:`Removal.notes` (a provider that does not report them in
        its result).
    """
    project, parts, _ = _split(directory / "_")
    with _directory(project, project, parts, create=False) as fd:
        if fd is None:
            return Removal()
        manifest = _read_manifest(fd, directory)
        entries = manifest.entries if manifest.sound else tuple(known)
        skipped = list(manifest.problems)
        for relative in entries:
            try:
                _remove_recorded(fd, directory, relative)
            except (OperationError, OSError) as exc:
                reason = exc.message if isinstance(exc, OperationError) else exc.strerror
                skipped.append(f"skipped {directory / relative}: {reason}")
        try:
            os.unlink(MANIFEST_NAME, dir_fd=fd)
        except FileNotFoundError:
            pass
        except OSError as exc:
            skipped.append(f"left {directory / MANIFEST_NAME}: {exc.strerror}")
        left = tuple(sorted(n for n in os.listdir(fd) if n != MANIFEST_NAME))  # noqa: PTH208
    removal = Removal(tuple(skipped), left)
    if warn is not None:
        for note in removal.notes():
            warn(note)
    with _directory(project, project, parts[:1], create=False) as sindri_fd:
        if sindri_fd is None or not _rmdir_if_empty(sindri_fd, parts[1]):
            return removal
    with _directory(project, project, (), create=False) as project_fd:
        assert project_fd is not None
        _rmdir_if_empty(project_fd, SINDRI_DIR)
    return removal


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
