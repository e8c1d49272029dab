"""The root ``sindri`` command, global options, and turning errors into exit statuses.

Exit status (docs/JSON_OUTPUT.md, "Exit status"): 0 success; 1 the operation failed; 2 bad
usage or bad configuration; 5 the lock file is missing or stale under ``--locked``; 130
interrupted; 143 terminated. No traceback reaches the user unless ``--debug``.
"""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from sindri_core import __version__
from sindri_core.cli.global_options import accept_after, global_options

# Keep this module's imports to click (and built-in modules): it is all `sindri --version` loads.
if TYPE_CHECKING:
    from sindri_core.api import Project
    from sindri_core.output import Console

__all__ = [
    "Session",
    "Terminated",
    "cli",
    "emit_json",
    "locked_option",
    "main",
    "pass_session",
    "startup_done",
]


class Session:
    """Global options of one invocation, and the lazily loaded project."""

    def __init__(self, config: str | None, verbosity: int, debug: bool) -> None:
        self.config_path = config
        self.verbosity = verbosity
        self.debug = debug
        self.json = False
        self._project: Project | None = None

    def console(self) -> Console:
        from sindri_core.output import Console

        quiet = self.json or self.verbosity < 0
        return Console(
            verbosity=-1 if quiet else self.verbosity,
            progress=None if not quiet else False,
            steps=not quiet,
        )

    def say(self, text: str) -> None:
        """A confirmation of what a command did, on stdout; ``-q`` hides it (results a
        command exists to show, and ``--json``, are echoed directly)."""
        if self.verbosity >= 0:
            click.echo(text)

    def finish(self) -> None:
        """The command succeeded: a step still open (one outside any operation, such as
        ``image verify``'s) ended well."""
        if self._project is not None:
            self._project.console.end_step(ok=True)

    def project(self) -> Project:
        if self._project is None:
            from sindri_core.api import Project

            self._project = Project.load(self.config_path, console=self.console())
            startup_done()
        return self._project


def startup_done() -> None:
    """Start-up is over: freeze what it created (:func:`gc.freeze`) and turn the cyclic
    garbage collector, which :func:`main` turned off, back on.

    A command calls this once its plugins and configuration are loaded. By then nearly every
    object the process will hold exists (modules, classes, the plugin manager, the
    configuration) and lives until exit, and start-up made almost no garbage. Collections
    during start-up, later ones, and the one at interpreter exit would walk all of those
    objects and free nothing: together about a fifth of ``config validate``'s time (ADR 0008).
    Objects made afterwards are collected as usual, so what the command itself leaves in
    reference cycles is still finalised. A command that never calls this (``providers``,
    ``cache list``) is short and leaves the collector off until it exits.

    Only in the ``sindri`` process itself: a test session or another tool that runs
    :data:`cli` in its own process owns its collector, and the library never touches it.
    """
    if _sindri_owns_the_process:
        gc.freeze()
        gc.enable()


_sindri_owns_the_process = False


pass_session = click.make_pass_decorator(Session)


def emit_json(data: Any) -> None:
    """The one way ``--json`` output is written: stdout, stable key order, newline."""
    import json

    click.echo(json.dumps(data, indent=2, default=str))


def json_option(func: Any) -> Any:
    def mark(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        if value:
            session = ctx.find_object(Session)
            assert session is not None  # the group's callback made it before any command option
            session.json = True
        return value

    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        callback=mark,
        expose_value=True,
        help="Machine-readable output on stdout.",
    )(func)


def locked_option(func: Any) -> Any:
    """``--locked``: for CI, a missing or stale lock file is an error (exit 5)."""
    return click.option(
        "--locked",
        is_flag=True,
        help="Fail (exit 5) when sindri.lock is missing or stale; write nothing.",
    )(func)


# Command name -> the module of sindri_core.cli whose COMMANDS list defines it. A module is
# imported only when one of its commands runs or `--help` lists it, so `sindri --version`
# imports none of them (and, through them, no provider and no HTTP library).
COMMAND_MODULES = {
    "providers": "providers_command",
    "config": "config_commands",
    "image": "image_commands",
    "plan": "project_commands",
    "build": "project_commands",
    "deploy": "project_commands",
    "status": "project_commands",
    "destroy": "project_commands",
    "start": "project_commands",
    "stop": "project_commands",
    "connect": "project_commands",
    "cache": "cache_commands",
    "completion": "completion_command",
    "version": "version_command",
}
# Commands of the Rust tool that sindri names differently: answered, never listed.
RUST_COMMANDS = {"completions", "doctor"}


