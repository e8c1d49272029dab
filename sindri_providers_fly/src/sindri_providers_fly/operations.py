"""Status, start, stop, connect, destroy and the prerequisite check, on the app's machines."""

from __future__ import annotations

from sindri_core.plugin import (
    DeploymentState,
    DeploymentStatus,
    DestroyOptions,
    ImageResolution,
    OperationError,
    OperationResult,
    Prerequisite,
    PrerequisiteReport,
    ProviderContext,
    remove_artifacts,
)
from sindri_providers_fly.deploy import DEV_USER, FlyTarget, require_flyctl
from sindri_providers_fly.fly_toml import VOLUME_NAME
from sindri_providers_fly.flyctl import Flyctl, Machine
from sindri_providers_fly.machines import (
    deployment_status,
    live_machines,
    machine_state,
    primary_machine,
)

__all__ = ["connect", "destroy", "prerequisites", "start", "status", "stop"]

INSTALL_HINT = (
    "install flyctl: curl -L https://fly.io/install.sh | sh (https://fly.io/docs/flyctl/install/)"
)
LOGIN_HINT = "run `flyctl auth login`, or set FLY_API_TOKEN"
_ASLEEP = frozenset({DeploymentState.STOPPED, DeploymentState.SUSPENDED})
_AWAKE = frozenset({DeploymentState.RUNNING, DeploymentState.CREATING})


def prerequisites(ctx: ProviderContext) -> PrerequisiteReport:
    fly = Flyctl.locate(ctx.runner)
    items = [
        Prerequisite(
            "flyctl", "Fly.io CLI (flyctl or fly)", fly is not None, install_hint=INSTALL_HINT
        )
    ]
    if fly is not None:
        items.append(
            Prerequisite(
                "flyctl-auth", "logged in to Fly.io", fly.authenticated(), install_hint=LOGIN_HINT
            )
        )
    return PrerequisiteReport(tuple(items))


def status(ctx: ProviderContext, image: ImageResolution | None) -> DeploymentStatus:
    target = FlyTarget.of(ctx)
    fly = require_flyctl(ctx)
    configured = image.reference if image is not None else None
    machines = fly.machines(target.app) if fly.app_exists(target.app) else []
    return deployment_status(
        target.app, machines, ssh_port=target.settings.ssh_port, configured=configured
    )


def _machines(ctx: ProviderContext) -> tuple[Flyctl, FlyTarget, list[Machine]]:
    """The app's live machines; an error when there is no deployment to act on."""
    target = FlyTarget.of(ctx)
    fly = require_flyctl(ctx)
    machines = live_machines(fly.machines(target.app)) if fly.app_exists(target.app) else []
    if not machines:
        raise OperationError(f"{target.app} is not deployed on Fly.io; run `sindri deploy`")
    return fly, target, machines


def start(ctx: ProviderContext) -> OperationResult:
    fly, target, machines = _machines(ctx)
    ids = [m.id for m in machines if machine_state(m.state) not in _AWAKE]
    if not ids:
        return OperationResult(f"{target.app} is already running")
    fly.start_machines(target.app, ids)
    return OperationResult(f"Started {target.app} (machine {', '.join(ids)})")


def stop(ctx: ProviderContext) -> OperationResult:
    fly, target, machines = _machines(ctx)
    ids = [m.id for m in machines if machine_state(m.state) in _AWAKE]
    if not ids:
        return OperationResult(f"{target.app} is already stopped")
    fly.stop_machines(target.app, ids)
    return OperationResult(f"Stopped {target.app} (machine {', '.join(ids)}); data is kept")


def connect(ctx: ProviderContext, command: tuple[str, ...]) -> OperationResult:
    fly, target, machines = _machines(ctx)
    machine = primary_machine(machines)
    assert machine is not None  # _machines() returned live machines
    if machine_state(machine.state) in _ASLEEP:
        ctx.console.step(f"Starting machine {machine.id}")
        fly.start_machines(target.app, [machine.id])
    argv = fly.ssh_console_argv(target.app, DEV_USER, command, machine=machine.id)
    code = ctx.runner.interactive(argv)
    return OperationResult(message="", exit_code=code)


def destroy(ctx: ProviderContext, options: DestroyOptions) -> OperationResult:
    """Without ``--volumes`` only the machines go: the app keeps its volume and secrets, so
    the next deploy finds the data. With ``--volumes`` the whole app is destroyed."""
    target = FlyTarget.of(ctx)
    fly = require_flyctl(ctx)
    exists = fly.app_exists(target.app)
    if exists and options.volumes:
        fly.destroy_app(target.app)
        message = f"Destroyed Fly.io app {target.app} with its machines, volume and secrets"
    elif exists:
        ids = [m.id for m in live_machines(fly.machines(target.app))]
        if ids:
            fly.destroy_machines(target.app, ids)
        message = (
            f"Destroyed {len(ids)} machine(s) of {target.app}; kept the app with volume "
            f"{VOLUME_NAME} and its secrets (`sindri destroy --volumes` removes them)"
        )
    else:
        message = f"Fly.io app {target.app} does not exist; nothing to destroy"
    remove_artifacts(ctx.output_dir, warn=ctx.console.warn)
    return OperationResult(message)
