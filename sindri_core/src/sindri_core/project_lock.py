"""One ``deploy``, ``destroy``, ``start`` or ``stop`` at a time per project.

Two deploys of one project would each roll back what the other created. The lock is a
``flock`` on a file in the cache directory named after the project directory's real path (not
in the project: ``destroy`` removes ``.sindri/`` and a lock file must never be deleted while
someone waits on it). The kernel releases it when its holder exits, however it exits. The
holder writes its pid and command into the file so a waiter can name it. A second run waits up
to ``SINDRI_LOCK_WAIT`` seconds (default 60), then refuses.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from sindri_core.cache_dir import cache_root
from sindri_core.errors import OperationError, UsageError

__all__ = ["LOCK_WAIT_ENV", "lock_path", "project_lock"]

LOCK_WAIT_ENV = "SINDRI_LOCK_WAIT"
DEFAULT_WAIT = 60.0
_POLL = 0.1  # flock cannot wait with a timeout; polling keeps the wait bounded


def lock_path(project_dir: Path) -> Path:
    key = hashlib.sha256(os.fsencode(project_dir.resolve())).hexdigest()[:32]
    return cache_root() / "locks" / f"project-{key}.lock"


def lock_wait() -> float:
    raw = os.environ.get(LOCK_WAIT_ENV, "")
    if not raw:
        return DEFAULT_WAIT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86400:
        raise UsageError(f"{LOCK_WAIT_ENV}={raw!r} is not a number of seconds from 0 to 86400")
    return value


def _holder(fd: int) -> str:
    text = os.pread(fd, 200, 0).decode("utf-8", errors="replace").strip()
    pid, _, command = text.partition(" ")
    if not pid.isdigit():
        return "another sindri process"
    return f"another sindri process (pid {pid}, {command or 'unknown command'})"


def _acquire(fd: int, project_dir: Path, on_wait: Callable[[str], None]) -> None:
    wait = lock_wait()
    deadline = time.monotonic() + wait
    announced = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = _holder(fd)
        if time.monotonic() >= deadline:
            raise OperationError(
                f"{holder} is working on the project {project_dir}; waited {wait:g} s "
                f"({LOCK_WAIT_ENV}); rerun when it has finished"
            )
        if not announced:
            on_wait(f"waiting up to {wait:g} s for {holder} working on this project")
            announced = True
        time.sleep(_POLL)


@contextlib.contextmanager
def project_lock(
    project_dir: Path, command: str, *, on_wait: Callable[[str], None]
) -> Iterator[None]:
    """Hold the project's lock while ``command`` runs.

    :param on_wait: told once, before waiting, who holds the lock.
    :raises OperationError: the lock was not free within the wait.
    """
    path = lock_path(project_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        _acquire(fd, project_dir, on_wait)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {command}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the lock
