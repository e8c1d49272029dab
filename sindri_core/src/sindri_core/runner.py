"""Running external commands: argv lists only, always with a timeout, never through a shell.

Providers receive a :class:`CommandRunner` in their context and run every tool through it, so
timeouts, error messages and secret handling are the same everywhere, and tests can record
what would have run. With ``-v`` the runner shows every command it runs and how long it took
(credentials in URLs masked; secrets never reach argv: they go on stdin or into files).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from sindri_core.errors import ExternalCommandError

if TYPE_CHECKING:
    from sindri_core.output import Console

__all__ = ["CommandResult", "CommandRunner"]

DEFAULT_TIMEOUT = 120.0


@attrs.frozen
class CommandResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def check(self) -> None:
        """:raises ExternalCommandError: the command failed (its last lines say how)."""
        if not self.ok:
            detail = self.last_lines()
            raise ExternalCommandError(
                f"{describe(self.argv)} failed with exit status {self.returncode}"
                + (f": {detail}" if detail else "")
            )

    def last_lines(self, count: int = 5) -> str:
        text = (self.stderr or self.stdout).strip().splitlines()
        return " | ".join(line.strip() for line in text[-count:])


class CommandRunner:
    """Runs argv lists with a timeout.

    :param env: extra environment for every command (merged over ``os.environ``).
    :param console: where ``-v`` shows each command run and its duration.
    """

    def __init__(
        self, env: Mapping[str, str] | None = None, *, console: Console | None = None
    ) -> None:
        self._env = dict(env or {})
        self._console = console

    def _shown(self, argv: Sequence[str], started: float, outcome: str) -> None:
        if self._console is not None:
            elapsed = time.monotonic() - started
            self._console.detail(f"$ {shown_argv(argv)}  ({outcome}, {elapsed:.2f}s)")

    def which(self, program: str) -> str | None:
        return shutil.which(program)

    def run(
        self,
        argv: Sequence[str],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        input: str | None = None,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
        stream: bool = False,
    ) -> CommandResult:
        """Run ``argv`` and return its result.

        :param input: text fed on stdin: the way secrets reach a tool.
        :param check: raise :class:`ExternalCommandError` on a non-zero exit.
        :param stream: let the tool write to the terminal (stderr) instead of capturing;
            for long builds. ``stdout`` and ``stderr`` are then empty.
        :raises ExternalCommandError: the tool is missing, timed out, or failed with ``check``.
        """
        argv = tuple(str(part) for part in argv)
        full_env = {**os.environ, **self._env, **(env or {})}
        # Streamed output goes to stderr: stdout is reserved for results and --json.
        outputs = {"stdout": sys.stderr, "stderr": None} if stream else {"capture_output": True}
        started = time.monotonic()
        try:
            completed = subprocess.run(
                argv,
                input=input,
                stdin=None if input is not None else subprocess.DEVNULL,
                text=True,
                timeout=timeout,
                cwd=cwd,
                env=full_env,
                check=False,
                **outputs,
            )
        except FileNotFoundError:
            self._shown(argv, started, "not found")
            raise ExternalCommandError(f"{argv[0]}: command not found") from None
        except subprocess.TimeoutExpired:
            self._shown(argv, started, "timed out")
            raise ExternalCommandError(
                f"{describe(argv)} did not finish within {timeout:g}s"
            ) from None
        result = CommandResult(
            argv=argv,
            returncode=completed.returncode,
            stdout=completed.stdout or "",
            stderr=completed.stderr or "",
        )
        self._shown(argv, started, f"exit {result.returncode}")
        if check:
            result.check()
        return result

    def interactive(self, argv: Sequence[str], *, cwd: Path | None = None) -> int:
        """Hand the terminal to ``argv`` (``connect``); returns its exit status."""
        started = time.monotonic()
        try:
            status = subprocess.call(tuple(argv), cwd=cwd, env={**os.environ, **self._env})
        except FileNotFoundError:
            self._shown(argv, started, "not found")
            raise ExternalCommandError(f"{argv[0]}: command not found") from None
        self._shown(argv, started, f"exit {status}")
        return status


_URL_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


def shown_argv(argv: Sequence[str]) -> str:
    """``argv`` as a shell would read it, with any ``user:token@`` of a URL masked."""
    return shlex.join(_URL_CREDENTIALS.sub("***@", str(part)) for part in argv)


def describe(argv: Sequence[str], words: int = 3) -> str:
    """A short name for a command in messages: ``docker compose up``."""
    return "`" + " ".join(argv[:words]) + "`"
