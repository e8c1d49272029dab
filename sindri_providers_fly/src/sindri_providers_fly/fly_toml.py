"""fly.toml as data: the machine size, the home volume, the SSH service, and (build mode only)
the Dockerfile build.

The document is a plain dict serialised by tomli_w, so no value is ever pasted into TOML
text. It holds no secret and no internal key: ``[env]`` carries only the variables the
container reads.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import attrs
import tomli_w

from sindri_core.plugin import BuildContext, ConfigError, Gpu, SindriConfig, size_to_mb
from sindri_providers_fly.settings import FlySettings

__all__ = [
    "FILE_SECRET_PREFIX",
    "GPU_TIERS",
    "SSH_INTERNAL_PORT",
    "VOLUME_NAME",
    "BuildSpec",
    "FileMount",
    "GpuTier",
    "VmSpec",
    "build_spec",
    "fly_document",
    "render",
    "vm_spec",
    "volume_size_gb",
]

# The Sindri image runs sshd on this port; the Fly proxy forwards providers.fly.sshPort to it.
SSH_INTERNAL_PORT = 2222
# The name sindri's Rust version used: existing apps keep their data volume.
VOLUME_NAME = "home_data"
# File secrets are staged as base64 app secrets under this prefix and written by [[files]].
FILE_SECRET_PREFIX = "SINDRI_FILE_"  # noqa: S105 (a name prefix, not a secret)

# Fly's machine limits (flyctl MachinePresets): memory per CPU and allowed CPU counts.
CPU_COUNTS = (1, 2, 4, 8, 16)
MAX_SHARED_CPUS = 8
MEMORY_PER_CPU_MB = {"shared": (256, 2048), "performance": (2048, 8192)}
MEMORY_STEP_MB = 256


@attrs.frozen
class GpuTier:
    """A Fly GPU kind (the Machines API ``gpu_kind``) and the machine it comes with."""

    gpu_kind: str
    gpu_memory_gb: int
    cpus: int
    memory_mb: int


# Tiers ordered by GPU memory; cpus/memory are performance sizes Fly accepts with GPUs.
GPU_TIERS: dict[str, GpuTier] = {
    "gpu-small": GpuTier("a10", 24, 8, 32768),
    "gpu-medium": GpuTier("a100-pcie-40gb", 40, 8, 32768),
    "gpu-large": GpuTier("l40s", 48, 16, 65536),
    "gpu-xlarge": GpuTier("a100-sxm4-80gb", 80, 16, 131072),
}
GPU_COUNTS = (1, 2, 4, 8)


@attrs.frozen
class VmSpec:
    cpu_kind: str
    cpus: int
    memory_mb: int
    gpu_kind: str | None = None
    gpus: int | None = None

    @property
    def has_gpu(self) -> bool:
        return self.gpu_kind is not None


@attrs.frozen
class BuildSpec:
    """The ``[build]`` section: the Dockerfile relative to fly.toml (flyctl resolves it against
    the config file's directory) and the build arguments."""

    dockerfile: str
    args: dict[str, str]


@attrs.frozen
class FileMount:
    """A ``source: file`` secret: written to ``guest_path`` from the app secret ``secret_name``."""

    guest_path: str
    secret_name: str


def _gpu_tier(gpu: Gpu) -> GpuTier:
    if gpu.type != "nvidia":
        raise ConfigError(
            f"'{gpu.type}' GPUs are not offered by Fly.io; allowed: nvidia",
            path="deployment.resources.gpu.type",
        )
    if gpu.count not in GPU_COUNTS:
        raise ConfigError(
            f"{gpu.count} GPUs per machine is not offered by Fly.io; allowed: "
            + ", ".join(map(str, GPU_COUNTS)),
            path="deployment.resources.gpu.count",
        )
    if gpu.tier is not None:
        return GPU_TIERS[gpu.tier]
    if gpu.memory is None:
        return GPU_TIERS["gpu-small"]
    wanted_gb = math.ceil(size_to_mb(gpu.memory) / 1024)
    for tier in GPU_TIERS.values():
        if tier.gpu_memory_gb >= wanted_gb:
            return tier
    largest = max(t.gpu_memory_gb for t in GPU_TIERS.values())
    raise ConfigError(
        f"{gpu.memory} of GPU memory is more than any Fly.io GPU has (at most {largest}GB)",
        path="deployment.resources.gpu.memory",
    )


def vm_spec(config: SindriConfig, settings: FlySettings) -> VmSpec:
    """The machine size from ``deployment.resources``, checked against what Fly accepts.

    With a GPU the tier decides the GPU kind and the default CPUs and memory (GPUs need
    performance CPUs); explicit ``resources.cpus``/``memory`` still win.

    :raises ConfigError: a size Fly cannot run, naming the field and the allowed values.
    """
    resources = config.deployment.resources
    tier = _gpu_tier(resources.gpu) if resources.gpu.enabled else None
    cpu_kind = "performance" if tier else settings.cpu_kind
    cpus = resources.cpus or (tier.cpus if tier else resources.cpu_count)
    memory_mb = size_to_mb(resources.memory) if resources.memory else None
    if memory_mb is None:
        memory_mb = tier.memory_mb if tier else resources.memory_mb
    _check_size(cpu_kind, cpus, memory_mb)
    if tier is None:
        return VmSpec(cpu_kind=cpu_kind, cpus=cpus, memory_mb=memory_mb)
    return VmSpec(cpu_kind, cpus, memory_mb, gpu_kind=tier.gpu_kind, gpus=resources.gpu.count)


def _check_size(cpu_kind: str, cpus: int, memory_mb: int) -> None:
    allowed = [c for c in CPU_COUNTS if cpu_kind == "performance" or c <= MAX_SHARED_CPUS]
    if cpus not in allowed:
        raise ConfigError(
            f"{cpus} {cpu_kind} CPUs is not a Fly.io machine size; allowed: "
            + ", ".join(map(str, allowed)),
            path="deployment.resources.cpus",
        )
    low, high = (per_cpu * cpus for per_cpu in MEMORY_PER_CPU_MB[cpu_kind])
    if not low <= memory_mb <= high or memory_mb % MEMORY_STEP_MB:
        raise ConfigError(
            f"{memory_mb}MB does not fit {cpus} {cpu_kind} CPUs on Fly.io; allowed: "
            f"{low}MB to {high}MB in steps of {MEMORY_STEP_MB}MB",
            path="deployment.resources.memory",
        )


def volume_size_gb(config: SindriConfig) -> int:
    """Fly sizes volumes in whole GB: ``512MB`` becomes 1GB."""
    return max(1, math.ceil(size_to_mb(config.deployment.volumes.workspace.size) / 1024))


def build_spec(build: BuildContext, fly_toml: Path) -> BuildSpec:
    """``[build]`` for ``build``; the Dockerfile path is relative to fly.toml's directory."""
    dockerfile = os.path.relpath(build.dockerfile, fly_toml.parent)
    return BuildSpec(dockerfile=Path(dockerfile).as_posix(), args=dict(build.build_args))


def environment(config: SindriConfig) -> dict[str, str]:
    """What the container reads at start: the extension variables and the sshd port."""
    return {**config.extensions.environment(), "SSH_PORT": str(SSH_INTERNAL_PORT)}


def fly_document(
    config: SindriConfig,
    settings: FlySettings,
    *,
    build: BuildSpec | None = None,
    files: tuple[FileMount, ...] = (),
) -> dict[str, Any]:
    """The fly.toml document. ``build`` is ``None`` in image mode: the image comes from
    ``flyctl deploy --image``, so nothing in the file could trigger a build."""
    vm = vm_spec(config, settings)
    document: dict[str, Any] = {"app": config.name, "primary_region": settings.region}
    if build is not None:
        document["build"] = {"dockerfile": build.dockerfile, "args": dict(build.args)}
    document["env"] = environment(config)
    document["mounts"] = [_mount(config, settings)]
    document["services"] = [_ssh_service(settings, vm)]
    document["vm"] = [_vm_table(vm)]
    if files:
        document["files"] = [
            {"guest_path": f.guest_path, "secret_name": f.secret_name} for f in files
        ]
    return document


def _mount(config: SindriConfig, settings: FlySettings) -> dict[str, Any]:
    """The home volume, with the Rust tool's defaults: daily snapshots kept a week, and a
    volume that grows by itself (flyctl: internal/appconfig/config.go ``Mount``)."""
    mount: dict[str, Any] = {
        "source": VOLUME_NAME,
        "destination": config.deployment.volumes.workspace.home,
        "initial_size": f"{volume_size_gb(config)}gb",
        "snapshot_retention": settings.snapshot_retention,
    }
    if settings.auto_extend:
        mount["auto_extend_size_threshold"] = settings.auto_extend_size_threshold
        mount["auto_extend_size_increment"] = settings.auto_extend_size_increment
        mount["auto_extend_size_limit"] = settings.auto_extend_size_limit
    return mount


def _ssh_service(settings: FlySettings, vm: VmSpec) -> dict[str, Any]:
    # Fly cannot suspend GPU machines; those are stopped instead.
    idle = "stop" if vm.has_gpu else "suspend"
    return {
        "protocol": "tcp",
        "internal_port": SSH_INTERNAL_PORT,
        "auto_stop_machines": idle if settings.auto_stop_machines else "off",
        "auto_start_machines": settings.auto_start_machines,
        "min_machines_running": 0,
        "ports": [{"port": settings.ssh_port}],
        "tcp_checks": [{"interval": "30s", "timeout": "10s", "grace_period": "120s"}],
    }


def _vm_table(vm: VmSpec) -> dict[str, Any]:
    table: dict[str, Any] = {
        "cpu_kind": vm.cpu_kind,
        "cpus": vm.cpus,
        "memory": f"{vm.memory_mb}mb",
    }
    if vm.has_gpu:
        table.update(gpu_kind=vm.gpu_kind, gpus=vm.gpus)
    return table


def render(document: dict[str, Any]) -> str:
    header = "# Generated by sindri from sindri.yaml; changes are overwritten on deploy.\n"
    return header + tomli_w.dumps(document)
