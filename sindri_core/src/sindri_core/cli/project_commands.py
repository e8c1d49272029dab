"""The lifecycle commands: plan, build, deploy, status, destroy, start, stop, connect."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from sindri_core.cli.main import Session, emit_json, json_option, locked_option, pass_session
from sindri_core.cli.render import render_plan, render_status


@click.command("plan")
@json_option
@click.option("--from-source", is_flag=True, help="Plan a build from the Sindri sources.")
@click.option(
    "--refresh", is_flag=True, help="Bypass the tag-list cache (as deploy --refresh does)."
)
@locked_option
@pass_session
def plan(session: Session, as_json: bool, from_source: bool, refresh: bool, locked: bool) -> None:
    """Show what deploy would do. Writes nothing (not even sindri.lock) and runs nothing
    that changes anything."""
    report = session.project().plan(from_source=from_source, refresh=refresh, locked=locked)
    if as_json:
        emit_json(report.to_json())
    else:
        render_plan(report, verbose=session.verbosity > 0)


@click.command("build")
@click.option(
    "--force", is_flag=True, help="Rebuild without cache even if an identical image exists."
)
@click.option(
    "--refresh",
    is_flag=True,
    help="Re-resolve a tag of the Sindri sources too (branches always are).",
)
@click.option("--from-source", "--fs", is_flag=True, help="Build from the Sindri sources.")
@json_option
@pass_session
def build(session: Session, force: bool, refresh: bool, from_source: bool, as_json: bool) -> None:
    """Build what `deploy --force` would build, alone (build once, deploy many)."""
    built = session.project().build(force=force, refresh=refresh, from_source=from_source)
    if as_json:
        emit_json(built.to_json())
        return
    verb = "reused" if built.skipped else ("built and pushed" if built.pushed else "built")
    session.say(f"{built.reference} ({verb})")


@click.command("deploy")
@click.option(
    "-f",
    "--force",
    is_flag=True,
    help="Rebuild without cache and recreate, even when up to date.",
)
@click.option("--dry-run", is_flag=True, help="Same as `sindri plan`.")
@click.option(
    "-w",
    "--wait/--no-wait",
    default=True,
    help="Wait until the environment runs (the default), or not.",
)
@click.option(
    "-t",
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
@click.option("--from-source", "--fs", is_flag=True, help="Build from the Sindri sources.")
@click.option(
    "--refresh",
    is_flag=True,
    help="Bypass the tag-list cache; re-resolve a tag of the Sindri sources too.",
)
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read secrets from this file instead of .env.local and .env.",
)
@locked_option
@json_option
@pass_session
def deploy(
    session: Session,
    force: bool,
    dry_run: bool,
    wait: bool,
    timeout: int,
    skip_image_verification: bool,
    from_source: bool,
    refresh: bool,
    env_file: Path | None,
    locked: bool,
    as_json: bool,
) -> None:
    """Deploy the environment; write or update sindri.lock when it is missing or stale."""
    from sindri_core.api import PlanReport
    from sindri_core.errors import UsageError
    from sindri_core.lifecycle import DeployOptions

    options = DeployOptions(force=force, wait=wait, timeout=timeout, dry_run=dry_run)
    project = session.project()
    if env_file is not None:
        if not env_file.is_file():
            raise UsageError(f"--env-file {env_file}: no such file")
        project.env_file = env_file.resolve()
    result = project.deploy(
        options,
        skip_verification=skip_image_verification,
        from_source=from_source,
        refresh=refresh,
        locked=locked,
    )
    if isinstance(result, PlanReport):
        if as_json:
            emit_json(result.to_json())
        else:
            render_plan(result, verbose=session.verbosity > 0)
        return
    lock = project.lock_update
    if as_json:
        emit_json(
            {
                "reference": result.reference,
                "messages": list(result.messages),
                "connection": result.connection,
                "unchanged": result.unchanged,
                "lock": lock.to_json() if lock is not None else None,
            }
        )
        return
    console = session.console()
    for line in lock.describe() if lock is not None and lock.written else ():
        console.info(line)  # stderr, hidden by -q
    if result.unchanged:
        session.say(f"{session.project().config.name} is up to date: {result.reference}")
        return
    for message in result.messages:
        session.say(message)
    session.say(f"Deployed {session.project().config.name}: {result.reference}")
    if result.connection:
        session.say(f"Connect with: {result.connection}")


@click.command("status")
@json_option
@click.option(
    "-w",
    "--watch",
    type=click.IntRange(min=1),
    metavar="S",
    help="Refresh every S seconds until interrupted.",
)
@pass_session
def status(session: Session, as_json: bool, watch: int | None) -> None:
    """Show the deployment's state and the image it runs.

    With --watch: redrawn in place on a terminal; --json prints one JSON document per line
    (JSON lines); Ctrl-C ends it quietly.
    """
    project = session.project()
    if watch is None:
        _show_status(project, as_json)
        return
    from sindri_core.cli.main import Terminated

    redraw = not as_json and _stdout_is_a_terminal()
    try:
        while True:
            if redraw:
                click.echo("\x1b[2J\x1b[H", nl=False, color=True)  # clear; cursor home
            _show_status(project, as_json, one_line=True)
            time.sleep(watch)  # polling interval chosen by the user, not synchronisation
    except Terminated:
        raise
    except KeyboardInterrupt:
        return  # the user ended the watch: not an error


def _stdout_is_a_terminal() -> bool:
    return sys.stdout.isatty()


def _show_status(project, as_json: bool, one_line: bool = False) -> None:  # type: ignore[no-untyped-def]
    result = project.status()
    if as_json and one_line:
        import json

        click.echo(json.dumps(result.to_json(), default=str))
    elif as_json:
        emit_json(result.to_json())
    else:
        render_status(project.config.name, project.provider.name, result)


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
    session.say(project.destroy(volumes=volumes).message)


def _simple(name: str, help_text: str):  # type: ignore[no-untyped-def]
    @click.command(name, help=help_text)
    @pass_session
    def command(session: Session) -> None:
        result = getattr(session.project(), name)()
        session.say(result.message)

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
    if command and command[0].partition("=")[0] == "--command":
        from sindri_core.errors import UsageError

        # The Rust tool's `connect --command CMD` (which it ignored).
        raise UsageError(
            "sindri connect takes the command itself: `sindri connect ls -la`, or "
            "`sindri connect sh -c 'ls -la'` for a shell line"
        )
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
