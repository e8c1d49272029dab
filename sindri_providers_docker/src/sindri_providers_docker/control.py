"""``start``, ``stop``, ``connect`` and ``destroy`` of an existing deployment.

Start and stop ask the engine directly for the container that carries the deployment's
labels; none of them hands compose the file found in ``.sindri/docker/``, which a repository
may have planted (``teardown.py``). Each first refuses a deployment of the same name that
belongs to another project directory (``ownership.py``).
"""

from __future__ import annotations

import sys
import time

from sindri_core.plugin import (
    ContainerInfo,
    DestroyOptions,
    OperationError,
    OperationResult,
    ProviderContext,
    exec_argv,
    exec_output,
    inspect_container,
    start_containers,
    stop_containers,
)
from sindri_providers_docker.container import wait_until_running
from sindri_providers_docker.names import PROJECT_DIR_LABEL, DeploymentNames
from sindri_providers_docker.ownership import foreign_owner_error, require_ownership
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
    owner = info.labels.get(PROJECT_DIR_LABEL)
    if owner and owner != names.project_dir:
        raise foreign_owner_error(names, owner)
    return info


def start(ctx: ProviderContext) -> OperationResult:
    names = DeploymentNames.of(ctx)
    if _deployed(ctx, names).running:
        return OperationResult(f"{names.name} is already running")
    start_containers(ctx.runner, [names.container])
    wait_until_running(ctx.runner, names.container, deadline=time.monotonic() + START_TIMEOUT)
    return OperationResult(f"Started {names.name}")


def stop(ctx: ProviderContext) -> OperationResult:
    names = DeploymentNames.of(ctx)
    if not _deployed(ctx, names).running:
        return OperationResult(f"{names.name} is already stopped")
    stop_containers(ctx.runner, [names.container])
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
    require_ownership(ctx.runner, names)
    teardown = remove_deployment(ctx.runner, names, volumes=options.volumes)
    if not teardown.containers and not teardown.removed_volumes:
        found = teardown.kept_volumes or teardown.notes
        kept = f"; {teardown.describe(names)}" if found else "; nothing to remove"
        return OperationResult(f"{names.name} is not deployed{kept}")
    return OperationResult(f"Destroyed {names.name}: {teardown.describe(names)}")
