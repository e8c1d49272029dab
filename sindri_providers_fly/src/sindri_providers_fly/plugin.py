"""The fly provider's hook implementations (thin: the work lives in deploy and operations).

Those modules are imported when a hook runs, not when the plugin loads: every ``sindri``
command loads every installed plugin, and most never touch Fly.
"""

from __future__ import annotations

from sindri_core.plugin import (
    BuildLocation,
    Capabilities,
    ProviderInfo,
    forward_hooks,
    hookimpl,
)

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


# Each operation's work, in the module that does it (each takes the hook's arguments).
globals().update(
    forward_hooks(
        __name__,
        check_prerequisites="operations:prerequisites",
        plan="deploy:plan",
        build="deploy:build_image",
        deploy="deploy:deploy",
        status="operations:status",
        start="operations:start",
        stop="operations:stop",
        connect="operations:connect",
        destroy="operations:destroy",
    )
)
