"""The Kubernetes objects of a deployment, built as data and serialized with ruamel.yaml.

:func:`workload_spec` gathers what the objects are made from (configuration, provider
settings, the chain's image); :func:`build_manifests` turns it into plain dicts. Secret
objects are not built here (see :mod:`sindri_providers_k8s.secrets`): they hold values, and
this module's output is also written to disk.
"""

from __future__ import annotations

import hashlib
import io
from typing import TYPE_CHECKING, Any

import attrs
from ruamel.yaml import YAML
from ruamel.yaml.resolver import VersionedResolver

from sindri_core.plugin import size_to_mb
from sindri_providers_k8s.names import MANAGED_BY, DeploymentNames

if TYPE_CHECKING:
    from sindri_core.plugin import ProviderContext
    from sindri_providers_k8s.settings import IngressSettings, KubernetesSettings

__all__ = [
    "CONFIG_HASH_ANNOTATION",
    "FileMount",
    "Manifests",
    "WorkloadSpec",
    "build_manifests",
    "quantity",
    "resource",
    "to_yaml",
    "with_config_hash",
]

SSH_PORT = 2222  # the port the image's sshd listens on (SSH_PORT below), as on Fly
GPU_RESOURCE = {"nvidia": "nvidia.com/gpu", "amd": "amd.com/gpu"}
# Labels the vendors' node feature discovery puts on GPU nodes.
GPU_NODE_LABEL = {
    "nvidia": {"nvidia.com/gpu.present": "true"},
    "amd": {"feature.node.kubernetes.io/amd-gpu": "true"},
}


def quantity(size: str) -> str:
    """A sindri size as a Kubernetes quantity: ``"4GB"`` → ``"4Gi"``, ``"512MB"`` → ``"512Mi"``.

    sindri sizes are binary (as container runtimes count them), and "GB" is not a Kubernetes
    suffix at all.
    """
    mebibytes = size_to_mb(size)
    return f"{mebibytes // 1024}Gi" if mebibytes % 1024 == 0 else f"{mebibytes}Mi"


@attrs.frozen
class FileMount:
    """A ``source: file`` secret: a key of the files Secret, mounted at ``path`` with the
    secret's ``permissions`` as its mode."""

    key: str
    path: str
    mode: int = 0o644


@attrs.frozen
class WorkloadSpec:
    """Everything the manifests are made from."""

    names: DeploymentNames
    image: str
    pull_policy: str
    memory: str
    cpu: str
    volume_size: str
    home: str
    env: dict[str, str]
    storage_class: str | None = None
    gpu_vendor: str | None = None
    gpu_count: int = 0
    node_selector: dict[str, str] = attrs.field(factory=dict)
    env_secret: bool = False
    file_mounts: tuple[FileMount, ...] = ()
    pull_secret: bool = False
    ingress: IngressSettings | None = None


def workload_spec(ctx: ProviderContext, image: str, *, pull_secret: bool) -> WorkloadSpec:
    """The spec for ``ctx``'s deployment running ``image``.

    :param pull_secret: credentials for the image's registry exist (the Deployment then
        references the registry Secret).
    """
    config = ctx.config
    settings: KubernetesSettings = ctx.provider_config
    deployment = config.deployment
    resources = deployment.resources
    gpu = resources.gpu if resources.gpu.enabled else None
    # Without a port there is nothing to route: no Ingress, as in the Rust tool
    # (config validate says so: KubernetesSettings.config_notes).
    ingress = settings.ingress if settings.ingress.routable else None
    node_selector = settings.node_selector
    if node_selector is None:
        node_selector = GPU_NODE_LABEL[gpu.type] if gpu is not None else {}
    return WorkloadSpec(
        names=DeploymentNames(config.name, settings.namespace),
        image=image,
        pull_policy=deployment.image_config.pull_policy
        if deployment.image_config is not None
        else "IfNotPresent",
        memory=quantity(f"{resources.memory_mb}MB"),
        cpu=str(resources.cpu_count),
        volume_size=quantity(deployment.volumes.workspace.size),
        home=deployment.volumes.workspace.home,
        env={**config.extensions.environment(), "SSH_PORT": str(SSH_PORT)},
        storage_class=settings.storage_class,
        gpu_vendor=gpu.type if gpu is not None else None,
        gpu_count=gpu.count if gpu is not None else 0,
        node_selector=dict(node_selector),
        env_secret=any(secret.in_environment for secret in config.secrets),
        file_mounts=tuple(
            FileMount(secret.name, str(secret.mount_path), secret.mode)  # mountPath: required
            for secret, _path in ctx.secrets.file_secrets()
        ),
        pull_secret=pull_secret,
        ingress=ingress,
    )


