"""The docker provider's hook implementations."""

from __future__ import annotations

from sindri_core import hookimpl
from sindri_core.provider import BuildLocation, Capabilities, ProviderInfo
from sindri_providers_docker.settings import DockerSettings

INFO = ProviderInfo(
    name="docker",
    aliases=("docker-compose",),
    description="Local Docker engine with Docker Compose v2",
    capabilities=Capabilities(
        build=BuildLocation.LOCAL, prebuilt_image=True, gpu=True, tools=("docker",)
    ),
    config_class=DockerSettings,
    notes=(
        "Builds locally with docker build when no image is configured (or with deploy --force).",
    ),
)


@hookimpl
def sindri_provider_info() -> ProviderInfo:
    return INFO
