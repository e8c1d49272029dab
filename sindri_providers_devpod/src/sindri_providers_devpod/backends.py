"""DevPod backends: the devpod provider each `type` selects, its options, and how it builds.

Every documented option of a backend's block is passed to devpod as a provider option
(``-o KEY=VALUE``); none is parsed and ignored, except ``gcp.diskType``, whose one allowed value
is what devpod's gcloud provider always creates. devpod drops an option its provider does not
define without a word, so each name below is one the provider's ``hack/provider/provider.yaml``
defines at :data:`PROVIDER_VERSIONS` (the table test in tests/devpod checks them).
"""

from __future__ import annotations

import enum

from sindri_core.plugin import SindriConfig
from sindri_providers_devpod.settings import DevpodSettings

__all__ = [
    "PROVIDER_VERSIONS",
    "BuildStrategy",
    "build_strategy",
    "devpod_provider_name",
    "provider_options",
]


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


# The devpod provider releases whose options OPTION_NAMES and _derived_options use: docker and
# kubernetes are built into devpod (``providers/*/provider.yaml``).
PROVIDER_VERSIONS: dict[str, str] = {
    "aws": "loft-sh/devpod-provider-aws v0.0.17",
    "gcp": "loft-sh/devpod-provider-gcloud v0.0.12",
    "azure": "loft-sh/devpod-provider-azure v0.11.0",
    "digitalocean": "loft-sh/devpod-provider-digitalocean v0.0.2",
    "ssh": "loft-sh/devpod-provider-ssh v0.0.16",
    "kubernetes": "loft-sh/devpod v0.7.0-alpha.34",
    "docker": "loft-sh/devpod v0.7.0-alpha.34",
}

# Each backend block's fields and the devpod provider option each one becomes.
OPTION_NAMES: dict[str, dict[str, str]] = {
    "aws": {
        "region": "AWS_REGION",
        "instance_type": "AWS_INSTANCE_TYPE",
        "disk_size": "AWS_DISK_SIZE",
        "use_spot": "AWS_USE_SPOT_INSTANCE",
        "subnet_id": "AWS_SUBNET_ID",
        "security_group_id": "AWS_SECURITY_GROUP_ID",
    },
    "gcp": {
        "project": "PROJECT",
        "zone": "ZONE",
        "machine_type": "MACHINE_TYPE",
        "disk_size": "DISK_SIZE",
    },
    "azure": {
        "subscription": "AZURE_SUBSCRIPTION_ID",
        "resource_group": "AZURE_RESOURCE_GROUP",
        "location": "AZURE_REGION",
        "vm_size": "AZURE_INSTANCE_SIZE",
        "disk_size": "AZURE_DISK_SIZE",
    },
    "digitalocean": {"region": "REGION", "size": "MACHINE_TYPE", "disk_size": "DISK_SIZE"},
    "kubernetes": {
        "context": "KUBERNETES_CONTEXT",
        "namespace": "KUBERNETES_NAMESPACE",
        "storage_class": "STORAGE_CLASS",
    },
    "ssh": {"port": "PORT"},
    "docker": {"docker_host": "DOCKER_HOST"},
}


def _derived_options(settings: DevpodSettings, config: SindriConfig) -> dict[str, object]:
    """Options built from more than one field, or from the deployment itself."""
    if settings.type == "kubernetes":
        block = settings.kubernetes
        size = config.deployment.volumes.workspace.size
        return {
            "NODE_SELECTOR": ",".join(f"{k}={v}" for k, v in sorted(block.node_selector.items())),
            "DISK_SIZE": size.replace("GB", "Gi").replace("MB", "Mi"),
            "RESOURCES": _kubernetes_resources(config),
        }
    if settings.type == "ssh":
        ssh = settings.ssh
        return {
            "HOST": f"{ssh.user}@{ssh.host}" if ssh.host else None,
            "EXTRA_FLAGS": f"-i {ssh.key_path}",
        }
    return {}


def provider_options(settings: DevpodSettings, config: SindriConfig) -> dict[str, str]:
    """``-o`` options for the selected backend: every field of its block, none ignored."""
    block = getattr(settings, settings.type)
    options = {
        option: getattr(block, field) for field, option in OPTION_NAMES[settings.type].items()
    }
    return _present({**options, **_derived_options(settings, config)})
