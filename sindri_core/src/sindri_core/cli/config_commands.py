"""``sindri config``: validate, schema, init."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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
    from sindri_core.plugins import get_host

    catalog = get_host().catalog
    loaded = load_config(session.config_path, catalog)
    startup_done()
    provider = catalog.lookup(loaded.config.deployment.provider)
    provider_name = provider.name if provider is not None else loaded.config.deployment.provider
    warnings = [*loaded.warnings, *_lock_warnings(loaded, provider_name)]
    if as_json:
        emit_json(
            {
                "valid": True,
                "path": str(loaded.path),
                "name": loaded.config.name,
                "provider": provider_name,
                "warnings": warnings,
            }
        )
        return
    console = session.console()
    for warning in warnings:
        console.warn(warning)
    click.echo(f"{loaded.path}: valid ({loaded.config.name} on {provider_name})")


if TYPE_CHECKING:
    from sindri_core.config.loader import LoadedConfig


def _lock_warnings(loaded: LoadedConfig, provider: str) -> list[str]:
    """An invalid lock file is an error here too (exit 2), as for every command that reads
    it; a stale one is a warning (only ``--locked`` refuses it). Without a lock file the
    lock module is not even imported."""
    path = loaded.lock_path
    if not (path.exists() or path.is_symlink()):
        return []
    from sindri_core.image.lock import image_inputs, lock_state

    state = lock_state(path, image_inputs(loaded.config, provider))
    if not state.changes:
        return []
    return [f"{path.name} is stale ({'; '.join(state.changes)}): run `sindri image lock`"]


@config.command("schema")
def schema() -> None:
    """Print the JSON Schema of sindri.yaml (for editors and yaml-language-server)."""
    from sindri_core.config.schema import document_schema
    from sindri_core.plugins import get_host

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
    from sindri_core.plugins import get_host

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
