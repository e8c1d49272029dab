"""Text rendering of results for humans (``--json`` bypasses all of this)."""

from __future__ import annotations

import click

from sindri_core.image.resolution import ImageResolution


def render_resolution(resolution: ImageResolution, *, explain: bool = False) -> None:
    click.echo(resolution.reference or "none")
    if not explain:
        return
    click.echo(f"  source: {resolution.source.value}")
    click.echo(f"  why: {resolution.reason}")
    for label, value in (
        ("tag", resolution.tag),
        ("digest", resolution.digest),
        ("constraint", resolution.constraint),
    ):
        if value:
            click.echo(f"  {label}: {value}")
    if resolution.build is not None:
        click.echo(f"  build source: {resolution.build.describe()}")
        click.echo(f"  build reason: {resolution.build.reason}")
    for note in resolution.notes:
        click.echo(f"  note: {note}")


def render_plan(report, *, verbose: bool = False) -> None:  # type: ignore[no-untyped-def]
    """The plan; ``verbose`` (``plan -v``) shows each generated file's content too."""
    image = report.image
    click.echo(f"Provider: {report.provider}")
    click.echo(f"Image:    {report.reference or 'none'}  ({image.source.value}: {image.reason})")
    plan = report.plan
    for refusal in plan.refusals:
        click.echo(f"Deploy would refuse: {refusal}")
    if plan.not_compared is not None:
        click.echo(f"Could not compare with what runs ({plan.not_compared}); desired state:")
    elif plan.up_to_date:
        click.echo("Up to date: deploy would change nothing")
    if plan.changes:
        click.echo("Changes:")
        for change in plan.changes:
            click.echo(f"  {change.describe()}")
    if report.plan.actions:
        click.echo("Actions:")
        for action in report.plan.actions:
            click.echo(f"  {action.action:<8} {action.resource}: {action.description}")
    if report.plan.artifacts:
        click.echo("Files:")
        for artifact in report.plan.artifacts:
            click.echo(f"  {artifact.path}")
            if verbose:  # plan's artifacts carry no secret value (redacted by the provider)
                for line in artifact.content.splitlines():
                    click.echo(f"    | {line}")
    for note in report.plan.notes:
        click.echo(f"Note: {note}")


def render_status(name: str, provider: str, status) -> None:  # type: ignore[no-untyped-def]
    click.echo(f"Status: {name} ({provider})")
    click.echo(f"  State: {status.state.value.replace('_', ' ')}")
    click.echo(f"  Image: {status.image or 'none'}")
    if status.configured_image and status.configured_image != status.image:
        click.echo(f"  Configured image: {status.configured_image}")
    for address in status.addresses:
        click.echo(f"  Address: {address}")
    for key, value in status.details.items():
        click.echo(f"  {key.replace('_', ' ').capitalize()}: {value}")


def render_verification(report) -> None:  # type: ignore[no-untyped-def]
    click.echo(f"Verified {report.reference}")
    tlog = "checked" if report.transparency_log else "NOT checked (SINDRI_COSIGN_IGNORE_TLOG)"
    click.echo(f"  mode: {report.mode}; transparency log: {tlog}")
    if report.signatures is not None:
        click.echo(f"  signature: verified ({len(report.signatures)} signature(s))")
        for signature in report.signatures:
            if signature.issuer or signature.subject:
                click.echo(f"    issuer: {signature.issuer}  subject: {signature.subject}")
    if report.provenance is not None:
        click.echo(f"  provenance: verified ({report.provenance.predicate_type})")
        for label, value in (
            ("builder", report.provenance.builder_id),
            ("build type", report.provenance.build_type),
            ("source", report.provenance.source),
        ):
            if value:
                click.echo(f"    {label}: {value}")
