"""DevPod backends: the devpod provider each `type` selects, its options, and how it builds.

Every documented option of a backend's block is passed to devpod as a provider option
(``-o KEY=VALUE``); none is parsed and ignored.
"""

from __future__ import annotations

import enum

from sindri_core.config.model import SindriConfig
from sindri_providers_devpod.settings import DevpodSettings

__all__ = ["BuildStrategy", "build_strategy", "devpod_provider_name", "provider_options"]


class BuildStrategy(str, enum.Enum):
    """What happens when the image chain says "build"."""

    DEVCONTAINER = "devcontainer"  # devpod builds the Dockerfile itself (local docker)
    LOAD = "load"  # sindri builds locally and loads into a local kind/k3d cluster
    PUSH = "push"  # sindri builds locally and pushes to buildRepository


def devpod_provider_name(settings: DevpodSettings) -> str:
    return {"gcp": "gcloud"}.get(settings.type, settings.type)


def build_strategy(settings: DevpodSettings, *, local_cluster: bool) -> BuildStrategy:
    if settings.type == "docker":
        return BuildStrategy.DEVCONTAINER
    if settings.type == "kubernetes" and local_cluster:
        return BuildStrategy.LOAD
    # Remote machines only see what is pushed: the build context may live outside the
    # workspace source devpod uploads (the Sindri source cache).
    return BuildStrategy.PUSH


def _present(options: dict[str, object]) -> dict[str, str]:
    def text(value: object) -> str:
        return str(value).lower() if isinstance(value, bool) else str(value)

    return {key: text(value) for key, value in options.items() if value not in (None, "", {})}


def _kubernetes_resources(config: SindriConfig) -> str:
    resources = config.deployment.resources
    parts = [f"limits.cpu={resources.cpu_count}", f"limits.memory={resources.memory_mb}Mi"]
    if resources.gpu.enabled:
        vendor = "nvidia.com/gpu" if resources.gpu.type == "nvidia" else "amd.com/gpu"
        parts.append(f"limits.{vendor}={resources.gpu.count}")
    return ",".join(parts)


def provider_options(settings: DevpodSettings, config: SindriConfig) -> dict[str, str]:
    """``-o`` options for the selected backend."""
    kind = settings.type
    if kind == "aws":
        o = settings.aws
        return _present(
            {
                "AWS_REGION": o.region,
                "AWS_INSTANCE_TYPE": o.instance_type,
                "AWS_DISK_SIZE": o.disk_size,
                "AWS_USE_SPOT_INSTANCE": o.use_spot,
                "AWS_SUBNET_ID": o.subnet_id,
                "AWS_SECURITY_GROUP_ID": o.security_group_id,
            }
        )
    if kind == "gcp":
        o = settings.gcp
        return _present(
            {
                "PROJECT": o.project,
                "ZONE": o.zone,
                "MACHINE_TYPE": o.machine_type,
                "DISK_SIZE": o.disk_size,
                "DISK_TYPE": o.disk_type,
            }
        )
    if kind == "azure":
        o = settings.azure
        return _present(
            {
                "AZURE_SUBSCRIPTION_ID": o.subscription,
                "AZURE_RESOURCE_GROUP": o.resource_group,
                "AZURE_REGION": o.location,
                "AZURE_INSTANCE_SIZE": o.vm_size,
                "AZURE_DISK_SIZE": o.disk_size,
            }
        )
    if kind == "digitalocean":
        o = settings.digitalocean
        return _present({"REGION": o.region, "MACHINE_TYPE": o.size, "DISK_SIZE": o.disk_size})
    if kind == "kubernetes":
        o = settings.kubernetes
        selector = ",".join(f"{k}={v}" for k, v in sorted(o.node_selector.items()))
        return _present(
            {
                "KUBERNETES_CONTEXT": o.context,
                "KUBERNETES_NAMESPACE": o.namespace,
                "STORAGE_CLASS": o.storage_class,
                "NODE_SELECTOR": selector,
                "DISK_SIZE": config.deployment.volumes.workspace.size.replace("GB", "Gi").replace(
                    "MB", "Mi"
                ),
                "RESOURCES": _kubernetes_resources(config),
            }
        )
    if kind == "ssh":
        o = settings.ssh
        host = f"{o.user}@{o.host}" if o.host else None
        return _present({"HOST": host, "PORT": o.port, "EXTRA_FLAGS": f"-i {o.key_path}"})
    return _present({"DOCKER_HOST": settings.docker.docker_host})
