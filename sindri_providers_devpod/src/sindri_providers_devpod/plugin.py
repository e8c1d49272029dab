"""The devpod provider's hook implementations."""

from __future__ import annotations

from sindri_core import hookimpl
from sindri_core.provider import BuildLocation, Capabilities, ProviderInfo
from sindri_providers_devpod.settings import DevpodSettings

INFO = ProviderInfo(
    name="devpod",
    aliases=(),
    description="DevPod workspaces on Docker, Kubernetes, SSH or cloud VMs",
    capabilities=Capabilities(
        build=BuildLocation.SMART, prebuilt_image=True, gpu=True, tools=("devpod", "docker")
    ),
    config_class=DevpodSettings,
    notes=(
        "type selects the DevPod backend; its option block below is passed to devpod as "
        "provider options.",
        "Without an image, docker builds from the Dockerfile itself, kind/k3d load a "
        "local build, cloud backends push to buildRepository.",
    ),
)


@hookimpl
def sindri_provider_info() -> ProviderInfo:
    return INFO
