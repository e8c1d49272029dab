"""Status, start, stop, connect, destroy and the prerequisite check, on the DevPod workspace."""

from __future__ import annotations

import json
import shlex

from sindri_core.plugin import (
    DeploymentState,
    DeploymentStatus,
    DestroyOptions,
    ImageResolution,
    OperationResult,
    Prerequisite,
    PrerequisiteReport,
    ProviderContext,
    remove_artifacts,
)
from sindri_providers_devpod.devcontainer import devcontainer_path
from sindri_providers_devpod.devpod_cli import INSTALL_HINT, DevpodCli
from sindri_providers_devpod.settings import DevpodSettings

__all__ = ["connect", "destroy", "prerequisites", "start", "status", "stop"]

STATES = {
    "running": DeploymentState.RUNNING,
    "stopped": DeploymentState.STOPPED,
    "busy": DeploymentState.CREATING,
    "notfound": DeploymentState.NOT_DEPLOYED,
}


def prerequisites(ctx: ProviderContext) -> PrerequisiteReport:
    return PrerequisiteReport(
        (
            Prerequisite(
                "devpod", "the DevPod CLI", ctx.runner.which("devpod") is not None, INSTALL_HINT
            ),
        )
    )


def _configured_in_file(ctx: ProviderContext) -> str | None:
    path = devcontainer_path(ctx)
    if not path.is_file():
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    if "image" in document:
        return document["image"]
    return f"devcontainer build of {document.get('build', {}).get('dockerfile', '?')}"


def status(ctx: ProviderContext, image: ImageResolution | None) -> DeploymentStatus:
    settings: DevpodSettings = ctx.provider_config
    state = DevpodCli(ctx.runner).status(ctx.name)
    mapped = STATES.get(state.lower(), DeploymentState.UNKNOWN)
    running = _configured_in_file(ctx) if mapped is not DeploymentState.NOT_DEPLOYED else None
    return DeploymentStatus(
        state=mapped,
        image=running,
        configured_image=image.reference if image is not None else None,
        details={"workspace": ctx.name, "backend": settings.type, "devpod_state": state},
    )


def start(ctx: ProviderContext) -> OperationResult:
    DevpodCli(ctx.runner).start(ctx.name)
    return OperationResult(f"Started DevPod workspace {ctx.name}")


def stop(ctx: ProviderContext) -> OperationResult:
    DevpodCli(ctx.runner).stop(ctx.name)
    return OperationResult(f"Stopped DevPod workspace {ctx.name}")


def destroy(ctx: ProviderContext, options: DestroyOptions) -> OperationResult:
    cli = DevpodCli(ctx.runner)
    if cli.status(ctx.name) != "NotFound":
        cli.delete(ctx.name)
        message = f"Deleted DevPod workspace {ctx.name}"
    else:
        message = f"No DevPod workspace {ctx.name} existed"
    remove_artifacts(ctx.output_dir)
    return OperationResult(message)


def connect(ctx: ProviderContext, command: tuple[str, ...]) -> OperationResult:
    argv = ["devpod", "ssh", ctx.name]
    if command:
        argv += ["--command", shlex.join(command)]
    return OperationResult("", exit_code=ctx.runner.interactive(argv))
