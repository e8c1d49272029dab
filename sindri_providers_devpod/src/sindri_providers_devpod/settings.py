"""The ``providers.devpod`` section of sindri.yaml."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from sindri_core.plugin import section, setting


@section
class AwsOptions:
    region: str = setting("us-west-2", doc="AWS region.")
    instance_type: str = setting("c5.xlarge", key="instanceType", doc="EC2 instance type.")
    disk_size: int = setting(40, key="diskSize", doc="Disk size in GB.", minimum=1)
    use_spot: bool = setting(False, key="useSpot", doc="Use spot instances.")
    subnet_id: str | None = setting(None, key="subnetId", doc="Subnet id.")
    security_group_id: str | None = setting(None, key="securityGroupId", doc="Security group id.")


@section
class GcpOptions:
    project: str | None = setting(None, doc="GCP project.")
    zone: str = setting("us-central1-a", doc="GCP zone.")
    machine_type: str = setting("e2-standard-4", key="machineType", doc="Machine type.")
    disk_size: int = setting(40, key="diskSize", doc="Disk size in GB.", minimum=1)
    # devpod-provider-gcloud v0.0.12 has no disk-type option and always creates pd-balanced
    # disks (cmd/create.go); the Rust tool's schema allows three types (and ignores them), so
    # the others are accepted and reported as ignored (DevpodSettings.config_notes).
    disk_type: Literal["pd-standard", "pd-balanced", "pd-ssd"] = setting(
        "pd-balanced",
        key="diskType",
        doc="Disk type; devpod's gcloud provider always creates pd-balanced, so another value "
        "is ignored (config validate says so).",
    )


@section
class AzureOptions:
    subscription: str | None = setting(None, doc="Azure subscription id.")
    resource_group: str = setting("devpod-resources", key="resourceGroup", doc="Resource group.")
    location: str = setting("eastus", doc="Azure location.")
    vm_size: str = setting("Standard_D4s_v3", key="vmSize", doc="VM size.")
    disk_size: int = setting(40, key="diskSize", doc="Disk size in GB.", minimum=1)


@section
class DigitalOceanOptions:
    region: str = setting("nyc3", doc="Droplet region.")
    size: str = setting("s-4vcpu-8gb", doc="Droplet size.")
    disk_size: int | None = setting(None, key="diskSize", doc="Disk size in GB.", minimum=1)


@section
class KubernetesOptions:
    namespace: str = setting("devpod", doc="Namespace of the workspace pod.")
    storage_class: str | None = setting(None, key="storageClass", doc="StorageClass.")
    context: str | None = setting(None, doc="kubectl context (kind-*/k3d-* means local).")
    node_selector: dict[str, str] = setting(
        factory=dict, key="nodeSelector", doc="Node selector labels."
    )


@section
class SshOptions:
    host: str | None = setting(None, doc="SSH host.")
    user: str = setting("root", doc="SSH user.")
    port: int = setting(22, doc="SSH port.", minimum=1, maximum=65535)
    key_path: str = setting("~/.ssh/id_rsa", key="keyPath", doc="Private key path.")


@section
class DockerOptions:
    docker_host: str | None = setting(None, key="dockerHost", doc="DOCKER_HOST to use.")


@section
class DevpodSettings:
    type: Literal["docker", "kubernetes", "ssh", "aws", "gcp", "azure", "digitalocean"] = setting(
        "docker", doc="DevPod provider (backend) that runs the workspace."
    )
    build_repository: str | None = setting(
        None,
        key="buildRepository",
        doc="Registry repository built images are pushed to (remote Kubernetes and cloud).",
        example="ghcr.io/me/sindri-dev",
    )
    remote_user: str = setting(
        "developer", key="remoteUser", doc="User the dev container runs as (remoteUser)."
    )
    aws: AwsOptions = setting(factory=AwsOptions, doc="Options for type aws.")
    gcp: GcpOptions = setting(factory=GcpOptions, doc="Options for type gcp.")
    azure: AzureOptions = setting(factory=AzureOptions, doc="Options for type azure.")
    digitalocean: DigitalOceanOptions = setting(
        factory=DigitalOceanOptions, doc="Options for type digitalocean."
    )
    kubernetes: KubernetesOptions = setting(
        factory=KubernetesOptions, doc="Options for type kubernetes."
    )
    ssh: SshOptions = setting(factory=SshOptions, doc="Options for type ssh.")
    docker: DockerOptions = setting(factory=DockerOptions, doc="Options for type docker.")

    def config_notes(self) -> Iterator[tuple[str, str]]:
        if self.type == "gcp" and self.gcp.disk_type != "pd-balanced":
            yield (
                "gcp.diskType",
                f"{self.gcp.disk_type} is ignored: devpod's gcloud provider always creates "
                "pd-balanced disks",
            )
