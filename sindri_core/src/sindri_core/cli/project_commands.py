"""The lifecycle commands: plan, build, deploy, status, destroy, start, stop, connect."""

from __future__ import annotations

import sys
import time

import click

from sindri_core.cli.main import Session, emit_json, json_option, pass_session
from sindri_core.cli.render import render_plan, render_status


@click.command("plan")
@json_option
@click.option("--from-source", is_flag=True, help="Plan a build from the Sindri sources.")
@pass_session
def plan(session: Session, as_json: bool, from_source: bool) -> None:
    """Show what deploy would do. Writes nothing and runs nothing that changes anything."""
    report = session.project().plan(from_source=from_source)
    if as_json:
        emit_json(report.to_json())
    else:
        render_plan(report)


@click.command("build")
@click.option(
    "--force", is_flag=True, help="Rebuild without cache even if an identical image exists."
)
@click.option(
    "--refresh",
    is_flag=True,
    help="Re-resolve a tag of the Sindri sources too (branches always are).",
)
@json_option
@pass_session
def build(session: Session, force: bool, refresh: bool, as_json: bool) -> None:
    """Run the provider's build step alone (build once, deploy many)."""
    built = session.project().build(force=force, refresh=refresh)
    if as_json:
        emit_json(built.to_json())
        return
    verb = "reused" if built.skipped else ("built and pushed" if built.pushed else "built")
    click.echo(f"{built.reference} ({verb})")


@click.command("deploy")
@click.option(
    "--force", is_flag=True, help="Rebuild without cache and recreate, even when up to date."
)
@click.option("--dry-run", is_flag=True, help="Same as `sindri plan`.")
@click.option("--no-wait", is_flag=True, help="Do not wait until the environment runs.")
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=600,
    show_default=True,
    help="Seconds to wait for the environment to run.",
)
@click.option(
    "--skip-image-verification",
    is_flag=True,
    help="Do not verify signatures/provenance even if configured.",
)
@click.option("--from-source", is_flag=True, help="Build from the Sindri sources.")
@click.option(
    "--refresh",
    is_flag=True,
    help="Bypass the tag-list cache; re-resolve a tag of the Sindri sources too.",
)
@json_option
@pass_session
def deploy(
    session: Session,
    force: bool,
    dry_run: bool,
    no_wait: bool,
    timeout: int,
    skip_image_verification: bool,
    from_source: bool,
    refresh: bool,
    as_json: bool,
) -> None:
    """Deploy the environment."""
    from sindri_core.lifecycle import DeployOptions
    from sindri_core.project import PlanReport

    options = DeployOptions(force=force, wait=not no_wait, timeout=timeout, dry_run=dry_run)
    result = session.project().deploy(
        options,
        skip_verification=skip_image_verification,
        from_source=from_source,
        refresh=refresh,
    )
    if isinstance(result, PlanReport):
        emit_json(result.to_json()) if as_json else render_plan(result)
        return
    if as_json:
        emit_json(
            {
                "reference": result.reference,
                "messages": list(result.messages),
                "connection": result.connection,
                "unchanged": result.unchanged,
            }
        )
        return
    if result.unchanged:
        click.echo(f"{session.project().config.name} is up to date: {result.reference}")
        return
    for message in result.messages:
        click.echo(message)
    click.echo(f"Deployed {session.project().config.name}: {result.reference}")
    if result.connection:
        click.echo(f"Connect with: {result.connection}")


@click.command("status")
@json_option
@click.option(
    "--watch",
    type=click.IntRange(min=1),
    metavar="S",
    help="Refresh every S seconds until interrupted.",
)
@pass_session
def status(session: Session, as_json: bool, watch: int | None) -> None:
    """Show the deployment's state and the image it runs."""
    project = session.project()
    while True:
        result = project.status()
        if as_json:
            emit_json(result.to_json())
        else:
            render_status(project.config.name, project.provider.name, result)
        if watch is None:
            return
        time.sleep(watch)  # polling interval chosen by the user, not synchronisation


@click.command("destroy")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--volumes", is_flag=True, help="Also delete volumes (data is lost).")
@pass_session
def destroy(session: Session, yes: bool, volumes: bool) -> None:
    """Remove the deployment (and its volumes with --volumes)."""
    from sindri_core.errors import UsageError

    project = session.project()
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("destroy needs --yes when not run interactively")
        what = " and its volumes" if volumes else ""
        click.confirm(
            f"Destroy {project.config.name}{what} on {project.provider.name}?", abort=True
        )
    click.echo(project.destroy(volumes=volumes).message)


def _simple(name: str, help_text: str):  # type: ignore[no-untyped-def]
    @click.command(name, help=help_text)
    @pass_session
    def command(session: Session) -> None:
        result = getattr(session.project(), name)()
        click.echo(result.message)

    return command


# Options after COMMAND's first word are COMMAND's own (`sindri connect bash -c 'ls'`).
@click.command(
    "connect",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
@pass_session
def connect(session: Session, command: tuple[str, ...]) -> None:
    """Open a shell in the environment (or run COMMAND there)."""
    result = session.project().connect(command)
    if result.message:
        click.echo(result.message, err=True)
    sys.exit(result.exit_code)


COMMANDS = [
    plan,
    build,
    deploy,
    status,
    destroy,
    _simple("start", "Start a stopped deployment."),
    _simple("stop", "Stop the deployment, keeping its data."),
    connect,
]
