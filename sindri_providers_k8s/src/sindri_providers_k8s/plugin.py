"""The kubernetes provider's hook implementations."""

from __future__ import annotations

from sindri_core import hookimpl
from sindri_core.provider import BuildLocation, Capabilities, ProviderInfo
from sindri_providers_k8s.settings import KubernetesSettings

INFO = ProviderInfo(
    name="kubernetes",
    aliases=("k8s",),
    description="Kubernetes clusters via kubectl (pre-built images only)",
    capabilities=Capabilities(
        build=BuildLocation.NEVER, prebuilt_image=True, gpu=True, tools=("kubectl",)
    ),
    config_class=KubernetesSettings,
    notes=(
        "Kubernetes never builds: set deployment.image or deployment.image_config to a "
        "pushed image.",
    ),
)


@hookimpl
def sindri_provider_info() -> ProviderInfo:
    return INFO
