"""``sindri config``: validate, schema, init."""

from __future__ import annotations

from pathlib import Path

import click

from sindri_core.cli.main import (
    Session,
    emit_json,
    json_option,
    pass_session,
    startup_done,
)


@click.group("config")
def config() -> None:
    """Create, validate and describe sindri.yaml."""


@config.command("validate")
@json_option
@pass_session
def validate(session: Session, as_json: bool) -> None:
    """Validate sindri.yaml (exit 2 with file:line:column when invalid)."""
    # The loader alone, not a Project: validation must stay fast (see benchmarks/startup.py).
    from sindri_core.config.loader import load_config
    from sindri_core.plugin_host import get_host

    catalog = get_host().catalog
    loaded = load_config(session.config_path, catalog)
    startup_done()
    provider = catalog.lookup(loaded.config.deployment.provider)
    provider_name = provider.name if provider is not None else loaded.config.deployment.provider
    if as_json:
        emit_json(
            {
                "valid": True,
                "path": str(loaded.path),
                "name": loaded.config.name,
                "provider": provider_name,
                "warnings": list(loaded.warnings),
            }
        )
        return
    console = session.console()
    for warning in loaded.warnings:
        console.warn(warning)
    click.echo(f"{loaded.path}: valid ({loaded.config.name} on {provider_name})")


@config.command("schema")
def schema() -> None:
    """Print the JSON Schema of sindri.yaml (for editors and yaml-language-server)."""
    from sindri_core.config.schema import document_schema
    from sindri_core.plugin_host import get_host

    # Every provider's section is described: one whose settings class cannot be imported is
    # left out (and listed as failed by `sindri providers`) rather than failing the schema.
    emit_json(document_schema(get_host().check_settings()))


@config.command("init")
@click.option(
    "-p",
    "--provider",
    "provider_name",
    default="docker",
    show_default=True,
    help="Provider name or alias.",
)
@click.option("-n", "--name", help="Deployment name (default: the directory name).")
@click.option("--profile", default="minimal", show_default=True, help="Extension profile.")
@click.option(
    "--distro",
    type=click.Choice(["ubuntu", "fedora", "opensuse"]),
    default="ubuntu",
    show_default=True,
    help="Linux distribution of the image.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("sindri.yaml"),
    show_default=True,
    help="Where to write.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pass_session
def init(
    session: Session,
    provider_name: str,
    name: str | None,
    profile: str,
    distro: str,
    output: Path,
    force: bool,
) -> None:
    """Write a commented sindri.yaml for a provider (valid as generated)."""
    from sindri_core.config.init import default_name, render_config
    from sindri_core.config.loader import parse_config
    from sindri_core.errors import UsageError
    from sindri_core.plugin_host import get_host

    host = get_host()
    info = host.provider(provider_name)
    if output.exists() and not force:
        raise UsageError(f"{output} already exists; use --force to overwrite it")
    name = name if name is not None else default_name(output.resolve().parent.name)
    text = render_config(info, name=name, profile=profile, distro=distro)
    parse_config(text, host.catalog, filename=str(output))  # bad -n/--profile fail here, exit 2
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {output} ({info.name}, {distro}, profile {profile}, name {name})")


COMMANDS = [config]
