"""Status, start, stop, connect, destroy and the prerequisite check, on the E2B sandbox."""

from __future__ import annotations

import os

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
    remove_artifacts,
)
from sindri_providers_e2b import sandboxes, terminal
from sindri_providers_e2b.client import KEY_HINT, client_from_environment, sdk_errors
from sindri_providers_e2b.settings import E2bSettings
from sindri_providers_e2b.state import read_record
from sindri_providers_e2b.template import derive_alias

__all__ = ["connect", "destroy", "prerequisites", "start", "status", "stop"]

STATES = {"running": DeploymentState.RUNNING, "paused": DeploymentState.PAUSED}


def _settings(ctx: ProviderContext) -> E2bSettings:
    return ctx.provider_config


def prerequisites(ctx: ProviderContext) -> PrerequisiteReport:
    return PrerequisiteReport(
        (
            Prerequisite(
                "E2B_API_KEY",
                "an E2B API key in the environment",
                bool(os.environ.get("E2B_API_KEY")),
                KEY_HINT,
            ),
        )
    )


def status(ctx: ProviderContext, image: ImageResolution | None) -> DeploymentStatus:
    sandbox = client_from_environment().find(ctx.name)
    configured = image.reference if image is not None else None
    if sandbox is None:
        return DeploymentStatus(DeploymentState.NOT_DEPLOYED, configured_image=configured)
    record = read_record(ctx.output_dir, derive_alias(ctx.name, _settings(ctx)))
    return DeploymentStatus(
        state=STATES.get(sandbox.state, DeploymentState.UNKNOWN),
        image=record.source if record else f"e2b-template:{sandbox.template_id}",
        configured_image=configured,
        details={
            "sandbox_id": sandbox.sandbox_id,
            "template": sandbox.template_id,
            "started_at": sandbox.started_at,
            "ends_at": sandbox.end_at,
        },
    )


def start(ctx: ProviderContext) -> OperationResult:
    client = client_from_environment()
    sandbox = sandboxes.require_sandbox(client, ctx)
    if sandbox.state == "running":
        return OperationResult(f"Sandbox {sandbox.sandbox_id} is already running")
    client.connect(sandbox.sandbox_id, timeout=_settings(ctx).timeout)
    return OperationResult(f"Resumed sandbox {sandbox.sandbox_id}")


def stop(ctx: ProviderContext) -> OperationResult:
    client = client_from_environment()
    sandbox = sandboxes.require_sandbox(client, ctx)
    if sandbox.state == "paused" or not client.pause(sandbox.sandbox_id):
        return OperationResult(f"Sandbox {sandbox.sandbox_id} is already paused")
    return OperationResult(f"Paused sandbox {sandbox.sandbox_id}")


def destroy(ctx: ProviderContext, options: DestroyOptions) -> OperationResult:
    client = client_from_environment()
    sandbox = client.find(ctx.name)
    if sandbox is not None:
        client.kill(sandbox.sandbox_id)
    remove_artifacts(ctx.output_dir)
    alias = derive_alias(ctx.name, _settings(ctx))
    what = f"Killed sandbox {sandbox.sandbox_id}" if sandbox else "No sandbox was running"
    return OperationResult(
        f"{what}; template {alias} is kept (delete it in the E2B dashboard or with "
        f"`e2b template delete {alias}`)"
    )


def connect(ctx: ProviderContext, command: tuple[str, ...]) -> OperationResult:
    settings = _settings(ctx)
    client = client_from_environment()
    found = sandboxes.require_sandbox(client, ctx)
    if found.state != "running" and not settings.auto_resume:
        raise OperationError(
            f"sandbox {found.sandbox_id} is paused and providers.e2b.autoResume is false; "
            "resume it with `sindri start`"
        )
    sandbox = client.connect(found.sandbox_id, timeout=settings.timeout)
    where = {"user": settings.user, "cwd": ctx.config.deployment.volumes.workspace.path}
    with sdk_errors(f"running in E2B sandbox {found.sandbox_id}"):
        if command:
            return OperationResult("", exit_code=terminal.run_command(sandbox, command, **where))
        return OperationResult("", exit_code=terminal.shell(sandbox, **where))
