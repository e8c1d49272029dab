"""Human-facing output. Everything here goes to stderr; stdout carries results and ``--json``.

Progress lines (``step``) are shown on a terminal only, and never under ``-q`` or ``--json``;
warnings and errors are always shown.
"""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["Console"]


class Console:
    """Writes progress, warnings and notes to stderr.

    :param verbosity: -1 quiet, 0 normal, 1 verbose.
    :param progress: show progress steps (a terminal, not ``--json``).
    """

    def __init__(
        self,
        *,
        verbosity: int = 0,
        progress: bool | None = None,
        stream: TextIO | None = None,
    ) -> None:
        self._stream = stream
        self.verbosity = verbosity
        self.progress = self.stream.isatty() if progress is None else progress

    @property
    def stream(self) -> TextIO:
        # Looked up late so pytest's and click's stream swaps are honoured.
        return self._stream or sys.stderr

    def _write(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def step(self, message: str) -> None:
        """Progress of a long operation (clone, build, push, wait)."""
        if self.progress and self.verbosity >= 0:
            self._write(f"» {message}")

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
