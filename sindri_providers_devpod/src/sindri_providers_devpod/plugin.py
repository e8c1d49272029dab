"""The devpod provider's hook implementations (thin: the work lives in deploy and operations).

Those modules are imported when a hook runs, not when the plugin loads: every ``sindri``
command loads every installed plugin, and most never touch DevPod.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sindri_core.plugin import BuildLocation, Capabilities, ProviderInfo, hookimpl

if TYPE_CHECKING:
    from sindri_core.plugin import (
        BuildContext,
        BuildOptions,
        BuiltImage,
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
    from sindri_providers_devpod.settings import DevpodSettings

INFO = ProviderInfo(
    name="devpod",
    aliases=(),
    description="DevPod workspaces on Docker, Kubernetes, SSH or cloud VMs",
    capabilities=Capabilities(
        build=BuildLocation.SMART,
        prebuilt_image=True,
        gpu=True,
        tools=("devpod", "docker"),
        file_secrets=False,
    ),
    config_class="sindri_providers_devpod.settings:DevpodSettings",
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


@hookimpl
def sindri_check_prerequisites(ctx: ProviderContext[DevpodSettings]) -> PrerequisiteReport:
    from sindri_providers_devpod import operations

    return operations.prerequisites(ctx)


@hookimpl
def sindri_plan(ctx: ProviderContext[DevpodSettings], image: ImageResolution) -> Plan:
    from sindri_providers_devpod import deploy

    return deploy.plan(ctx, image)


@hookimpl
def sindri_build(
    ctx: ProviderContext[DevpodSettings], build: BuildContext, options: BuildOptions
) -> BuiltImage:
    from sindri_providers_devpod import deploy

    return deploy.build(ctx, build, options)


@hookimpl
def sindri_deploy(
    ctx: ProviderContext[DevpodSettings],
    image: ImageResolution,
    build: BuildContext | None,
    options: DeployOptions,
) -> DeployResult:
    from sindri_providers_devpod import deploy

    return deploy.deploy(ctx, image, build, options)


@hookimpl
def sindri_status(
    ctx: ProviderContext[DevpodSettings], image: ImageResolution | None
) -> DeploymentStatus:
    from sindri_providers_devpod import operations

    return operations.status(ctx, image)


@hookimpl
def sindri_start(ctx: ProviderContext[DevpodSettings]) -> OperationResult:
    from sindri_providers_devpod import operations

    return operations.start(ctx)


@hookimpl
def sindri_stop(ctx: ProviderContext[DevpodSettings]) -> OperationResult:
    from sindri_providers_devpod import operations

    return operations.stop(ctx)


@hookimpl
def sindri_destroy(
    ctx: ProviderContext[DevpodSettings], options: DestroyOptions
) -> OperationResult:
    from sindri_providers_devpod import operations

    return operations.destroy(ctx, options)


@hookimpl
def sindri_connect(
    ctx: ProviderContext[DevpodSettings], command: tuple[str, ...]
) -> OperationResult:
    from sindri_providers_devpod import operations

    return operations.connect(ctx, command)
