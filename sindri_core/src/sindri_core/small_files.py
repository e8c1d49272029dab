"""Reading small text files a project points at (``sindri.yaml``, ``.env``, ``fromFile``).

They come from repositories sindri did not write, so each read is bounded, only a regular file
is read (a FIFO or a device such as ``/dev/stdin`` is refused without waiting on it), a
directory or a binary file is a reason in words rather than an exception from deep inside,
and the caller turns the reason into its own one-line configuration error. Links are
followed: the user's own files may well be links (a dotfile manager's).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["NotSmallText", "read_small_text"]


class NotSmallText(Exception):
    """Why a file is not small UTF-8 text, as words that follow "the file": ``is a
    directory``, ``is larger than 1 MiB``, ..."""


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit // 1024 // 1024} MiB"
    return f"{limit // 1024} KiB"


def read_small_text(path: Path, limit: int) -> str:
    """The UTF-8 text of ``path``; never reads more than ``limit`` + 1 bytes, never blocks.

    :raises NotSmallText: a directory, not a regular file, unreadable, larger than ``limit``,
        or not UTF-8.
    """
    if path.is_dir():
        raise NotSmallText("is a directory, not a file")
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise NotSmallText(f"cannot be read: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise NotSmallText("is not a regular file (a FIFO, a device or a socket)")
        data = _read_up_to(handle, limit + 1)
    except OSError as exc:
        raise NotSmallText(f"cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(handle)
    if len(data) > limit:
        raise NotSmallText(f"is larger than {_size(limit)}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotSmallText(f"is not UTF-8 text (byte {exc.start + 1} is invalid)") from None


def _read_up_to(handle: int, size: int) -> bytes:
    chunks, received = [], 0
    while received < size:
        chunk = os.read(handle, size - received)
        if not chunk:
            break
        chunks.append(chunk)
        received += len(chunk)
    return b"".join(chunks)
