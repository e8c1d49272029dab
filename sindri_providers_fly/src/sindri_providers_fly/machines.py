"""From Fly machine states to sindri's deployment state.

Every state in Fly's machine lifecycle (https://fly.io/docs/machines/machine-states/) is
mapped; a state Fly adds later shows as ``unknown`` with its name in the details.
"""

from __future__ import annotations

from collections.abc import Sequence

from sindri_core.plugin import DeploymentState, DeploymentStatus
from sindri_providers_fly.flyctl import Machine

__all__ = ["MACHINE_STATES", "deployment_status", "machine_state", "primary_machine"]

_S = DeploymentState
MACHINE_STATES: dict[str, DeploymentState] = {
    "created": _S.CREATING,
    "creating": _S.CREATING,
    "starting": _S.CREATING,
    "restarting": _S.CREATING,
    "updating": _S.CREATING,
    "replacing": _S.CREATING,
    "started": _S.RUNNING,
    "stopping": _S.STOPPED,
    "stopped": _S.STOPPED,
    "suspending": _S.SUSPENDED,
    "suspended": _S.SUSPENDED,
    "failed": _S.ERROR,
    "launch_failed": _S.ERROR,
    # On their way out or gone: they no longer make a deployment.
    "destroying": _S.NOT_DEPLOYED,
    "destroyed": _S.NOT_DEPLOYED,
    "replaced": _S.NOT_DEPLOYED,
}

# When an app has several machines (--ha), the most alive one speaks for the deployment.
_PREFERENCE = (_S.RUNNING, _S.CREATING, _S.SUSPENDED, _S.STOPPED, _S.ERROR, _S.UNKNOWN)


def machine_state(state: str) -> DeploymentState:
    return MACHINE_STATES.get(state, DeploymentState.UNKNOWN)


def live_machines(machines: Sequence[Machine]) -> list[Machine]:
    return [m for m in machines if machine_state(m.state) is not DeploymentState.NOT_DEPLOYED]


def primary_machine(machines: Sequence[Machine]) -> Machine | None:
    live = live_machines(machines)
    if not live:
        return None
    return min(live, key=lambda m: _PREFERENCE.index(machine_state(m.state)))


def deployment_status(
    app: str, machines: Sequence[Machine], *, ssh_port: int, configured: str | None
) -> DeploymentStatus:
    """The status of ``app`` from its machines; ``configured`` is the chain's image."""
    machine = primary_machine(machines)
    if machine is None:
        return DeploymentStatus(
            state=DeploymentState.NOT_DEPLOYED, configured_image=configured, details={"app": app}
        )
    addresses = [f"{app}.fly.dev:{ssh_port}"]
    if machine.private_ip:
        addresses.append(machine.private_ip)
    details = {
        "app": app,
        "machine_id": machine.id,
        "machine_state": machine.state,
        "region": machine.region,
        "machines": ", ".join(f"{m.id} {m.state}" for m in machines),
    }
    if machine.image_digest:
        details["image_digest"] = machine.image_digest
    return DeploymentStatus(
        state=machine_state(machine.state),
        image=machine.image,
        configured_image=configured if configured != machine.image else None,
        addresses=tuple(addresses),
        details=details,
    )
