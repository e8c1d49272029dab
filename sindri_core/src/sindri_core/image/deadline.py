"""One overall deadline for a command's registry work.

Per-read timeouts do not bound a registry that trickles one byte at a time, and per-request
retry budgets add up over the requests of one command (ping, token, tags, manifest). So the
registry requests of a command draw on one clock: ``SINDRI_REGISTRY_DEADLINE`` seconds
(default 120) from its first registry request. The CLI runs each command in a
:func:`deadline_scope`; a library caller may do the same around several calls, and otherwise
each :class:`~sindri_core.image.registry.RegistryClient` (one per resolution or
verification) gets its own clock. Imports nothing heavy: the CLI's root module uses it.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import time
from collections.abc import Iterator

__all__ = ["DEADLINE_ENV", "DEFAULT_DEADLINE", "Deadline", "command_deadline", "deadline_scope"]

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


class _Scope:
    """A scope's deadline, started by the scope's first registry request."""

    deadline: Deadline | None = None


_scope: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar(
    "sindri_registry_deadline", default=None
)


@contextlib.contextmanager
def deadline_scope() -> Iterator[None]:
    """Registry requests inside share one deadline (an enclosing scope's, if any)."""
    if _scope.get() is not None:
        yield
        return
    token = _scope.set(_Scope())
    try:
        yield
    finally:
        _scope.reset(token)


def command_deadline() -> Deadline:
    """The running scope's deadline (started now if this is its first registry request);
    outside a scope, a new one."""
    scope = _scope.get()
    if scope is None:
        return Deadline.from_env()
    if scope.deadline is None:
        scope.deadline = Deadline.from_env()
    return scope.deadline
