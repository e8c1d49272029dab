"""One overall deadline for a command's registry work.

Per-read timeouts do not bound a registry that trickles one byte at a time, and per-request
retry budgets add up over the requests of one command (ping, token, tags, manifest). So every
registry request of a command draws on one clock: ``SINDRI_REGISTRY_DEADLINE`` seconds
(default 120) from the command's first registry request. The CLI starts a fresh clock per
command; a library caller gets one clock per process unless it calls :func:`reset_deadline`.
Imports nothing heavy: the CLI's root module uses it.
"""

from __future__ import annotations

import os
import time

__all__ = ["DEADLINE_ENV", "DEFAULT_DEADLINE", "Deadline", "command_deadline", "reset_deadline"]

DEADLINE_ENV = "SINDRI_REGISTRY_DEADLINE"
DEFAULT_DEADLINE = 120.0


class Deadline:
    """A point in time (monotonic clock) ``seconds`` from its creation."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._ends - time.monotonic()

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def describe(self) -> str:
        return f"the registry deadline of {self.seconds:g}s ({DEADLINE_ENV})"

    @classmethod
    def from_env(cls) -> Deadline:
        """:raises UsageError: the variable is not a positive number of seconds."""
        raw = os.environ.get(DEADLINE_ENV, "")
        if not raw:
            return cls(DEFAULT_DEADLINE)
        try:
            seconds = float(raw)
        except ValueError:
            seconds = 0.0
        if not 0 < seconds <= 86400:
            from sindri_core.errors import UsageError

            raise UsageError(
                f"{DEADLINE_ENV}={raw!r}: expected a number of seconds from 0 to 86400"
            )
        return cls(seconds)


_current: Deadline | None = None


def command_deadline() -> Deadline:
    """The running command's deadline, started by its first registry request."""
    global _current
    if _current is None:
        _current = Deadline.from_env()
    return _current


def reset_deadline() -> None:
    """Start a new command: its first registry request starts a new clock."""
    global _current
    _current = None
