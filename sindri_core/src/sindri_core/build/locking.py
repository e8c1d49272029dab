"""Advisory file locks (``flock``) for cache entries shared by concurrent sindri processes.

The kernel releases a ``flock`` when its holder exits, however it exits (SIGKILL included), so
a lock never outlives a killed fetch and "can I take the lock?" tells whether a temporary
directory's owner is still alive. Lock files are never deleted: removing one while another
process waits on it would let two processes hold "the" lock. Linux and macOS only.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["exclusive_lock", "try_exclusive_lock"]


def _open(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


@contextlib.contextmanager
def exclusive_lock(path: Path, *, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path``, waiting for it if needed.

    :param on_wait: called once before blocking, so the user learns why nothing happens.
    """
    fd = _open(path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextlib.contextmanager
def try_exclusive_lock(path: Path) -> Iterator[bool]:
    """Take the lock on ``path`` only if it is free; yields whether it was taken."""
    fd = _open(path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
        else:
            yield True
    finally:
        os.close(fd)
