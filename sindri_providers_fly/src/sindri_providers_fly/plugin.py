"""The fly provider's hook implementations (thin: the work lives in deploy and operations).

Those modules are imported when a hook runs, not when the plugin loads: every ``sindri``
command loads every installed plugin, and most never touch Fly.
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
    from sindri_providers_fly.settings import FlySettings

INFO = ProviderInfo(
    name="fly",
    aliases=(),
    description="Fly.io machines via flyctl",
    capabilities=Capabilities(
        build=BuildLocation.REMOTE, prebuilt_image=True, gpu=True, tools=("flyctl",)
    ),
    config_class="sindri_providers_fly.settings:FlySettings",
    notes=(
        "A configured image is deployed with flyctl deploy --image; with none, Fly builds "
        "the Dockerfile remotely.",
    ),
)


@hookimpl
def sindri_provider_info() -> ProviderInfo:
    return INFO


@hookimpl
def sindri_check_prerequisites(ctx: ProviderContext[FlySettings]) -> PrerequisiteReport:
    from sindri_providers_fly import operations

    return operations.prerequisites(ctx)


@hookimpl
def sindri_plan(ctx: ProviderContext[FlySettings], image: ImageResolution) -> Plan:
    from sindri_providers_fly import deploy

    return deploy.plan(ctx, image)


@hookimpl
def sindri_build(
    ctx: ProviderContext[FlySettings], build: BuildContext, options: BuildOptions
) -> BuiltImage:
    from sindri_providers_fly import deploy

    return deploy.build_image(ctx, build, options)


@hookimpl
def sindri_deploy(
    ctx: ProviderContext[FlySettings],
    image: ImageResolution,
    build: BuildContext | None,
    options: DeployOptions,
) -> DeployResult:
    from sindri_providers_fly import deploy

    return deploy.deploy(ctx, image, build, options)


@hookimpl
def sindri_status(
    ctx: ProviderContext[FlySettings], image: ImageResolution | None
) -> DeploymentStatus:
    from sindri_providers_fly import operations

    return operations.status(ctx, image)


@hookimpl
def sindri_destroy(ctx: ProviderContext[FlySettings], options: DestroyOptions) -> OperationResult:
    from sindri_providers_fly import operations

    return operations.destroy(ctx, options)


@hookimpl
def sindri_start(ctx: ProviderContext[FlySettings]) -> OperationResult:
    from sindri_providers_fly import operations

    return operations.start(ctx)


@hookimpl
def sindri_stop(ctx: ProviderContext[FlySettings]) -> OperationResult:
    from sindri_providers_fly import operations

    return operations.stop(ctx)


@hookimpl
def sindri_connect(ctx: ProviderContext[FlySettings], command: tuple[str, ...]) -> OperationResult:
    from sindri_providers_fly import operations

    return operations.connect(ctx, command)