@attrs.frozen
class Manifests:
    """The objects of a deployment without its Secrets, in the order they are applied."""

    namespace: dict[str, Any] | None
    objects: tuple[dict[str, Any], ...]

    def documents(self, secrets: tuple[dict[str, Any], ...] = ()) -> list[dict[str, Any]]:
        """The apply order: the namespace, then Secrets, then what refers to them."""
        head = [self.namespace] if self.namespace is not None else []
        return [*head, *secrets, *self.objects]


def resource(
    api_version: str, kind: str, metadata: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    """One Kubernetes object: ``apiVersion``, ``kind``, ``metadata`` and its other fields."""
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **fields}


def build_manifests(spec: WorkloadSpec) -> Manifests:
    names = spec.names
    objects = [_volume_claim(spec), _deployment(spec), _service(spec)]
    if spec.ingress is not None:
        objects.append(_ingress(spec, spec.ingress))
    namespace = None
    if names.namespace != "default":
        metadata = {"name": names.namespace, "labels": {"app.kubernetes.io/managed-by": MANAGED_BY}}
        namespace = resource("v1", "Namespace", metadata)
    return Manifests(namespace=namespace, objects=tuple(objects))


def with_config_hash(manifests: Manifests) -> tuple[Manifests, str]:
    """The manifests with their hash (sha256 hex of the objects written without it) as an
    annotation of the Deployment: ``deploy`` compares it with the live Deployment's to leave
    an unchanged deployment alone (Secrets are not part of it: they hold values)."""
    config_hash = hashlib.sha256(to_yaml(manifests.documents()).encode()).hexdigest()
    objects = []
    for document in manifests.objects:
        if document["kind"] == "Deployment":
            metadata = {
                **document["metadata"],
                "annotations": {CONFIG_HASH_ANNOTATION: config_hash},
            }
            document = {**document, "metadata": metadata}
        objects.append(document)
    return attrs.evolve(manifests, objects=tuple(objects)), config_hash


def _volume_claim(spec: WorkloadSpec) -> dict[str, Any]:
    claim: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": spec.volume_size}},
    }
    if spec.storage_class:
        claim["storageClassName"] = spec.storage_class
    metadata = spec.names.metadata(spec.names.volume_claim)
    return resource("v1", "PersistentVolumeClaim", metadata, spec=claim)


def _deployment(spec: WorkloadSpec) -> dict[str, Any]:
    names = spec.names
    pod: dict[str, Any] = {
        "containers": [_container(spec)],
        "volumes": _volumes(spec),
    }
    if spec.pull_secret:
        pod["imagePullSecrets"] = [{"name": names.registry_secret}]
    if spec.node_selector:
        pod["nodeSelector"] = dict(spec.node_selector)
    body = {
        "replicas": 1,
        # One pod owns the ReadWriteOnce home volume: stop the old pod before the new one.
        "strategy": {"type": "Recreate"},
        "selector": {"matchLabels": names.selector_labels()},
        "template": {"metadata": {"labels": names.labels()}, "spec": pod},
    }
    return resource("apps/v1", "Deployment", names.metadata(names.deployment), spec=body)


