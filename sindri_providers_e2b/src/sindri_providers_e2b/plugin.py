"""The e2b provider's hook implementations (thin: the work lives in deploy and operations).

Those modules are imported when a hook runs, not when the plugin loads: every ``sindri``
command loads every installed plugin, and most never touch E2B.
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
    from sindri_providers_e2b.settings import E2bSettings

INFO = ProviderInfo(
    name="e2b",
    aliases=(),
    description="E2B cloud sandboxes built from templates",
    capabilities=Capabilities(
        build=BuildLocation.REMOTE,
        prebuilt_image=True,
        gpu=False,
        tools=(),
        file_secrets=False,
        environment=("E2B_API_KEY",),
    ),
    config_class="sindri_providers_e2b.settings:E2bSettings",
    config_rules="sindri_providers_e2b.config_rules:findings",
    notes=(
        "Sandboxes run from a template built from a Dockerfile, or FROM a configured image; "
        "multi-stage Dockerfiles are built locally and pushed to buildRepository.",
        "Private unless publicAccess is true; secrets are passed when the sandbox is created, "
        "never baked into the template.",
    ),
)


@hookimpl
def sindri_provider_info() -> ProviderInfo:
    return INFO


@hookimpl
def sindri_check_prerequisites(ctx: ProviderContext[E2bSettings]) -> PrerequisiteReport:
    from sindri_providers_e2b import operations

    return operations.prerequisites(ctx)


@hookimpl
def sindri_plan(ctx: ProviderContext[E2bSettings], image: ImageResolution) -> Plan:
    from sindri_providers_e2b import deploy

    return deploy.plan(ctx, image)


@hookimpl
def sindri_build(
    ctx: ProviderContext[E2bSettings], build: BuildContext, options: BuildOptions
) -> BuiltImage:
    from sindri_providers_e2b import deploy

    return deploy.build(ctx, build, options)


@hookimpl
def sindri_deploy(
    ctx: ProviderContext[E2bSettings],
    image: ImageResolution,
    build: BuildContext | None,
    options: DeployOptions,
) -> DeployResult:
    from sindri_providers_e2b import deploy

    return deploy.deploy(ctx, image, build, options)


@hookimpl
def sindri_status(
    ctx: ProviderContext[E2bSettings], image: ImageResolution | None
) -> DeploymentStatus:
    from sindri_providers_e2b import operations

    return operations.status(ctx, image)


@hookimpl
def sindri_start(ctx: ProviderContext[E2bSettings]) -> OperationResult:
    from sindri_providers_e2b import operations

    return operations.start(ctx)


@hookimpl
def sindri_stop(ctx: ProviderContext[E2bSettings]) -> OperationResult:
    from sindri_providers_e2b import operations

    return operations.stop(ctx)


@hookimpl
def sindri_destroy(ctx: ProviderContext[E2bSettings], options: DestroyOptions) -> OperationResult:
    from sindri_providers_e2b import operations

    return operations.destroy(ctx, options)


@hookimpl
def sindri_connect(ctx: ProviderContext[E2bSettings], command: tuple[str, ...]) -> OperationResult:
    from sindri_providers_e2b import operations

    return operations.connect(ctx, command)
