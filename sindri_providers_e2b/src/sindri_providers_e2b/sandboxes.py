"""The sandbox side of a deployment: find, create, reuse, resume."""

from __future__ import annotations

import os

from sindri_core.plugin import ConfigError, OperationError, ProviderContext
from sindri_providers_e2b.sandbox_api import Sandbox, SandboxApi
from sindri_providers_e2b.settings import E2bSettings


def api_for(ctx: ProviderContext) -> SandboxApi:
    key = os.environ.get("E2B_API_KEY")
    if not key:
        raise OperationError(
            "E2B_API_KEY is not set", hint="get a key at https://e2b.dev/dashboard"
        )
    return SandboxApi(key)


def metadata(ctx: ProviderContext, settings: E2bSettings) -> dict[str, str]:
    profile = ctx.config.extensions.effective_profile or "custom"
    return {**settings.metadata, "sindri_name": ctx.name, "sindri_profile": profile}


def creation_body(ctx: ProviderContext, settings: E2bSettings, template: str) -> dict:
    """The POST /sandboxes body; secrets travel here, in the request body, only."""
    body: dict = {
        "templateID": template,
        "timeout": settings.timeout,
        "autoPause": settings.auto_pause,
        "metadata": metadata(ctx, settings),
        "envVars": ctx.secrets.env_values(),
        "allow_internet_access": settings.internet_access,
    }
    network: dict[str, object] = {}
    if settings.allowed_domains:
        network["allowOut"] = list(settings.allowed_domains)
    if settings.blocked_domains:
        network["denyOut"] = list(settings.blocked_domains)
    if settings.public_access:
        network["allowPublicTraffic"] = True
    if network:
        body["network"] = network
    return body


def require_sandbox(api: SandboxApi, ctx: ProviderContext) -> Sandbox:
    sandbox = api.find(ctx.name)
    if sandbox is None:
        raise OperationError(f"no E2B sandbox for {ctx.name}; deploy it first with `sindri deploy`")
    return sandbox


def ensure_running(api: SandboxApi, sandbox: Sandbox, settings: E2bSettings) -> None:
    """Resume a paused sandbox when autoResume allows it; refuse otherwise."""
    if sandbox.state == "running":
        return
    if not settings.auto_resume:
        raise OperationError(
            f"sandbox {sandbox.sandbox_id} is paused and providers.e2b.autoResume is false; "
            "resume it with `sindri start`"
        )
    api.resume(sandbox.sandbox_id, timeout=settings.timeout, auto_pause=settings.auto_pause)


def reject_unsupported(ctx: ProviderContext) -> None:
    """E2B has no file mounts: say so before anything is built (GPUs the core refuses by
    ``Capabilities.gpu``)."""
    for index, secret in enumerate(ctx.config.secrets):
        if secret.source == "file":
            raise ConfigError(
                f"secret {secret.name} is a file secret; E2B sandboxes take environment "
                "secrets only",
                path=f"secrets[{index}].source",
            )
