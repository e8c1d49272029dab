"""Docker-in-Docker: which mode a deployment really gets, decided before anything is written.

The reference silently fell back to "no DinD" when the requested mode was unavailable; here
an explicit ``sysbox`` without the runtime is an error, and ``auto`` picks sysbox when the
engine has it and a privileged inner daemon otherwise (as ``providers.docker.dind.mode``
documents).
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from sindri_core.plugin import ConfigError, OperationError
from sindri_providers_docker.settings import DockerSettings

__all__ = ["SYSBOX_RUNTIME", "DindMode", "resolve_dind"]

SYSBOX_RUNTIME = "sysbox-runc"


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
        return DindMode.PRIVILEGED
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
    return DindMode.PRIVILEGED
