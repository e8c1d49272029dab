"""Watching the deployment's container on the engine: waiting for it to run, and saying why
it did not.

Our images need no healthcheck, so "started" means: the engine reports the container
running, and it is still running, not restarted, a moment later. That moment catches the
common failure of a container whose command exits at once (which, with a restart policy,
would otherwise flap between running and restarting unnoticed).
"""

from __future__ import annotations

import time

from sindri_core.plugin import CommandRunner, OperationError
from sindri_providers_docker.engine import ContainerInfo, container_logs, inspect_container

__all__ = ["ContainerFailed", "wait_until_running"]

POLL_INTERVAL = 0.1
SETTLE_SECONDS = 0.3
LOG_LINES = 20


class ContainerFailed(OperationError):
    """The container did not reach a steady running state; the message has its last logs."""


def wait_until_running(runner: CommandRunner, name: str, *, deadline: float) -> ContainerInfo:
    """Poll the container until it has run for :data:`SETTLE_SECONDS` without restarting.

    :param deadline: a :func:`time.monotonic` value after which waiting stops.
    :raises ContainerFailed: it exited, restarted, vanished, or did not run in time.
    """
    running_since: float | None = None
    while True:
        info = inspect_container(runner, name)
        now = time.monotonic()
        if info is None:
            raise ContainerFailed(f"container {name} disappeared while starting")
        if info.restart_count > 0 or info.restarting or info.status in ("exited", "dead"):
            raise ContainerFailed(exit_report(runner, info))
        if info.running:
            running_since = running_since if running_since is not None else now
            if now - running_since >= SETTLE_SECONDS:
                return info
        if now >= deadline:
            raise ContainerFailed(
                f"container {name} was not running within the timeout (state: {info.status})"
                + _logs_suffix(runner, name)
            )
        time.sleep(POLL_INTERVAL)  # polling the engine; the deadline bounds it


def exit_report(runner: CommandRunner, info: ContainerInfo) -> str:
    """One message for a container that stopped right after starting, with its last logs."""
    if info.restart_count > 0 or info.restarting:
        what = f"kept exiting (restarted {info.restart_count} times, last status {info.exit_code})"
    else:
        what = f"exited with status {info.exit_code}"
    return f"container {info.name} {what} right after starting" + _logs_suffix(runner, info.name)


def _logs_suffix(runner: CommandRunner, name: str) -> str:
    logs = container_logs(runner, name, tail=LOG_LINES)
    if not logs:
        return "; it wrote no output"
    indented = "\n".join(f"    {line}" for line in logs.splitlines())
    return f"; its last {LOG_LINES} log lines:\n{indented}"