class SindriGroup(click.Group):
    """Loads subcommands lazily; turns sindri's exceptions into one-line errors and exit
    statuses."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            import importlib

            module = importlib.import_module(f"sindri_core.cli.{COMMAND_MODULES[cmd_name]}")
            for command in module.COMMANDS:
                self.add_command(accept_after(command))
        if cmd_name not in self.commands and cmd_name in RUST_COMMANDS:
            from sindri_core.cli.rust_habits import renamed_command

            return renamed_command("", cmd_name)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        from sindri_core.errors import SindriError
        from sindri_core.image.deadline import deadline_scope

        if _sindri_owns_the_process:
            _end_like_ctrl_c_on_sigterm()
        try:
            with deadline_scope():  # one registry deadline for the whole command
                result = super().invoke(ctx)
            session = ctx.find_object(Session)
            if session is not None:
                session.finish()
            return result
        except click.NoSuchOption as exc:
            from sindri_core.cli.rust_habits import hint_for_option

            hint = hint_for_option(exc)
            if hint is None:
                raise
            _report(ctx, hint, 2)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            # The reader of stdout left (`sindri plan | head -1`): it has what it wanted.
            _reader_left()
            ctx.exit(0)
        except SindriError as exc:
            _report(ctx, str(exc), exc.exit_code)
        except Terminated:
            _report(ctx, "terminated", 143)
        except KeyboardInterrupt:
            _report(ctx, "interrupted", 130)
        except Exception as exc:  # a bug: one line; --debug shows where
            _report(
                ctx,
                f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
                1,
            )


def _report(ctx: click.Context, message: str, code: int) -> NoReturn:
    session = ctx.find_object(Session)
    if session is not None and session.debug:
        import traceback

        traceback.print_exc()
    click.echo(error_text(message), err=True)
    ctx.exit(code)
    raise AssertionError("unreachable")  # ctx.exit raises


@click.group("sindri", cls=SindriGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="sindri", message="%(prog)s %(version)s")
@global_options
@click.pass_context
def cli(ctx: click.Context, config: str | None, verbose: int, quiet: bool, debug: bool) -> None:
    """Deploy a containerised development environment from one sindri.yaml."""
    ctx.obj = Session(config, -1 if quiet else verbose, debug)


def error_text(message: str) -> str:
    """``error: <first line>``; a message's further lines (a container's last log lines,
    say) follow as they are, indented, so that what was on separate lines stays so."""
    lines = [line.rstrip() for line in message.splitlines() if line.strip()]
    if not lines:
        return "error: "
    rest = [line if line.startswith((" ", "\t")) else f"  {line}" for line in lines[1:]]
    return "\n".join([f"error: {lines[0].strip()}", *rest])


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the process is, so it unwinds as on Ctrl-C: a running tool is
    killed by ``subprocess`` on the way out instead of being orphaned; exit status 143."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def _end_like_ctrl_c_on_sigterm() -> None:
    """Installed when a command starts to run, not in :func:`main`: ``--version`` and
    ``--help`` run no tool and need not pay for importing :mod:`signal`."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point; start-up runs without the cyclic garbage collector (see
    :func:`startup_done`). Once a command runs, SIGTERM is handled like SIGINT
    (:class:`Terminated`)."""
    global _sindri_owns_the_process
    _sindri_owns_the_process = True
    gc.disable()
    try:
        cli.main(args=argv, prog_name="sindri")
    finally:
        try:  # what is still buffered, while the exit status can still be chosen
            sys.stdout.flush()
        except BrokenPipeError:
            _reader_left()


def _reader_left() -> None:
    """stdout's reader is gone: send what is left to /dev/null, so that flushing at exit
    neither fails nor prints "Exception ignored" (the pattern the Python docs give)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (an in-process test runner's stream)
        pass
