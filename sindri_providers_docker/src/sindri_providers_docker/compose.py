"""Running Docker Compose v2 for one deployment.

Compose is found as the ``docker compose`` CLI plugin, or else as a standalone
``docker-compose`` **if that is v2** (Debian's ``docker-compose`` 1.29 is v1, which does not
understand the files we write). Every command names the same project (``-p``) and file
(``-f``), so no command ever acts on another project or reads a compose file from the
current directory. Compose runs only in ``deploy``, on the file that deploy has just written:
stopping, starting and removing go to the engine by label (``teardown.py``).
"""

from __future__ import annotations

import weakref
from pathlib import Path

import attrs
from packaging.version import InvalidVersion, Version

from sindri_core.plugin import CommandResult, CommandRunner, ExternalCommandError, OperationError

__all__ = ["RAW_ENV_FILE_VERSION", "ComposeProbe", "ComposeProject", "ComposeTool", "probe_compose"]

# compose 2.30 added `env_file: [{format: raw}]`, which secrets.env relies on.
RAW_ENV_FILE_VERSION = Version("2.30")
VERSION_TIMEOUT = 20.0


@attrs.frozen
class ComposeTool:
    """A usable Compose v2: the argv prefix that runs it, and its version."""

    argv: tuple[str, ...]
    version: Version

    def describe(self) -> str:
        return f"{' '.join(self.argv)} {self.version}"


@attrs.frozen
class ComposeProbe:
    """The outcome of looking for Compose v2; ``problem`` says why none is usable."""

    tool: ComposeTool | None
    problem: str | None = None


_probes: weakref.WeakKeyDictionary[CommandRunner, ComposeProbe] = weakref.WeakKeyDictionary()


def probe_compose(runner: CommandRunner) -> ComposeProbe:
    """Find Compose v2 (remembered per runner: prerequisites and the command both ask)."""
    if runner not in _probes:
        _probes[runner] = _probe(runner)
    return _probes[runner]


def _probe(runner: CommandRunner) -> ComposeProbe:
    problems = []
    for argv in (("docker", "compose"), ("docker-compose",)):
        if runner.which(argv[0]) is None:
            problems.append(f"`{argv[0]}` is not installed")
            continue
        result = runner.run([*argv, "version", "--short"], timeout=VERSION_TIMEOUT, check=False)
        version = _version(result)
        if version is None:
            problems.append(f"`{' '.join(argv)} version` failed: {result.last_lines(1)}")
        elif version.major < 2:
            problems.append(f"`{' '.join(argv)}` is Compose v1 ({version}), not v2")
        else:
            return ComposeProbe(ComposeTool(argv, version))
    return ComposeProbe(None, "; ".join(problems))


def _version(result: CommandResult) -> Version | None:
    if not result.ok:
        return None
    try:
        return Version(result.stdout.strip().removeprefix("v"))
    except InvalidVersion:
        return None


@attrs.frozen
class ComposeProject:
    """One compose project: ``<tool> -p <project> -f <file> …``.

    :param stream: let compose write its progress to the terminal (stderr) instead of
        capturing it.
    """

    runner: CommandRunner
    tool: ComposeTool
    project: str
    file: Path
    stream: bool = False

    def argv(self, *args: str) -> list[str]:
        return [*self.tool.argv, "-p", self.project, "-f", str(self.file), *args]

    def up(self, *, recreate: bool, timeout: float) -> None:
        args = ["up", "--detach", "--remove-orphans"]
        if recreate:
            args.append("--force-recreate")
        self._run(args, timeout=timeout, what="starting the container")

    def _run(self, args: list[str], *, timeout: float, what: str) -> None:
        try:
            # The file's directory is compose's project directory (relative env_file paths).
            self.runner.run(
                self.argv(*args), timeout=timeout, cwd=self.file.parent, stream=self.stream
            )
        except ExternalCommandError as exc:
            shown = " (its output is above)" if self.stream else ""
            raise OperationError(f"{what} failed: {exc.message}{shown}") from None
