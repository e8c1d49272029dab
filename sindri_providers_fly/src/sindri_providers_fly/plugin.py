"""The fly provider's hook implementations."""

from __future__ import annotations

from sindri_core import hookimpl
from sindri_core.provider import BuildLocation, Capabilities, ProviderInfo
from sindri_providers_fly.settings import FlySettings

INFO = ProviderInfo(
    name="fly",
    aliases=(),
    description="Fly.io machines via flyctl",
    capabilities=Capabilities(
        build=BuildLocation.REMOTE, prebuilt_image=True, gpu=True, tools=("flyctl",)
    ),
    config_class=FlySettings,
    notes=(
        "A configured image is deployed with flyctl deploy --image; with none, Fly builds "
        "the Dockerfile remotely.",
    ),
)


@hookimpl
def sindri_provider_info() -> ProviderInfo:
    return INFO
