"""The fly provider's hook implementations (thin: the work lives in deploy and operations)."""

from __future__ import annotations

from sindri_core import hookimpl
from sindri_core.build.context import BuildContext
from sindri_core.image.resolution import ImageResolution
from sindri_core.lifecycle import (
    BuildOptions,
    BuiltImage,
    DeploymentStatus,
    DeployOptions,
    DeployResult,
    DestroyOptions,
    OperationResult,
    Plan,
    ProviderContext,
)
from sindri_core.provider import BuildLocation, Capabilities, PrerequisiteReport, ProviderInfo
from sindri_providers_fly import deploy, operations
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


@hookimpl
def sindri_check_prerequisites(ctx: ProviderContext) -> PrerequisiteReport:
    return operations.prerequisites(ctx)


@hookimpl
def sindri_plan(ctx: ProviderContext, image: ImageResolution) -> Plan:
    return deploy.plan(ctx, image)


@hookimpl
def sindri_build(ctx: ProviderContext, build: BuildContext, options: BuildOptions) -> BuiltImage:
    return deploy.build_image(ctx, build, options)


@hookimpl
def sindri_deploy(
    ctx: ProviderContext,
    image: ImageResolution,
    build: BuildContext | None,
    options: DeployOptions,
) -> DeployResult:
    return deploy.deploy(ctx, image, build, options)


@hookimpl
def sindri_status(ctx: ProviderContext, image: ImageResolution | None) -> DeploymentStatus:
    return operations.status(ctx, image)


@hookimpl
def sindri_destroy(ctx: ProviderContext, options: DestroyOptions) -> OperationResult:
    return operations.destroy(ctx, options)


@hookimpl
def sindri_start(ctx: ProviderContext) -> OperationResult:
    return operations.start(ctx)


@hookimpl
def sindri_stop(ctx: ProviderContext) -> OperationResult:
    return operations.stop(ctx)


@hookimpl
def sindri_connect(ctx: ProviderContext, command: tuple[str, ...]) -> OperationResult:
    return operations.connect(ctx, command)