def _container(spec: WorkloadSpec) -> dict[str, Any]:
    names = spec.names
    amounts = {"cpu": spec.cpu, "memory": spec.memory}
    if spec.gpu_vendor is not None:
        amounts[GPU_RESOURCE[spec.gpu_vendor]] = str(spec.gpu_count)
    ports = [{"name": "ssh", "containerPort": SSH_PORT, "protocol": "TCP"}]
    if spec.ingress is not None:
        ports.append({"name": "http", "containerPort": spec.ingress.port, "protocol": "TCP"})
    container: dict[str, Any] = {
        "name": "sindri",
        "image": spec.image,
        "imagePullPolicy": spec.pull_policy,
        "stdin": True,
        "tty": True,
        "ports": ports,
        "env": [{"name": key, "value": value} for key, value in spec.env.items()],
    }
    if spec.env_secret:
        container["envFrom"] = [{"secretRef": {"name": names.env_secret}}]
    # What the user asked for is reserved, not just capped: requests equal limits.
    container["resources"] = {"requests": dict(amounts), "limits": dict(amounts)}
    container["volumeMounts"] = [{"name": "home", "mountPath": spec.home}] + [
        {"name": "secret-files", "mountPath": m.path, "subPath": m.key, "readOnly": True}
        for m in spec.file_mounts
    ]
    return container


def _volumes(spec: WorkloadSpec) -> list[dict[str, Any]]:
    volumes: list[dict[str, Any]] = [
        {"name": "home", "persistentVolumeClaim": {"claimName": spec.names.volume_claim}}
    ]
    if spec.file_mounts:
        volumes.append(
            {
                "name": "secret-files",
                "secret": {
                    "secretName": spec.names.files_secret,
                    "defaultMode": 0o400,
                    # Each key with its own mode: the kubelet writes it so (items[].mode).
                    "items": [
                        {"key": m.key, "path": m.key, "mode": m.mode} for m in spec.file_mounts
                    ],
                },
            }
        )
    return volumes


def _service(spec: WorkloadSpec) -> dict[str, Any]:
    ports = [{"name": "ssh", "port": SSH_PORT, "targetPort": "ssh", "protocol": "TCP"}]
    if spec.ingress is not None:
        ports.append(
            {"name": "http", "port": spec.ingress.port, "targetPort": "http", "protocol": "TCP"}
        )
    body = {"type": "ClusterIP", "selector": spec.names.selector_labels(), "ports": ports}
    return resource("v1", "Service", spec.names.metadata(spec.names.service), spec=body)


def _ingress(spec: WorkloadSpec, ingress: IngressSettings) -> dict[str, Any]:
    path = {
        "path": "/",
        "pathType": "Prefix",
        "backend": {"service": {"name": spec.names.service, "port": {"name": "http"}}},
    }
    rule: dict[str, Any] = {"host": ingress.hostname} if ingress.hostname else {}
    rule["http"] = {"paths": [path]}
    body: dict[str, Any] = {"rules": [rule]}
    if ingress.class_name:
        body["ingressClassName"] = ingress.class_name
    metadata = spec.names.metadata(spec.names.ingress)
    return resource("networking.k8s.io/v1", "Ingress", metadata, spec=body)


# -- serialization ------------------------------------------------------------------------------


class _Yaml11Resolver(VersionedResolver):
    """Resolve plain scalars as YAML 1.1 does, so the dumper quotes ``yes``/``on``/``012``.

    kubectl reads manifests with a YAML 1.1 parser: an unquoted env value ``on`` would reach
    the API server as the boolean ``true``.
    """

    @property
    def processing_version(self) -> Any:
        return (1, 1)


CONFIG_HASH_ANNOTATION = "sindri.dev/manifests-sha256"

FILE_HEADER = (
    "# Generated by sindri; `sindri deploy` applies these objects (server-side apply).\n"
    "# Secret objects are applied from memory through stdin and never written to disk.\n"
)


def to_yaml(documents: list[dict[str, Any]]) -> str:
    """A multi-document YAML stream of ``documents``."""
    yaml = YAML(typ="rt")
    yaml.Resolver = _Yaml11Resolver
    yaml.explicit_start = True
    stream = io.StringIO()
    yaml.dump_all(documents, stream)
    return stream.getvalue()
