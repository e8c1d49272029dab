"""``sindri image``: resolve, versions, verify, context."""

from __future__ import annotations

import click

from sindri_core.cli.main import Session, emit_json, json_option, pass_session
from sindri_core.cli.render import render_resolution


@click.group("image")
def image() -> None:
    """Inspect the image chain: which image runs, and why."""


@image.command("resolve")
@json_option
@click.option("--explain", is_flag=True, help="Say which level of the chain answered and why.")
@click.option("--refresh", is_flag=True, help="Bypass the tag-list cache.")
@pass_session
def resolve(session: Session, as_json: bool, explain: bool, refresh: bool) -> None:
    """Resolve the image the deployment would run."""
    resolution = session.project().resolve_image(refresh=refresh)
    if as_json:
        emit_json(resolution.to_json())
        return
    render_resolution(resolution, explain=explain)


COMMANDS = [image]
