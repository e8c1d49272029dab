"""The docker provider's hook implementations: thin entry points into one module per
concept (deploy, status, control, prerequisites).

Those modules are imported when a hook runs, not when the plugin loads: every ``sindri``
command loads every installed plugin, and most never touch Docker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
        BuildOptions,
        BuiltImage,
        PrerequisiteReport,
        ProviderContext,
    )

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
def sindri_check_prerequisites(ctx: ProviderContext[Any]) -> PrerequisiteReport:
    from sindri_providers_docker.prerequisites import check_prerequisites

    return check_prerequisites(ctx.runner)


@hookimpl
def sindri_build(
    ctx: ProviderContext[Any], build: BuildContext, options: BuildOptions
) -> BuiltImage:
    from sindri_core.plugin import build_image

    return build_image(ctx.runner, build, build.tag, force=options.force, console=ctx.console)


# Each operation's work, in the module that does it (each takes the hook's arguments).
globals().update(
    forward_hooks(
        __name__,
        plan="deploy:plan",
        deploy="deploy:deploy",
        status="status:status",
        start="control:start",
        stop="control:stop",
        connect="control:connect",
        destroy="control:destroy",
    )
)
