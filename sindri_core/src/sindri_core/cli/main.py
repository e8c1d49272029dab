"""The root ``sindri`` command, global options, and turning errors into exit statuses.

Exit status: 0 success; 1 the operation failed; 2 bad usage or bad configuration. No
traceback reaches the user unless ``--debug``.
"""

from __future__ import annotations

import json
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from sindri_core import __version__

if TYPE_CHECKING:
    from sindri_core.api import Project
    from sindri_core.output import Console

__all__ = ["Session", "cli", "emit_json", "main", "pass_session"]


class Session:
    """Global options of one invocation, and the lazily loaded project."""

    def __init__(self, config: Path | None, verbosity: int, debug: bool) -> None:
        self.config_path = config
        self.verbosity = verbosity
        self.debug = debug
        self.json = False
        self._project: Project | None = None

    def console(self) -> Console:
        from sindri_core.output import Console

        quiet = self.json or self.verbosity < 0
        return Console(
            verbosity=-1 if quiet else self.verbosity, progress=None if not quiet else False
        )

    def project(self) -> Project:
        if self._project is None:
            from sindri_core.api import Project

            self._project = Project.load(self.config_path, console=self.console())
        return self._project


pass_session = click.make_pass_decorator(Session)


def emit_json(data: Any) -> None:
    """The one way ``--json`` output is written: stdout, stable key order, newline."""
    click.echo(json.dumps(data, indent=2, default=str))


def json_option(func: Any) -> Any:
    def mark(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        if value:
            ctx.find_object(Session).json = True
        return value

    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        callback=mark,
        expose_value=True,
        help="Machine-readable output on stdout.",
    )(func)


class SindriGroup(click.Group):
    """Turns sindri's exceptions into one-line errors and exit statuses."""

    def invoke(self, ctx: click.Context) -> Any:
        from sindri_core.errors import SindriError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except SindriError as exc:
            _report(ctx, str(exc), exc.exit_code)
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
        traceback.print_exc()
    click.echo(f"error: {message}", err=True)
    ctx.exit(code)
    raise AssertionError("unreachable")  # ctx.exit raises


@click.group(cls=SindriGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="sindri", message="%(prog)s %(version)s")
@click.option(
    "-c",
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Path to sindri.yaml (default: search the current directory and parents).",
)
@click.option("-v", "--verbose", count=True, help="More output.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, verbose: int, quiet: bool, debug: bool) -> None:
    """Deploy a containerised development environment from one sindri.yaml."""
    ctx.obj = Session(config, -1 if quiet else verbose, debug)


def _register_commands() -> None:
    from sindri_core.cli import (
        cache_commands,
        completion_command,
        config_commands,
        image_commands,
        project_commands,
        providers_command,
    )

    for module in (
        providers_command,
        config_commands,
        image_commands,
        project_commands,
        cache_commands,
        completion_command,
    ):
        for command in module.COMMANDS:
            cli.add_command(command)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="sindri")
