"""The option names each devpod provider defines (the ``options:`` keys of its provider.yaml),
at the releases named in ``sindri_providers_devpod.backends.PROVIDER_VERSIONS``.

Read from ``hack/provider/provider.yaml`` of loft-sh/devpod-provider-aws v0.0.17,
-gcloud v0.0.12, -azure v0.11.0, -digitalocean v0.0.2 and -ssh v0.0.16, and from
``providers/docker/provider.yaml`` and ``providers/kubernetes/provider.yaml`` of loft-sh/devpod
v0.7.0-alpha.34. devpod drops an option its provider does not define without a word.
"""

from __future__ import annotations

_COMMON = {
    "INACTIVITY_TIMEOUT",
    "INJECT_GIT_CREDENTIALS",
    "INJECT_DOCKER_CREDENTIALS",
    "AGENT_PATH",
}

OPTIONS: dict[str, frozenset[str]] = {
    "aws": frozenset(
        _COMMON
        | {
            "AWS_REGION",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_PROFILE",
            "AWS_DISK_SIZE",
            "AWS_ROOT_DEVICE",
            "AWS_VPC_ID",
            "AWS_SUBNET_ID",
            "AWS_SECURITY_GROUP_ID",
            "AWS_AVAILABILITY_ZONE",
            "AWS_AMI",
            "AWS_INSTANCE_PROFILE_ARN",
            "AWS_INSTANCE_TAGS",
            "AWS_INSTANCE_TYPE",
            "AWS_USE_INSTANCE_CONNECT_ENDPOINT",
            "AWS_INSTANCE_CONNECT_ENDPOINT_ID",
            "AWS_USE_SPOT_INSTANCE",
            "AWS_USE_SESSION_MANAGER",
            "AWS_KMS_KEY_ARN_FOR_SESSION_MANAGER",
            "CUSTOM_AWS_CREDENTIAL_COMMAND",
            "AWS_PROVIDER",
        }
    ),
    "gcp": frozenset(
        _COMMON
        | {
            "PROJECT",
            "ZONE",
            "NETWORK",
            "SUBNETWORK",
            "TAG",
            "DISK_SIZE",
            "DISK_IMAGE",
            "SERVICE_ACCOUNT",
            "PUBLIC_IP_ENABLED",
            "MACHINE_TYPE",
            "GCLOUD_PROVIDER_TOKEN",
            "GCLOUD_PROVIDER",
        }
    ),
    "azure": frozenset(
        _COMMON
        | {
            "AZURE_SUBSCRIPTION_ID",
            "AZURE_RESOURCE_GROUP",
            "AZURE_REGION",
            "AZURE_DISK_SIZE",
            "AZURE_IMAGE",
            "AZURE_DISK_TYPE",
            "AZURE_INSTANCE_SIZE",
            "AZURE_CUSTOM_DATA",
            "AZURE_TAGS",
            "AZURE_PROVIDER_TOKEN",
            "AZURE_PROVIDER",
        }
    ),
    "digitalocean": frozenset(
        _COMMON
        | {
            "TOKEN",
            "REGION",
            "DISK_SIZE",
            "DISK_IMAGE",
            "MACHINE_TYPE",
            "AGENT_DATA_PATH",
            "DO_PROVIDER",
        }
    ),
    "ssh": frozenset(
        _COMMON | {"DOCKER_PATH", "HOST", "PORT", "EXTRA_FLAGS", "USE_BUILTIN_SSH", "SSH_PROVIDER"}
    ),
    "kubernetes": frozenset(
        {
            "DISK_SIZE",
            "KUBERNETES_CONTEXT",
            "KUBERNETES_CONFIG",
            "KUBERNETES_PULL_SECRETS_ENABLED",
            "KUBERNETES_NAMESPACE",
            "CREATE_NAMESPACE",
            "CLUSTER_ROLE",
            "SERVICE_ACCOUNT",
            "INACTIVITY_TIMEOUT",
            "POD_TIMEOUT",
            "STORAGE_CLASS",
            "PVC_ACCESS_MODE",
            "PVC_ANNOTATIONS",
            "NODE_SELECTOR",
            "RESOURCES",
            "POD_MANIFEST_TEMPLATE",
            "LABELS",
            "DOCKERLESS_IMAGE",
            "DOCKERLESS_DISABLED",
            "STRICT_SECURITY",
            "WORKSPACE_VOLUME_MOUNT",
            "ARCHITECTURE",
        }
    ),
    "docker": frozenset({"INACTIVITY_TIMEOUT", "DOCKER_PATH", "DOCKER_HOST", "DOCKER_BUILDER"}),
}
