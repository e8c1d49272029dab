"""Answers to what a user of the Rust ``sindri`` (v3) types out of habit.

What fits sindri works as it did there (``deploy -f/-t/-w/--fs/--env-file``, ``status -w``,
``config validate -f/--file``, ``config init -f/-d``, ``version [--json]``, ``config show``,
``SINDRI_CONFIG``); the rest answers with one line naming what replaces it (exit 2), instead
of click's generic "no such option". The names are those of the Rust tool's clap
definitions (``v3/crates/sindri/src/cli.rs``, v3.1.4). ADR 0019.
"""

from __future__ import annotations

from typing import Any

import click

__all__ = ["OPTION_HINTS", "RENAMED", "hint_for_option", "renamed_command", "renamed_commands"]

# (command path after `sindri`, option as typed) -> the one line that answers it.
_DESTROY_FORCE = "`destroy --force` is `sindri destroy --yes` (-y) in sindri"
OPTION_HINTS: dict[tuple[str, str], str] = {
    ("destroy", "--force"): _DESTROY_FORCE,
    ("destroy", "-f"): _DESTROY_FORCE,
    ("deploy", "--skip-validation"): (
        "sindri always validates sindri.yaml before deploying; there is nothing to skip "
        "(`sindri config validate` shows the same checks)"
    ),
    ("deploy", "--skip-build"): (
        "sindri deploy builds only when the image chain ends in a build; set "
        "deployment.image or deployment.image_config to deploy an existing image"
    ),
    (
        "image versions",
        "--format",
    ): "`image versions --format json` is `sindri image versions --json`",
    ("image versions", "--cli-version"): (
        "sindri image versions lists the tags matching image_config.version; "
        "`--constraint '^3.1'` asks for another range"
    ),
    ("image verify", "--no-signature"): (
        "sindri image verify always checks the signature; image_config.verify_provenance "
        "decides whether provenance is checked too"
    ),
    ("image verify", "--no-provenance"): (
        "sindri image verify checks provenance only when image_config.verify_provenance is "
        "true; set it to false"
    ),
    ("config validate", "--check-extensions"): (
        "sindri validates extensions.profile/active/additional with the rest of "
        "sindri.yaml; there is no separate extension check"
    ),
}

# (group path, command) the Rust tool had -> what replaces it.
RENAMED: dict[tuple[str, str], str] = {
    ("", "completions"): (
        "`sindri completions SHELL` is `sindri completion SHELL` (bash, zsh, fish)"
    ),
    ("", "doctor"): (
        "sindri checks a provider's tools before each command; `sindri providers` lists "
        "what each one needs"
    ),
    ("config", "providers"): "`sindri config providers` is `sindri providers`",
    ("image", "current"): "`sindri image current` is `sindri image resolve` (--explain says why)",
    ("image", "list"): (
        "`sindri image list` is `sindri image versions` (tags matching image_config.version, "
        "or --constraint RANGE)"
    ),
    ("image", "inspect"): (
        "`sindri image inspect` is `sindri image resolve --explain` (reference, digest, "
        "source); `sindri image verify` checks signatures"
    ),
}


def hint_for_option(exc: click.NoSuchOption) -> str | None:
    """The answer to an option the Rust tool had on this command, if any."""
    if exc.ctx is None:
        return None
    path = " ".join(exc.ctx.command_path.split()[1:])
    return OPTION_HINTS.get((path, exc.option_name))


def renamed_command(group: str, name: str) -> click.Command:
    """A hidden command that answers ``RENAMED[(group, name)]``, whatever its arguments."""
    message = RENAMED[(group, name)]

    @click.command(
        name,
        help=message,
        hidden=True,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def command(args: Any) -> None:
        from sindri_core.errors import UsageError

        raise UsageError(message)

    return command


def renamed_commands(group: str) -> list[click.Command]:
    return [renamed_command(g, name) for g, name in RENAMED if g == group]
