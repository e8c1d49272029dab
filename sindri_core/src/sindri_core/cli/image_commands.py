"""``sindri image``: resolve, versions, verify, context."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from sindri_core.cli.main import Session, emit_json, json_option, locked_option, pass_session
from sindri_core.cli.render import render_resolution, render_verification
from sindri_core.cli.rust_habits import renamed_commands

if TYPE_CHECKING:
    from sindri_core.image.lock import LockUpdate


@click.group("image")
def image() -> None:
    """Inspect the image chain: which image runs, and why."""


@image.command("resolve")
@json_option
@click.option("--explain", is_flag=True, help="Say which level of the chain answered and why.")
@click.option("--refresh", is_flag=True, help="Bypass the tag-list cache.")
@locked_option
@pass_session
def resolve(session: Session, as_json: bool, explain: bool, refresh: bool, locked: bool) -> None:
    """Resolve the image the deployment would run (a fresh sindri.lock answers it)."""
    resolution, lock = session.project().resolve_with_lock(refresh=refresh, locked=locked)
    if as_json:
        data = resolution.to_json()
        data["lock"] = lock.to_json() if lock is not None else None
        emit_json(data)
        return
    render_resolution(resolution, explain=explain)


@image.command("lock")
@json_option
@pass_session
def lock(session: Session, as_json: bool) -> None:
    """Write sindri.lock when it is missing or stale; keep a fresh lock's answer.

    The lock pins what the image chain resolved (the digest, or the commit of the Sindri
    sources) so every machine and CI run the same image: commit it.
    """
    _report_lock(session.project().lock_image(), as_json)


@image.command("update")
@json_option
@pass_session
def update(session: Session, as_json: bool) -> None:
    """Resolve the image again (registry and sources, no cache) and move sindri.lock to it,
    printing each change as `from → to`."""
    _report_lock(session.project().lock_image(update=True), as_json)


def _report_lock(update: LockUpdate, as_json: bool) -> None:
    if as_json:
        emit_json(update.to_json())
        return
    for line in update.describe():
        click.echo(line)


@image.command("versions")
@json_option
@click.option(
    "--constraint",
    metavar="RANGE",
    help="npm semver range to match instead of image_config.version (e.g. '^3.1').",
)
@click.option("--refresh", is_flag=True, help="Bypass the tag-list cache.")
@pass_session
def versions(session: Session, as_json: bool, constraint: str | None, refresh: bool) -> None:
    """List the tags of image_config.registry that match, newest first.

    Tags are filtered as resolution filters them: by deployment.distro (distro-suffixed tags)
    and image_config.allow_prerelease.
    """
    from sindri_core.errors import UsageError
    from sindri_core.image.versions import count, list_versions

    deployment = session.project().config.deployment
    if deployment.image_config is None:
        raise UsageError(
            "image versions lists the tags of deployment.image_config.registry, "
            "and this configuration has no image_config"
        )
    listing = list_versions(
        deployment.image_config, deployment.distro, constraint=constraint, refresh=refresh
    )
    if as_json:
        emit_json(listing.to_json())
        return
    for tag in listing.tags:
        click.echo(tag)
    if not listing.tags:
        click.echo(
            f"no tag of {listing.registry} matches {listing.constraint} "
            f"({count(listing.listed, 'tag')} listed)",
            err=True,
        )


@image.command("verify")
@click.argument("ref", required=False)
@json_option
@pass_session
def verify(session: Session, ref: str | None, as_json: bool) -> None:
    """Verify the cosign signature (and provenance, when configured) of an image.

    REF defaults to the image the deployment runs. Either way the digest it resolves to is
    what gets verified. Key, identity and checks come from deployment.image_config; without a
    sindri.yaml, REF's signature is checked keyless with the default identity.
    """
    if ref is not None and not _has_config(session):
        from sindri_core.image.verify import verify_with_config
        from sindri_core.runner import CommandRunner

        report = verify_with_config(ref, None, runner=CommandRunner())
    else:
        report = session.project().verify_image(ref)
    if as_json:
        emit_json(report.to_json())
        return
    render_verification(report)


@image.command("context")
@json_option
@click.option(
    "--refresh", is_flag=True, help="Re-resolve a tag too (branches are always re-resolved)."
)
@pass_session
def context(session: Session, as_json: bool, refresh: bool) -> None:
    """Fetch (or reuse) the build context the provider would build from, and describe it.

    The source is the one `sindri build` uses: the Sindri sources when
    deployment.buildFromSource.enabled, else ./Dockerfile, ./v3/Dockerfile or
    ./deploy/Dockerfile, else the Sindri sources.
    """
    project = session.project()
    build = project.fetch_build_context(project.build_source(), refresh=refresh)
    described = build.to_json()
    if as_json:
        emit_json(described)
        return
    origin = described["origin"]
    if origin["kind"] == "git":
        where = f"{origin['repository']}@{origin['ref']} ({origin['ref_kind']} at {build.commit})"
        if origin["cached"]:
            where += ", from the cache"
    else:
        where = f"local Dockerfile {origin['path']}"
    for label, value in (
        ("context", described["context"]),
        ("dockerfile", described["dockerfile"]),
        ("origin", where),
        ("why", origin["reason"]),
        ("build args", " ".join(f"{k}={v}" for k, v in build.build_args.items())),
        ("fingerprint", build.fingerprint),
        ("tag", build.tag),
    ):
        click.echo(f"{label + ':':<13}{value}")


def _has_config(session: Session) -> bool:
    from sindri_core.config.loader import find_config
    from sindri_core.errors import ConfigError

    if session.config_path is not None:
        return True
    try:
        find_config()
    except ConfigError:
        return False
    return True


for _renamed in renamed_commands("image"):
    image.add_command(_renamed)

COMMANDS = [image]
