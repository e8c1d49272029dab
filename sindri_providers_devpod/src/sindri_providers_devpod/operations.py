"""Status, start, stop, connect, destroy and the prerequisite check, on the DevPod workspace."""

from __future__ import annotations

import json
import shlex

from sindri_core.plugin import (
    DeploymentState,
    DeploymentStatus,
    DestroyOptions,
    ImageResolution,
    OperationError,
    OperationResult,
    Prerequisite,
    PrerequisiteReport,
    ProviderContext,
    read_artifact,
    remove_artifacts,
)
from sindri_providers_devpod.devcontainer import devcontainer_path
from sindri_providers_devpod.devpod_cli import INSTALL_HINT, DevpodCli
from sindri_providers_devpod.settings import DevpodSettings
from sindri_providers_devpod.workspace_id import workspace_id

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
    """The image the devcontainer.json deploy wrote names.

    :raises OperationError: the file is not what deploy writes (a link, a FIFO, not JSON).
    """
    path = devcontainer_path(ctx)
    data = read_artifact(path)
    if data is None:
        return None
    try:
        document = json.loads(data)
        if "image" in document:
            return str(document["image"])
        return f"devcontainer build of {document['build']['dockerfile']}"
    except (ValueError, TypeError, KeyError):
        raise OperationError(
            f"{path} is not the devcontainer.json sindri writes (no image nor build.dockerfile "
            "in a JSON object); remove it and run `sindri deploy`"
        ) from None


def status(ctx: ProviderContext, image: ImageResolution | None) -> DeploymentStatus:
    settings: DevpodSettings = ctx.provider_config
    workspace = workspace_id(ctx.name)
    state = DevpodCli(ctx.runner).status(workspace)
    mapped = STATES.get(state.lower(), DeploymentState.UNKNOWN)
    running = _configured_in_file(ctx) if mapped is not DeploymentState.NOT_DEPLOYED else None
    return DeploymentStatus(
        state=mapped,
        image=running,
        configured_image=image.reference if image is not None else None,
        details={"workspace": workspace, "backend": settings.type, "devpod_state": state},
    )


def start(ctx: ProviderContext) -> OperationResult:
    workspace = workspace_id(ctx.name)
    DevpodCli(ctx.runner).start(workspace)
    return OperationResult(f"Started DevPod workspace {workspace}")


def stop(ctx: ProviderContext) -> OperationResult:
    workspace = workspace_id(ctx.name)
    DevpodCli(ctx.runner).stop(workspace)
    return OperationResult(f"Stopped DevPod workspace {workspace}")


def destroy(ctx: ProviderContext, options: DestroyOptions) -> OperationResult:
    cli = DevpodCli(ctx.runner)
    workspace = workspace_id(ctx.name)
    if cli.status(workspace) != "NotFound":
        cli.delete(workspace)
        message = f"Deleted DevPod workspace {workspace}"
    else:
        message = f"No DevPod workspace {workspace} existed"
    # workspace.env holds secret values: removed even when the manifest cannot be trusted
    known = ("workspace.env", ".devcontainer/devcontainer.json", "deployed.json")
    remove_artifacts(ctx.output_dir, known=known, warn=ctx.console.warn)
    return OperationResult(message)


def connect(ctx: ProviderContext, command: tuple[str, ...]) -> OperationResult:
    argv = ["devpod", "ssh", workspace_id(ctx.name)]
    if command:
        argv += ["--command", shlex.join(command)]
    return OperationResult("", exit_code=ctx.runner.interactive(argv))
