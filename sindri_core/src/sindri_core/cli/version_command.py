"""``sindri version [--json]``: the Rust tool's command, beside ``sindri --version``."""

from __future__ import annotations

import click

from sindri_core.cli.main import Session, emit_json, json_option, pass_session


@click.command("version")
@json_option
@pass_session
def version(session: Session, as_json: bool) -> None:
    """Print sindri's version (the same as `sindri --version`)."""
    import platform

    from sindri_core import __version__

    if as_json:
        emit_json({"version": __version__, "python": platform.python_version()})
    else:
        click.echo(f"sindri {__version__}")


COMMANDS = [version]
