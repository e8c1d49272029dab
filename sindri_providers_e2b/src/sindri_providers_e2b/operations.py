"""Status, start, stop, connect, destroy and the prerequisite check, on the E2B sandbox."""

from __future__ import annotations

import os

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
from sindri_providers_e2b import sandboxes
from sindri_providers_e2b.e2b_cli import HINT
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
            Prerequisite("e2b", "the E2B CLI", ctx.runner.which("e2b") is not None, HINT),
            Prerequisite(
                "E2B_API_KEY",
                "an E2B API key in the environment",
                bool(os.environ.get("E2B_API_KEY")),
                "get a key at https://e2b.dev/dashboard and export E2B_API_KEY",
            ),
        )
    )


def status(ctx: ProviderContext, image: ImageResolution | None) -> DeploymentStatus:
    api = sandboxes.api_for(ctx)
    sandbox = api.find(ctx.name)
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
    settings = _settings(ctx)
    api = sandboxes.api_for(ctx)
    sandbox = sandboxes.require_sandbox(api, ctx)
    if sandbox.state == "running":
        return OperationResult(f"Sandbox {sandbox.sandbox_id} is already running")
    api.resume(sandbox.sandbox_id, timeout=settings.timeout, auto_pause=settings.auto_pause)
    return OperationResult(f"Resumed sandbox {sandbox.sandbox_id}")


def stop(ctx: ProviderContext) -> OperationResult:
    api = sandboxes.api_for(ctx)
    sandbox = sandboxes.require_sandbox(api, ctx)
    if sandbox.state == "paused":
        return OperationResult(f"Sandbox {sandbox.sandbox_id} is already paused")
    api.pause(sandbox.sandbox_id)
    return OperationResult(f"Paused sandbox {sandbox.sandbox_id}")


def destroy(ctx: ProviderContext, options: DestroyOptions) -> OperationResult:
    api = sandboxes.api_for(ctx)
    sandbox = api.find(ctx.name)
    if sandbox is not None:
        api.kill(sandbox.sandbox_id)
    remove_artifacts(ctx.output_dir)
    alias = derive_alias(ctx.name, _settings(ctx))
    what = f"Killed sandbox {sandbox.sandbox_id}" if sandbox else "No sandbox was running"
    return OperationResult(
        f"{what}; template {alias} is kept (delete it with `e2b template delete {alias}`)"
    )


def connect(ctx: ProviderContext, command: tuple[str, ...]) -> OperationResult:
    settings = _settings(ctx)
    api = sandboxes.api_for(ctx)
    sandbox = sandboxes.require_sandbox(api, ctx)
    sandboxes.ensure_running(api, sandbox, settings)
    argv = ["e2b", "sandbox", "connect", sandbox.sandbox_id]
    if command:
        argv = ["e2b", "sandbox", "exec", sandbox.sandbox_id, *command]
    return OperationResult("", exit_code=ctx.runner.interactive(argv))
