"""``status``: what the engine says, not what the configuration hopes.

The image shown is the one the container was created from; the configured one is added when
it differs (a redeploy is due). Nothing configured and nothing running shows ``Image: none``.
"""

from __future__ import annotations

from sindri_core.plugin import (
    DeploymentState,
    DeploymentStatus,
    ImageResolution,
    ProviderContext,
    container_stats,
    inspect_container,
)
from sindri_providers_docker.names import DeploymentNames

__all__ = ["status"]

# The engine's container states; "restarting" means its command keeps exiting.
STATES = {
    "created": DeploymentState.CREATING,
    "running": DeploymentState.RUNNING,
    "paused": DeploymentState.PAUSED,
    "exited": DeploymentState.STOPPED,
    "restarting": DeploymentState.ERROR,
    "dead": DeploymentState.ERROR,
}


def status(ctx: ProviderContext, image: ImageResolution | None) -> DeploymentStatus:
    names = DeploymentNames.of(ctx)
    configured = image.reference if image is not None else None
    info = inspect_container(ctx.runner, names.container)
    if info is None or not info.has_labels(names.labels):
        details: dict[str, object] = {}
        if info is not None:
            details["note"] = f"a container named {info.name} exists but sindri did not create it"
        return DeploymentStatus(
            DeploymentState.NOT_DEPLOYED, configured_image=configured, details=details
        )
    details = {
        "container_id": info.id[:12],
        "compose_project": names.project,
        "home_volume": names.home_volume,
    }
    if info.status == "exited":
        details["exit_code"] = info.exit_code
    if info.running:
        details["started_at"] = info.started_at
        usage = container_stats(ctx.runner, names.container)
        for key, field in (("cpu_usage", "CPUPerc"), ("memory_usage", "MemUsage")):
            if usage.get(field):
                details[key] = usage[field]
    # A build's configured reference is a placeholder until built: nothing to compare.
    differs = image is not None and not image.is_build and configured != info.image
    return DeploymentStatus(
        STATES.get(info.status, DeploymentState.UNKNOWN),
        image=info.image,
        configured_image=configured if differs else None,
        addresses=info.ports,
        details=details,
    )
