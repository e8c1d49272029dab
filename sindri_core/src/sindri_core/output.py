"""Human-facing output. Everything here goes to stderr; stdout carries results and ``--json``.

Steps (``step``) are the progress of a command. On a terminal each is shown when it starts;
without one (a CI log) each becomes one line when it ends well, with its duration; a step
that fails is followed by the error, its outcome (ADR 0019). ``-q`` and ``--json`` hide
them; warnings and errors are always shown. ``-v`` adds details: every external command run,
with its duration (written by the runner).
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import TextIO

__all__ = ["Console"]


class Console:
    """Writes progress, warnings and notes to stderr.

    :param verbosity: -1 quiet, 0 normal, 1 verbose.
    :param progress: a live terminal: steps are shown as they start and long-running tools
        may write to it (default: whether the stream is a terminal).
    :param steps: show steps at all; without ``progress`` as one line each when it ends
        (default: the same as ``progress``; the CLI turns it on unless ``-q``/``--json``).
    """

    def __init__(
        self,
        *,
        verbosity: int = 0,
        progress: bool | None = None,
        steps: bool | None = None,
        stream: TextIO | None = None,
    ) -> None:
        self._stream = stream
        self.verbosity = verbosity
        self.progress = self.stream.isatty() if progress is None else progress
        self.steps = self.progress if steps is None else steps
        self._open: tuple[str, float] | None = None

    @property
    def stream(self) -> TextIO:
        # Looked up late so pytest's and click's stream swaps are honoured.
        return self._stream or sys.stderr

    def _write(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    @property
    def _showing_steps(self) -> bool:
        return self.steps and self.verbosity >= 0

    def step(self, message: str) -> None:
        """A step of a long operation begins (clone, build, push, wait); the previous one,
        if still open, ended well."""
        if not self._showing_steps:
            return
        self.end_step(ok=True)
        if self.progress:
            self._write(f"» {message}")
        self._open = (message, time.monotonic())

    def end_step(self, *, ok: bool) -> None:
        """The open step ended. Without a terminal, a step that ended well becomes its line
        with its duration; a failed one says nothing: the error that follows is its outcome
        (and a failure stays one line on stderr)."""
        if self._open is not None:
            message, started = self._open
            self._open = None
            if ok:
                self._done(message, started)

    def _done(self, message: str, started: float) -> None:
        if not self.progress:
            self._write(f"» {message}: done ({time.monotonic() - started:.1f}s)")

    @contextlib.contextmanager
    def operation(self, message: str) -> Iterator[None]:
        """A whole operation (deploy, stop, ...), made of the steps taken inside it: shown
        when it starts on a terminal, else as one line when it ends, after its steps."""
        if not self._showing_steps:
            yield
            return
        if self.progress:
            self._write(f"» {message}")
        started = time.monotonic()
        try:
            yield
        except BaseException:
            self.end_step(ok=False)
            raise
        self.end_step(ok=True)
        self._done(message, started)

    def info(self, message: str) -> None:
        """A fact the user asked to see; hidden by ``-q``."""
        if self.verbosity >= 0:
            self._write(message)

    def detail(self, message: str) -> None:
        """Only with ``-v``."""
        if self.verbosity > 0:
            self._write(f"  {message}")

    def warn(self, message: str) -> None:
        self._write(f"warning: {message}")

    def error(self, message: str) -> None:
        self._write(f"error: {message}")
