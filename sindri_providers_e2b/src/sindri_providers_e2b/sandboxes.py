"""The sandbox side of a deployment: what it is created with, and finding it again.

Private unless ``publicAccess: true``: the API treats an absent ``allowPublicTraffic`` as
public, so it is always sent; ``false`` needs envd behind its access token, which the create
call the SDK makes (``POST /v2/sandboxes``) always asks for. ``allowedDomains`` becomes
``allowOut`` with the deny-all ``0.0.0.0/0`` the API requires beside domains; the IPs and CIDR
blocks of ``blockedDomains`` become ``denyOut`` (its domain names cannot be: they are reported
as not enforced).
"""

from __future__ import annotations

from typing import Any

from sindri_core.plugin import OperationError, ProviderContext
from sindri_providers_e2b.client import E2bClient, SandboxSummary
from sindri_providers_e2b.settings import ALL_TRAFFIC, E2bSettings
from sindri_providers_e2b.template import template_environment

__all__ = ["ALL_TRAFFIC", "creation_options", "network", "require_sandbox"]


def metadata(ctx: ProviderContext, settings: E2bSettings) -> dict[str, str]:
    profile = ctx.config.extensions.effective_profile or "custom"
    return {**settings.metadata, "sindri_name": ctx.name, "sindri_profile": profile}


def network(settings: E2bSettings) -> dict[str, Any]:
    """The SDK's ``network`` option (``allowPublicTraffic``, ``allowOut``, ``denyOut``)."""
    options: dict[str, Any] = {"allow_public_traffic": settings.public_access}
    unenforced = settings.unenforced_domains
    deny = [entry for entry in settings.blocked_domains if entry not in unenforced]
    if settings.allowed_domains:
        options["allow_out"] = list(settings.allowed_domains)
        deny = [ALL_TRAFFIC, *(d for d in deny if d != ALL_TRAFFIC)]
    if deny:
        options["deny_out"] = deny
    return options


def creation_options(ctx: ProviderContext, settings: E2bSettings, template: str) -> dict[str, Any]:
    """``Sandbox.create`` options; secrets travel here, as environment, in the request body."""
    return {
        "template": template,
        "timeout": settings.timeout,
        "metadata": metadata(ctx, settings),
        "envs": {**template_environment(ctx), **ctx.secrets.env_values()},
        "allow_internet_access": settings.internet_access,
        "network": network(settings),
        # autoResume stays sindri's (deploy, start and connect resume); no traffic-resume.
        "lifecycle": {"on_timeout": "pause" if settings.auto_pause else "kill"},
    }


def require_sandbox(client: E2bClient, ctx: ProviderContext) -> SandboxSummary:
    sandbox = client.find(ctx.name)
    if sandbox is None:
        raise OperationError(f"no E2B sandbox for {ctx.name}; deploy it first with `sindri deploy`")
    return sandbox
