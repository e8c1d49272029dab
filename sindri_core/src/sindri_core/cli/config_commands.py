"""``sindri config``: validate, schema, init."""

from __future__ import annotations

import click

from sindri_core.cli.main import Session, emit_json, json_option, pass_session


@click.group("config")
def config() -> None:
    """Create, validate and describe sindri.yaml."""


@config.command("validate")
@json_option
@pass_session
def validate(session: Session, as_json: bool) -> None:
    """Validate sindri.yaml (exit 2 with file:line:column when invalid)."""
    project = session.project()
    loaded = project.loaded
    if as_json:
        emit_json(
            {
                "valid": True,
                "path": str(loaded.path),
                "name": loaded.config.name,
                "provider": project.provider.name,
                "warnings": list(loaded.warnings),
            }
        )
        return
    console = session.console()
    for warning in loaded.warnings:
        console.warn(warning)
    click.echo(f"{loaded.path}: valid ({loaded.config.name} on {project.provider.name})")


@config.command("schema")
def schema() -> None:
    """Print the JSON Schema of sindri.yaml (for editors and yaml-language-server)."""
    from sindri_core.config.schema import document_schema
    from sindri_core.plugins import get_host

    emit_json(document_schema(get_host().catalog))


COMMANDS = [config]
