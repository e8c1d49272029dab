"""One ``deploy``, ``destroy``, ``start`` or ``stop`` at a time per project.

Two deploys of one project would each roll back what the other created. The lock is a
``flock`` on a file in the cache directory named after the project directory's real path (not
in the project: ``destroy`` removes ``.sindri/`` and a lock file must never be deleted while
someone waits on it). The kernel releases it when its holder exits, however it exits. The
holder writes its pid and command into the file so a waiter can name it. A second run waits up
to ``SINDRI_LOCK_WAIT`` seconds (default 60), then refuses.

Two directories may name the same deployment (``name`` in sindri.yaml); the provider refuses
the second (it belongs to the first), but only once the first has created something. So a
second lock, named after the provider and the deployment name, is held too: two first deploys
of one name from two directories run one after the other, and the second then refuses.

The lock files are opened without following a link and must be regular files: the cache
directory is the user's, but a link planted there must not let ``ftruncate`` empty another
file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import stat
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


def deployment_lock_path(deployment: str) -> Path:
    """The lock of a deployment (``<provider>/<name>``), whichever directory deploys it."""
    key = hashlib.sha256(deployment.encode()).hexdigest()[:32]
    return cache_root() / "locks" / f"deployment-{key}.lock"


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


def _acquire(fd: int, what: str, nearby: str, on_wait: Callable[[str], None]) -> None:
    """Wait for the lock; ``what`` names it in the refusal, ``nearby`` in the wait notice."""
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
                f"{holder} is working on {what}; waited {wait:g} s "
                f"({LOCK_WAIT_ENV}); rerun when it has finished"
            )
        if not announced:
            on_wait(f"waiting up to {wait:g} s for {holder} working on {nearby}")
            announced = True
        time.sleep(_POLL)


def _open_lock(path: Path) -> int:
    """The lock file's descriptor: created if needed, never through a link.

    :raises OperationError: one line naming the file or its directory, and the variable that
        moves it.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refusal(path, "it is a symbolic link") from None
        raise OperationError(
            f"cannot create the lock file in {path.parent}: {exc.strerror}; make it a writable "
            "directory, or point SINDRI_CACHE_DIR at one"
        ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _refusal(path, "it is not a regular file")
    return fd


def _refusal(path: Path, reason: str) -> OperationError:
    return OperationError(
        f"refusing to use the lock file {path}: {reason}; remove it and rerun (or point "
        "SINDRI_CACHE_DIR at another directory)"
    )


@contextlib.contextmanager
def _held(
    path: Path, what: str, nearby: str, command: str, on_wait: Callable[[str], None]
) -> Iterator[None]:
    fd = _open_lock(path)
    try:
        _acquire(fd, what, nearby, on_wait)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {command}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextlib.contextmanager
def project_lock(
    project_dir: Path,
    command: str,
    *,
    on_wait: Callable[[str], None],
    deployment: str | None = None,
) -> Iterator[None]:
    """Hold the project's lock, and the lock of ``deployment`` (``<provider>/<name>``) when
    given, while ``command`` runs. Always taken in this order, so two runs never wait on
    each other's second lock.

    :param on_wait: told once per lock, before waiting, who holds it.
    :raises OperationError: a lock was not free within the wait, or its file cannot be used.
    """
    project = f"the project {project_dir}"
    with _held(lock_path(project_dir), project, "this project", command, on_wait):
        if deployment is None:
            yield
            return
        path = deployment_lock_path(deployment)
        what = f"the deployment {deployment}"
        with _held(path, what, f"{what} (from another directory)", command, on_wait):
            yield
