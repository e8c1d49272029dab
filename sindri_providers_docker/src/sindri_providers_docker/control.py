"""``start``, ``stop``, ``connect`` and ``destroy`` of an existing deployment.

Start and stop go through compose with the deployment's project and file (which is why the
compose file and ``secrets.env`` live as long as the deployment does).
"""

from __future__ import annotations

import sys
import time

from sindri_core.plugin import DestroyOptions, OperationError, OperationResult, ProviderContext
from sindri_providers_docker.compose import ComposeProject
from sindri_providers_docker.container import wait_until_running
from sindri_providers_docker.engine import ContainerInfo, exec_argv, exec_output, inspect_container
from sindri_providers_docker.names import DeploymentNames
from sindri_providers_docker.prerequisites import require_compose
from sindri_providers_docker.teardown import remove_deployment

__all__ = ["connect", "destroy", "start", "stop"]

START_TIMEOUT = 120.0
# The Sindri images' development user; other images (e.g. busybox) run as their own user.
DEV_USER = "developer"
# Prints the dev user if the image has one, then the best login shell it has.
_LOGIN_PROBE = (
    f"id -u {DEV_USER} >/dev/null 2>&1 && echo {DEV_USER} || echo; command -v bash || command -v sh"
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
    probe = exec_output(ctx.runner, names.container, ["/bin/sh", "-c", _LOGIN_PROBE]) or ""
    user, _, shell = probe.partition("\n")
    argv = exec_argv(
        names.container,
        command or (shell.strip() or "/bin/sh", "-l"),
        user=user.strip() or None,
        workdir=ctx.config.deployment.volumes.workspace.path,
        tty=sys.stdin.isatty() and sys.stdout.isatty(),
    )
    return OperationResult("", exit_code=ctx.runner.interactive(argv))


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
