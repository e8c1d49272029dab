"""The e2b provider's hook implementations."""

from __future__ import annotations

from sindri_core import hookimpl
from sindri_core.provider import BuildLocation, Capabilities, ProviderInfo
from sindri_providers_e2b.settings import E2bSettings

INFO = ProviderInfo(
    name="e2b",
    aliases=(),
    description="E2B cloud sandboxes built from templates",
    capabilities=Capabilities(
        build=BuildLocation.REMOTE, prebuilt_image=True, gpu=False, tools=("e2b",)
    ),
    config_class=E2bSettings,
    notes=(
        "Sandboxes run from a template built from a Dockerfile, or FROM a configured image.",
        "Secrets are passed when the sandbox is created, never baked into the template.",
    ),
)


@hookimpl
def sindri_provider_info() -> ProviderInfo:
    return INFO
