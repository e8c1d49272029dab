"""``sindri config``: validate, schema, init."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from sindri_core.cli.main import (
    Session,
    emit_json,
    json_option,
    pass_session,
    startup_done,
)
from sindri_core.cli.rust_habits import renamed_commands


@click.group("config")
def config() -> None:
    """Create, validate and describe sindri.yaml."""


@config.command("validate")
@click.option(
    "-f",
    "--file",
    "file",
    type=click.Path(dir_okay=False),
    help="The file to validate (the same as -c).",
)
@json_option
@pass_session
def validate(session: Session, file: str | None, as_json: bool) -> None:
    """Validate sindri.yaml: every error with its file:line:column (exit 2 when invalid),
    including the secrets plan and deploy would refuse."""
    if file is not None:
        session.config_path = file
    # The loader alone, not a Project: validation must stay fast (see benchmarks/startup.py).
    from sindri_core.config.loader import load_config
    from sindri_core.errors import ConfigError
    from sindri_core.plugins import get_host

    catalog = get_host().catalog
    try:
        loaded = load_config(session.config_path, catalog)
    except ConfigError as exc:
        _invalid(session, as_json, None, [exc])
    startup_done()
    provider = catalog.lookup(loaded.config.deployment.provider)
    provider_name = provider.name if provider is not None else loaded.config.deployment.provider
    secret_errors, secret_warnings = _check_secrets(loaded, provider)
    if secret_errors:
        for warning in (*loaded.warnings, *secret_warnings):
            session.console().warn(warning)
        _invalid(session, as_json, loaded.path, secret_errors)
    warnings = [*loaded.warnings, *secret_warnings, *_lock_warnings(loaded, provider_name)]
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
    session.say(f"{loaded.path}: valid ({loaded.config.name} on {provider_name})")


# Enough to fix a file in one go; a file with more is best fixed from the top.
MAX_REPORTED_ERRORS = 20


def _check_secrets(loaded: Any, provider: Any) -> tuple[list[Any], list[str]]:
    """What plan and deploy would refuse about the secrets (Vault is not read)."""
    if not loaded.config.secrets:
        return [], []
    from sindri_core.config.loader import display_name
    from sindri_core.secrets import SecretValues

    secrets = SecretValues(tuple(loaded.config.secrets), loaded.path.parent)
    files = provider is None or provider.capabilities.file_secrets
    errors, warnings = secrets.check(files=files)
    for error in errors:
        error.file = error.file or display_name(loaded.path)
    return list(errors), warnings


def _invalid(session: Session, as_json: bool, path: Path | None, found: list[Any]) -> NoReturn:
    """Every error (up to :data:`MAX_REPORTED_ERRORS`), one line each on stderr, and with
    ``--json`` the document on stdout (docs/JSON_OUTPUT.md); exit 2."""
    from sindri_core.errors import ConfigErrors

    errors = [inner for error in found for inner in ConfigErrors([error]).errors]
    errors.sort(key=lambda e: (e.line is None, e.line or 0, e.column or 0))  # file order
    shown = errors[:MAX_REPORTED_ERRORS]
    if as_json:
        first = ConfigErrors(errors)
        emit_json(
            {
                "valid": False,
                "path": str(path) if path is not None else first.file,
                "error": {"message": str(first), "exit_code": 2, "kind": "config"},
                "errors": [_error_json(error) for error in shown],
                "more_errors": len(errors) - len(shown),
            }
        )
    for error in shown:
        click.echo(f"error: {error}", err=True)
    if len(errors) > len(shown):
        click.echo(f"error: ... and {len(errors) - len(shown)} more errors", err=True)
    raise SystemExit(2)


def _error_json(error: Any) -> dict[str, Any]:
    return {
        "message": error.message,
        "file": error.file,
        "line": error.line,
        "column": error.column,
        "path": error.path,
        "hint": error.hint,
    }


@config.command("show")
@json_option
@pass_session
def show(session: Session, as_json: bool) -> None:
    """Print sindri.yaml as sindri reads it: validated, with every default filled in."""
    from sindri_core.config.loader import load_config
    from sindri_core.config.structure import converter
    from sindri_core.plugins import get_host

    loaded = load_config(session.config_path, get_host().catalog)
    document = _without_nulls(converter().unstructure(loaded.config))
    if as_json:
        emit_json(document)
        return
    import sys

    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.dump(document, sys.stdout)


def _without_nulls(value: object) -> object:
    """Unset optional settings left out, so what ``show`` prints validates as it is."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


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


def _provider_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of -p: the installed providers' names and aliases."""
    from sindri_core.plugins import get_host

    return [name for name in get_host().catalog.all_names() if name.startswith(incomplete)]


@config.command("init")
@click.option(
    "-p",
    "--provider",
    "provider_name",
    default="docker",
    show_default=True,
    shell_complete=_provider_names,
    help="Provider name or alias.",
)
@click.option("-n", "--name", help="Deployment name (default: the directory name).")
@click.option("--profile", default="minimal", show_default=True, help="Extension profile.")
@click.option(
    "-d",
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
@click.option("-f", "--force", is_flag=True, help="Overwrite an existing file.")
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
    from sindri_core.build.sources import DOCKERFILE_CANDIDATES
    from sindri_core.config.init import default_name, render_config
    from sindri_core.config.loader import parse_config
    from sindri_core.errors import ConfigError, UsageError
    from sindri_core.plugins import get_host

    host = get_host()
    info = host.provider(provider_name)
    if output.exists() and not force:
        raise UsageError(f"{output} already exists; use --force to overwrite it")
    directory = output.resolve().parent
    name = name if name is not None else default_name(directory.name)
    dockerfile = next((c for c in DOCKERFILE_CANDIDATES if (directory / c).is_file()), None)
    text = render_config(
        info, name=name, profile=profile, distro=distro, local_dockerfile=dockerfile
    )
    try:
        parse_config(text, host.catalog, filename=str(output))
    except ConfigError as exc:  # a bad -n/--profile: named by its option, nothing written
        option = _INIT_OPTIONS.get(exc.path or "")
        if option is None:
            raise
        raise UsageError(f"{option}: {exc.message}", hint=exc.hint) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    session.say(f"Wrote {output} ({info.name}, {distro}, profile {profile}, name {name})")
    if dockerfile is not None and info.capabilities.can_build:
        session.say(f"It builds ./{dockerfile}; no published image is configured")


# The fields config init fills from its options.
_INIT_OPTIONS = {"name": "-n/--name", "extensions.profile": "--profile"}


for _renamed in renamed_commands("config"):
    config.add_command(_renamed)

COMMANDS = [config]
