"""``status``: what the engine says, not what the configuration hopes.

The image shown is the one the container was created from; the configured one is added when
it differs, and ``drift`` says what a ``sindri deploy`` would change (the image, the compose
file, or starting it). Nothing configured and nothing running shows ``Image: none``.
"""

from __future__ import annotations

from sindri_core.plugin import (
    ChangeAction,
    ContainerInfo,
    DeploymentState,
    DeploymentStatus,
    ImageResolution,
    ProviderContext,
    SindriError,
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
    if image is not None:
        configured = _drift(ctx, image, info, details)
    return DeploymentStatus(
        STATES.get(info.status, DeploymentState.UNKNOWN),
        image=info.image,
        configured_image=configured if configured != info.image else None,
        addresses=info.ports,
        details=details,
    )


def _drift(
    ctx: ProviderContext, image: ImageResolution, info: ContainerInfo, details: dict[str, object]
) -> str | None:
    """The image sindri.yaml asks for (a local build's real tag); ``drift`` is added to
    ``details`` when a deploy would change something."""
    from sindri_providers_docker.deploy import drift

    try:
        wanted, change = drift(ctx, image, info)
    except SindriError as exc:  # a missing secret must not hide the deployment's state
        details["drift"] = f"not compared: {exc}"
        return image.reference
    if change is None:  # a placeholder tag: nothing to compare before the sources are fetched
        return None
    if change.action is ChangeAction.UPDATE and change.after == "running":
        # Stopped (`sindri stop`) and otherwise as configured: start it, no deploy needed.
        details["hint"] = "`sindri start` starts it"
        return wanted
    if change.action is ChangeAction.UPDATE:
        details["drift"] = f"{change.before} → {change.after}; `sindri deploy` applies it"
    return wanted
