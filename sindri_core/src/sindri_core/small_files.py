"""Reading small text files a project points at (``sindri.yaml``, ``.env``, ``fromFile``).

They come from repositories sindri did not write, so each read is bounded, a directory or a
binary file is a reason in words rather than an exception from deep inside, and the caller
turns the reason into its own one-line configuration error.
"""

from __future__ import annotations

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
    """The UTF-8 text of ``path``; never reads more than ``limit`` + 1 bytes.

    :raises NotSmallText: a directory, unreadable, larger than ``limit``, or not UTF-8.
    """
    if path.is_dir():
        raise NotSmallText("is a directory, not a file")
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise NotSmallText(f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise NotSmallText(f"is larger than {_size(limit)}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotSmallText(f"is not UTF-8 text (byte {exc.start + 1} is invalid)") from None
