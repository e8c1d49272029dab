"""``start``, ``stop``, ``connect`` and ``destroy`` of an existing deployment.

Start and stop go through compose with the deployment's project and file (which is why the
compose file and ``secrets.env`` live as long as the deployment does).
"""

from __future__ import annotations

import shlex
import sys
import time

from sindri_core.plugin import (
    QUERY_TIMEOUT,
    ContainerInfo,
    DestroyOptions,
    OperationError,
    OperationResult,
    ProviderContext,
    exec_argv,
    exec_output,
    inspect_container,
)
from sindri_providers_docker.compose import ComposeProject
from sindri_providers_docker.container import wait_until_running
from sindri_providers_docker.names import DeploymentNames
from sindri_providers_docker.prerequisites import require_compose
from sindri_providers_docker.teardown import remove_deployment

__all__ = ["connect", "destroy", "start", "stop"]

START_TIMEOUT = 120.0
# The Sindri images' development user; other images (e.g. busybox) run as their own user.
DEV_USER = "developer"


# Prints the dev user if the image has one, then the best login shell it has, then whether
# the workspace directory exists (an image that is not a Sindri image has none: ADR 0019).
def _login_probe(workspace: str) -> str:
    return (
        f"id -u {DEV_USER} >/dev/null 2>&1 && echo {DEV_USER} || echo; "
        "command -v bash || command -v sh || echo; "
        f"test -d {shlex.quote(workspace)} && echo present || echo missing"
    )


def _deployed(ctx: ProviderContext, names: DeploymentNames) -> ContainerInfo:
    info = inspect_container(ctx.runner, names.container)
    if info is None or not info.has_labels(names.labels):
        raise OperationError(f"{names.name} is not deployed; run `sindri deploy` first")
    return info


def _project(ctx: ProviderContext, names: DeploymentNames) -> ComposeProject:
    if not names.compose_file.is_file():
        raise OperationError(
            f"the compose file of {names.name} is missing ({names.compose_file}); "
            "`sindri deploy --force` writes it again"
        )
    tool = require_compose(ctx.runner)
    return ComposeProject(ctx.runner, tool, names.project, names.compose_file)


def start(ctx: ProviderContext) -> OperationResult:
    names = DeploymentNames.of(ctx)
    if _deployed(ctx, names).running:
        return OperationResult(f"{names.name} is already running")
    _project(ctx, names).start()
    wait_until_running(ctx.runner, names.container, deadline=time.monotonic() + START_TIMEOUT)
    return OperationResult(f"Started {names.name}")


def stop(ctx: ProviderContext) -> OperationResult:
    names = DeploymentNames.of(ctx)
    if not _deployed(ctx, names).running:
        return OperationResult(f"{names.name} is already stopped")
    _project(ctx, names).stop()
    return OperationResult(f"Stopped {names.name} (its data is kept; `sindri start` resumes)")


def connect(ctx: ProviderContext, command: tuple[str, ...]) -> OperationResult:
    """``docker exec`` a login shell (or ``command``) in the workspace, as the dev user when
    the image has one."""
    names = DeploymentNames.of(ctx)
    info = _deployed(ctx, names)
    if not info.running:
        raise OperationError(
            f"{names.name} is not running ({info.status}); start it with `sindri start`"
        )
    workspace = ctx.config.deployment.volumes.workspace
    probe_argv = ["/bin/sh", "-c", _login_probe(workspace.path)]
    probe = exec_output(ctx.runner, names.container, probe_argv)
    dev_user, shell, presence = ([*(probe or "").splitlines(), "", "", ""])[:3]
    user = dev_user.strip() or None
    argv = exec_argv(
        names.container,
        command or (shell.strip() or "/bin/sh", "-l"),
        user=user,
        workdir=_workdir(ctx, names, user, presence.strip() != "missing"),
        tty=sys.stdin.isatty() and sys.stdout.isatty(),
    )
    return OperationResult("", exit_code=ctx.runner.interactive(argv))


def _workdir(ctx: ProviderContext, names: DeploymentNames, user: str | None, exists: bool) -> str:
    """The workspace, made (as the user connecting) when the image has none; the home
    volume's mount point, which always exists, when it cannot be made."""
    workspace = ctx.config.deployment.volumes.workspace
    if exists:
        return workspace.path
    as_user = ["--user", user] if user else []
    made = ctx.runner.run(
        ["docker", "exec", *as_user, names.container, "mkdir", "-p", workspace.path],
        timeout=QUERY_TIMEOUT,
        check=False,
    )
    if made.ok:
        ctx.console.info(f"Created the workspace {workspace.path} (the image has none)")
        return workspace.path
    ctx.console.warn(
        f"the image has no {workspace.path} and it cannot be created "
        f"({made.last_lines(1) or 'mkdir failed'}); connecting in {workspace.home}"
    )
    return workspace.home


def destroy(ctx: ProviderContext, options: DestroyOptions) -> OperationResult:
    names = DeploymentNames.of(ctx)
    project = _project(ctx, names) if names.compose_file.is_file() else None
    teardown = remove_deployment(
        ctx.runner, names, project, volumes=options.volumes, console=ctx.console
    )
    if not teardown.containers and not teardown.removed_volumes:
        kept = f"; {teardown.describe(names)}" if teardown.kept_volumes else "; nothing to remove"
        return OperationResult(f"{names.name} is not deployed{kept}")
    return OperationResult(f"Destroyed {names.name}: {teardown.describe(names)}")
