"""The ``providers.fly`` section of sindri.yaml."""

from __future__ import annotations

from typing import Literal

from sindri_core.plugin import section, setting


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
