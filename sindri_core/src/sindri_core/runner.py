"""Running external commands: argv lists only, always with a timeout, never through a shell.

Providers receive a :class:`CommandRunner` in their context and run every tool through it, so
timeouts, error messages and secret handling are the same everywhere, and tests can record
what would have run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs

from sindri_core.errors import ExternalCommandError

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

    def last_lines(self, count: int = 5) -> str:
        text = (self.stderr or self.stdout).strip().splitlines()
        return " | ".join(line.strip() for line in text[-count:])


class CommandRunner:
    """Runs argv lists with a timeout.

    :param env: extra environment for every command (merged over ``os.environ``).
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self._env = dict(env or {})

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
            raise ExternalCommandError(f"{argv[0]}: command not found") from None
        except subprocess.TimeoutExpired:
            raise ExternalCommandError(
                f"{describe(argv)} did not finish within {timeout:g}s"
            ) from None
        result = CommandResult(
            argv=argv,
            returncode=completed.returncode,
            stdout=completed.stdout or "",
            stderr=completed.stderr or "",
        )
        if check and not result.ok:
            detail = result.last_lines()
            raise ExternalCommandError(
                f"{describe(argv)} failed with exit status {result.returncode}"
                + (f": {detail}" if detail else "")
            )
        return result

    def interactive(self, argv: Sequence[str], *, cwd: Path | None = None) -> int:
        """Hand the terminal to ``argv`` (``connect``); returns its exit status."""
        try:
            return subprocess.call(tuple(argv), cwd=cwd, env={**os.environ, **self._env})
        except FileNotFoundError:
            raise ExternalCommandError(f"{argv[0]}: command not found") from None


def describe(argv: Sequence[str], words: int = 3) -> str:
    """A short name for a command in messages: ``docker compose up``."""
    return "`" + " ".join(argv[:words]) + "`"
