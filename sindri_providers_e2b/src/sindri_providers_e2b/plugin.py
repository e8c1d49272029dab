"""The e2b provider's hook implementations (thin: the work lives in deploy and operations).

Those modules are imported when a hook runs, not when the plugin loads: every ``sindri``
command loads every installed plugin, and most never touch E2B.
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


# Each operation's work, in the module that does it (each takes the hook's arguments).
globals().update(
    forward_hooks(
        __name__,
        check_prerequisites="operations:prerequisites",
        plan="deploy:plan",
        build="deploy:build",
        deploy="deploy:deploy",
        status="operations:status",
        start="operations:start",
        stop="operations:stop",
        connect="operations:connect",
        destroy="operations:destroy",
    )
)
