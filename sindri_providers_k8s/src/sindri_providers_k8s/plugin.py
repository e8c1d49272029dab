"""The kubernetes provider's hook implementations (the work is in the modules they call).

Those modules are imported when a hook runs, not when the plugin loads: every ``sindri``
command loads every installed plugin, and most never touch Kubernetes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sindri_core.plugin import BuildLocation, Capabilities, ProviderInfo, hookimpl

if TYPE_CHECKING:
    from sindri_core.plugin import (
        BuildContext,
        DeploymentStatus,
        DeployOptions,
        DeployResult,
        DestroyOptions,
        ImageResolution,
        OperationResult,
        Plan,
        PrerequisiteReport,
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
def sindri_check_prerequisites(ctx: ProviderContext[KubernetesSettings]) -> PrerequisiteReport:
    from sindri_providers_k8s import operations

    return operations.prerequisites(ctx)


@hookimpl
def sindri_plan(ctx: ProviderContext[KubernetesSettings], image: ImageResolution) -> Plan:
    from sindri_providers_k8s import deploy

    return deploy.plan(ctx, image)


@hookimpl
def sindri_deploy(
    ctx: ProviderContext[KubernetesSettings],
    image: ImageResolution,
    build: BuildContext | None,
    options: DeployOptions,
) -> DeployResult:
    from sindri_providers_k8s import deploy

    return deploy.deploy(ctx, image, options)


@hookimpl
def sindri_status(
    ctx: ProviderContext[KubernetesSettings], image: ImageResolution | None
) -> DeploymentStatus:
    from sindri_providers_k8s import deploy, operations
    from sindri_providers_k8s.status import deployment_status

    kubectl = deploy.kubectl_for(ctx)
    return deployment_status(kubectl, operations.names_for(ctx), ctx.provider_config, image)


@hookimpl
def sindri_start(ctx: ProviderContext[KubernetesSettings]) -> OperationResult:
    from sindri_providers_k8s import operations

    return operations.scale(ctx, 1)


@hookimpl
def sindri_stop(ctx: ProviderContext[KubernetesSettings]) -> OperationResult:
    from sindri_providers_k8s import operations

    return operations.scale(ctx, 0)


@hookimpl
def sindri_destroy(
    ctx: ProviderContext[KubernetesSettings], options: DestroyOptions
) -> OperationResult:
    from sindri_providers_k8s import operations

    return operations.destroy(ctx, options)


@hookimpl
def sindri_connect(
    ctx: ProviderContext[KubernetesSettings], command: tuple[str, ...]
) -> OperationResult:
    from sindri_providers_k8s import operations

    return operations.connect(ctx, command)
