"""The devpod provider's hook implementations (thin: the work lives in deploy and operations).

Those modules are imported when a hook runs, not when the plugin loads: every ``sindri``
command loads every installed plugin, and most never touch DevPod.
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
    name="devpod",
    aliases=(),
    description="DevPod workspaces on Docker, Kubernetes, SSH or cloud VMs",
    capabilities=Capabilities(
        build=BuildLocation.PER_BACKEND,
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
