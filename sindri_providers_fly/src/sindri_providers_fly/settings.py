"""The ``providers.fly`` section of sindri.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from sindri_core.plugin import ConfigError, section, setting


def _gb_between(value: str, low: int, high: int) -> None:
    """flyctl's own bounds (internal/appconfig/validation.go): it refuses a fly.toml outside."""
    if not low <= int(value[:-2]) <= high:
        raise ConfigError(f"{value!r} is out of range; allowed: {low}GB to {high}GB")


def _increment(value: str, siblings: Mapping[str, Any]) -> None:
    _gb_between(value, 1, 100)


def _limit(value: str, siblings: Mapping[str, Any]) -> None:
    _gb_between(value, 1, 500)


@section
class FlySettings:
    region: str = setting("sjc", doc="Primary region.", example="ams")
    organization: str | None = setting(
        None, doc="Organization the app is created in (default: your personal one)."
    )
    auto_stop_machines: bool = setting(True, key="autoStopMachines", doc="Stop idle machines.")
    auto_start_machines: bool = setting(
        True, key="autoStartMachines", doc="Start machines on incoming connections."
    )
    cpu_kind: Literal["shared", "performance"] = setting(
        "shared", key="cpuKind", doc="Machine CPU kind."
    )
    ssh_port: int = setting(
        10022,
        key="sshPort",
        doc="External port of the SSH service.",
        minimum=1024,
        maximum=65535,
    )
    high_availability: bool = setting(
        False, key="highAvailability", doc="Run two machines (flyctl deploy --ha)."
    )
    build_locally: bool = setting(
        False, key="buildLocally", doc="Build with the local Docker engine (--local-only)."
    )
    dedicated_ipv4: bool = setting(
        True,
        key="dedicatedIpv4",
        doc="Give a new app a dedicated IPv4 address beside its IPv6 one, as the Rust tool "
        "does, so SSH reaches it over IPv4; Fly.io bills a dedicated IPv4 monthly. false: "
        "IPv6 only.",
    )
    snapshot_retention: int = setting(
        7,
        key="snapshotRetention",
        doc="Days Fly.io keeps the home volume's daily snapshots.",
        minimum=1,
        maximum=60,
    )
    auto_extend: bool = setting(
        True,
        key="autoExtend",
        doc="Grow the home volume by itself when it fills up (the three settings below).",
    )
    auto_extend_size_threshold: int = setting(
        80,
        key="autoExtendSizeThreshold",
        doc="Percent used at which the volume grows.",
        minimum=50,
        maximum=99,
    )
    auto_extend_size_increment: str = setting(
        "5GB",
        key="autoExtendSizeIncrement",
        doc="How much it grows each time (1GB to 100GB).",
        pattern=r"^[1-9][0-9]*GB$",
        pattern_hint="whole GB such as 5GB",
        check=_increment,
    )
    auto_extend_size_limit: str = setting(
        "250GB",
        key="autoExtendSizeLimit",
        doc="The size it never grows beyond (1GB to 500GB).",
        pattern=r"^[1-9][0-9]*GB$",
        pattern_hint="whole GB such as 250GB",
        check=_limit,
    )
