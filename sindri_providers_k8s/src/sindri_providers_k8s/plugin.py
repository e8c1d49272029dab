"""The kubernetes provider's hook implementations (the work is in the modules they call).

Those modules are imported when a hook runs, not when the plugin loads: every ``sindri``
command loads every installed plugin, and most never touch Kubernetes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sindri_core.plugin import (
    BuildLocation,
    Capabilities,
    ProviderInfo,
    forward_hooks,
    hookimpl,
)

if TYPE_CHECKING:
    from sindri_core.plugin import (
        BuildContext,
        DeployOptions,
        DeployResult,
        ImageResolution,
        ProviderContext,
    )
    from sindri_providers_k8s.settings import KubernetesSettings

INFO = ProviderInfo(
    name="kubernetes",
    aliases=("k8s",),
    description="Kubernetes clusters via kubectl (pre-built images only)",
    capabilities=Capabilities(
        build=BuildLocation.NEVER, prebuilt_image=True, gpu=True, tools=("kubectl",)
    ),
    config_class="sindri_providers_k8s.settings:KubernetesSettings",
    # Object names and label values are DNS labels: sindri.yaml's own rule allows a final '-'.
    name_rule=(
        r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        "a DNS label: lower-case letters, digits and '-', not ending in '-'",
    ),
    notes=(
        "Kubernetes never builds: set deployment.image or deployment.image_config to a "
        "pushed image.",
    ),
)


@hookimpl
def sindri_provider_info() -> ProviderInfo:
    return INFO


@hookimpl
def sindri_deploy(
    ctx: ProviderContext[KubernetesSettings],
    image: ImageResolution,
    build: BuildContext | None,  # always None: the chain never answers a build here
    options: DeployOptions,
) -> DeployResult:
    from sindri_providers_k8s import deploy

    return deploy.deploy(ctx, image, options)


# Each operation's work, in the module that does it (each takes the hook's arguments).
globals().update(
    forward_hooks(
        __name__,
        check_prerequisites="operations:prerequisites",
        plan="deploy:plan",
        status="operations:status",
        start="operations:start",
        stop="operations:stop",
        connect="operations:connect",
        destroy="operations:destroy",
    )
)
