"""Docker-in-Docker: which mode a deployment really gets, decided before anything is written.

The reference silently fell back to "no DinD" when an explicit ``sysbox`` was unavailable;
here that is an error. ``auto`` decides as the Rust tool does: sysbox when the engine has it,
else a privileged container only when ``providers.docker.privileged: true`` allows one, else
no Docker-in-Docker at all; :func:`describe_dind` says which and why (plan and deploy show it).
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from sindri_core.plugin import ConfigError, OperationError
from sindri_providers_docker.settings import DockerSettings

__all__ = ["DOCKER_SOCKET", "SYSBOX_RUNTIME", "DindMode", "describe_dind", "resolve_dind",
           "socket_group"]  # fmt: skip

SYSBOX_RUNTIME = "sysbox-runc"
DOCKER_SOCKET = "/var/run/docker.sock"


def socket_group(path: str = DOCKER_SOCKET) -> int | None:
    """The group id owning the engine's socket, which socket mode mounts; ``None`` when
    there is no such socket here."""
    from pathlib import Path

    try:
        return Path(path).stat().st_gid
    except OSError:
        return None


class DindMode(str, enum.Enum):
    NONE = "none"
    SYSBOX = "sysbox"  # the sysbox runtime isolates an inner daemon without privileges
    PRIVILEGED = "privileged"  # a privileged container with its own /var/lib/docker volume
    SOCKET = "socket"  # the host engine's socket mounted in: containers are siblings


def resolve_dind(settings: DockerSettings, runtimes: Callable[[], frozenset[str]]) -> DindMode:
    """The DinD mode to generate for ``settings``.

    :param runtimes: asks the engine for its runtimes; only called when the answer matters.
    :raises ConfigError: the settings contradict each other.
    :raises OperationError: sysbox was asked for and the engine does not have it.
    """
    dind = settings.dind
    if not dind.enabled:
        return DindMode.NONE
    if dind.mode == "privileged":
        return DindMode.PRIVILEGED
    if dind.mode == "socket":
        return DindMode.SOCKET
    if settings.runtime == "runc":
        if dind.mode == "sysbox":
            raise ConfigError(
                "runtime 'runc' contradicts dind.mode 'sysbox' (which runs on sysbox-runc); "
                "set runtime to auto or sysbox-runc",
                path="providers.docker.runtime",
            )
        return _without_sysbox(settings)
    if settings.runtime == SYSBOX_RUNTIME:
        return DindMode.SYSBOX
    available = runtimes()
    if SYSBOX_RUNTIME in available:
        return DindMode.SYSBOX
    if dind.mode == "sysbox":
        found = ", ".join(sorted(available)) or "none reported"
        raise OperationError(
            f"providers.docker.dind.mode is sysbox but the Docker engine has no {SYSBOX_RUNTIME} "
            f"runtime (runtimes: {found}); install sysbox, or use mode privileged or socket"
        )
    return _without_sysbox(settings)


def _without_sysbox(settings: DockerSettings) -> DindMode:
    """``auto`` without sysbox: privileged only when the configuration allows it."""
    return DindMode.PRIVILEGED if settings.privileged else DindMode.NONE


def describe_dind(settings: DockerSettings, mode: DindMode) -> str | None:
    """Which Docker-in-Docker mode was chosen and why; ``None`` when none was asked for."""
    dind = settings.dind
    if not dind.enabled:
        return None
    if dind.mode != "auto":
        return f"Docker-in-Docker mode: {mode.value} (dind.mode: {dind.mode})"
    if mode is DindMode.SYSBOX:
        return f"Docker-in-Docker mode: sysbox (auto: the engine has {SYSBOX_RUNTIME})"
    if mode is DindMode.PRIVILEGED:
        return (
            f"Docker-in-Docker mode: privileged (auto: no {SYSBOX_RUNTIME} runtime, and "
            "providers.docker.privileged: true allows a privileged container)"
        )
    return (
        f"Docker-in-Docker is off (auto: no {SYSBOX_RUNTIME} runtime, and a privileged "
        "container needs providers.docker.privileged: true); install sysbox, set "
        "privileged: true, or use dind.mode socket"
    )
