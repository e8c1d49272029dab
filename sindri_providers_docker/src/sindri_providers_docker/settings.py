"""The ``providers.docker`` section of sindri.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from sindri_core.plugin import ConfigError, Forbid, constraints, section, setting


def _port(value: str, siblings: Mapping[str, Any]) -> None:
    from sindri_providers_docker.compose_file import parse_port

    parse_port(value)


def _host_entry(value: str, siblings: Mapping[str, Any]) -> None:
    """``name:ip`` (or compose's ``name=ip``), one /etc/hosts line: no spaces, no newline."""
    name, separator, address = value.partition("=" if "=" in value else ":")
    if any(c.isspace() or ord(c) < 32 for c in value) or not (separator and name and address):
        raise ConfigError(f"{value!r} is not a host entry; write NAME:IP, without spaces")


@section
class DindSettings:
    enabled: bool = setting(False, doc="Run Docker inside the environment.")
    mode: Literal["sysbox", "privileged", "socket", "auto"] = setting(
        "auto",
        doc="sysbox: sysbox-runc runtime; privileged: a privileged inner daemon with its own "
        "volume; socket: the host's Docker socket mounted; auto: sysbox when installed, else "
        "privileged.",
    )
    storage_driver: Literal["auto", "overlay2", "fuse-overlayfs", "vfs"] = setting(
        "auto",
        key="storageDriver",
        doc="Storage driver of the inner daemon, passed as SINDRI_DIND_STORAGE_DRIVER.",
    )
    storage_size: str = setting(
        "20GB",
        key="storageSize",
        doc="Size hint for the inner daemon's storage, passed as SINDRI_DIND_STORAGE_SIZE.",
        pattern=r"^[1-9][0-9]*(MB|GB)$",
        pattern_hint="a size such as 20GB",
    )


@constraints(
    *(
        Forbid(
            f"published ports need the bridge network, not {mode!r}",
            at="ports",
            equals=(("network", mode),),
            nonempty=("ports",),
        )
        for mode in ("host", "none")
    )
)
@section
class DockerSettings:
    network: Literal["bridge", "host", "none"] = setting(
        "bridge",
        doc="Network mode of the container (compose network_mode); published ports need bridge.",
    )
    restart: Literal["no", "always", "on-failure", "unless-stopped"] = setting(
        "unless-stopped", doc="Restart policy of the container (compose restart)."
    )
    ports: list[str] = setting(
        factory=list,
        doc='Published ports, "HOST:CONTAINER" or "IP:HOST:CONTAINER", optionally with "/tcp" '
        'or "/udp"; a "CONTAINER" port alone gets a host port the engine picks (as in '
        "compose); bridge network only.",
        example=["127.0.0.1:2222:22"],
        check=_port,
    )
    privileged: bool = setting(False, doc="Run the container privileged.")
    extra_hosts: list[str] = setting(
        factory=list,
        key="extraHosts",
        doc='Extra /etc/hosts entries, "name:ip".',
        check=_host_entry,
    )
    runtime: Literal["runc", "sysbox-runc", "auto"] = setting(
        "auto",
        doc="Container runtime: auto uses the engine's default (sysbox-runc for DinD in sysbox "
        "mode); runc or sysbox-runc set it explicitly.",
    )
    dind: DindSettings = setting(factory=DindSettings, doc="Docker-in-Docker.")
