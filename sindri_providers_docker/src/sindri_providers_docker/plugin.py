"""The docker provider's hook implementations: thin entry points into one module per
concept (deploy, status, control, prerequisites).

Those modules are imported when a hook runs, not when the plugin loads: every ``sindri``
command loads every installed plugin, and most never touch Docker.
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
    from sindri_providers_docker.settings import DockerSettings

INFO = ProviderInfo(
    name="docker",
    aliases=("docker-compose",),
    description="Local Docker engine with Docker Compose v2",
    capabilities=Capabilities(
        build=BuildLocation.LOCAL, prebuilt_image=True, gpu=True, tools=("docker",)
    ),
    config_class="sindri_providers_docker.settings:DockerSettings",
    notes=(
        "Builds locally with docker build when no image is configured (or with deploy --force).",
    ),
)


@hookimpl
def sindri_provider_info() -> ProviderInfo:
    return INFO


@hookimpl
def sindri_check_prerequisites(ctx: ProviderContext[DockerSettings]) -> PrerequisiteReport:
    from sindri_providers_docker.prerequisites import check_prerequisites

    return check_prerequisites(ctx.runner)


@hookimpl
def sindri_plan(ctx: ProviderContext[DockerSettings], image: ImageResolution) -> Plan:
    from sindri_providers_docker.deploy import plan

    return plan(ctx, image)


@hookimpl
def sindri_build(
    ctx: ProviderContext[DockerSettings], build: BuildContext, options: BuildOptions
) -> BuiltImage:
    from sindri_core.plugin import build_image

    return build_image(ctx.runner, build, build.tag, force=options.force, console=ctx.console)


@hookimpl
def sindri_deploy(
    ctx: ProviderContext[DockerSettings],
    image: ImageResolution,
    build: BuildContext | None,
    options: DeployOptions,
) -> DeployResult:
    from sindri_providers_docker.deploy import deploy

    return deploy(ctx, image, build, options)


@hookimpl
def sindri_status(
    ctx: ProviderContext[DockerSettings], image: ImageResolution | None
) -> DeploymentStatus:
    from sindri_providers_docker.status import status

    return status(ctx, image)


@hookimpl
def sindri_start(ctx: ProviderContext[DockerSettings]) -> OperationResult:
    from sindri_providers_docker.control import start

    return start(ctx)


@hookimpl
def sindri_stop(ctx: ProviderContext[DockerSettings]) -> OperationResult:
    from sindri_providers_docker.control import stop

    return stop(ctx)


@hookimpl
def sindri_connect(
    ctx: ProviderContext[DockerSettings], command: tuple[str, ...]
) -> OperationResult:
    from sindri_providers_docker.control import connect

    return connect(ctx, command)


@hookimpl
def sindri_destroy(
    ctx: ProviderContext[DockerSettings], options: DestroyOptions
) -> OperationResult:
    from sindri_providers_docker.control import destroy

    return destroy(ctx, options)
