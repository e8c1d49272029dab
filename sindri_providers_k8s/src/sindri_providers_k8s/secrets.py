"""The Secret objects of a deployment: app secrets, secret files, registry credentials.

They are built in memory at deploy time and reach the cluster only through kubectl's stdin:
never a command-line argument, never a file (``manifests.yaml`` holds everything else). The
Deployment refers to each of them (``envFrom``, a ``secret`` volume, ``imagePullSecrets``), so
the values actually reach the pod.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

import attrs

from sindri_providers_k8s.manifests import resource
from sindri_providers_k8s.names import DeploymentNames

if TYPE_CHECKING:
    from sindri_core.plugin import Credentials, SecretValues
    from sindri_providers_k8s.manifests import WorkloadSpec

__all__ = ["RegistryAuth", "deployment_secrets", "docker_config_json", "registry_secret"]

# The key Docker and the kubelet use for Docker Hub in a docker config's "auths".
DOCKER_HUB_KEY = "https://index.docker.io/v1/"


@attrs.frozen
class RegistryAuth:
    """Credentials found for the registry the image is pulled from."""

    registry: str
    credentials: Credentials = attrs.field(repr=False)


def deployment_secrets(
    spec: WorkloadSpec, secrets: SecretValues, registry_auth: RegistryAuth | None
) -> tuple[dict[str, Any], ...]:
    """The Secrets ``spec``'s Deployment refers to, with their values.

    :param registry_auth: credentials for the image's registry; ``spec.pull_secret`` is set
        exactly when there are some.
    :raises ConfigError: a required secret has no value.
    """
    names = spec.names
    objects: list[dict[str, Any]] = []
    if spec.env_secret:
        values = secrets.env_values()
        body = {"stringData": values} if values else {}
        objects.append(_secret(names, names.env_secret, "Opaque", body))
    if spec.file_mounts:
        files = {
            secret.name: base64.b64encode(path.read_bytes()).decode("ascii")
            for secret, path in secrets.file_secrets()
        }
        objects.append(_secret(names, names.files_secret, "Opaque", {"data": files}))
    if spec.pull_secret and registry_auth is not None:
        objects.append(registry_secret(names, registry_auth))
    return tuple(objects)


def registry_secret(names: DeploymentNames, auth: RegistryAuth) -> dict[str, Any]:
    """A ``kubernetes.io/dockerconfigjson`` Secret holding the registry's credentials."""
    config = docker_config_json(auth.registry, auth.credentials)
    body = {"stringData": {".dockerconfigjson": config}}
    return _secret(names, names.registry_secret, "kubernetes.io/dockerconfigjson", body)


def docker_config_json(registry: str, credentials: Credentials) -> str:
    """A docker ``config.json`` with one entry, keyed the way the kubelet looks it up."""
    key = DOCKER_HUB_KEY if registry in {"docker.io", "index.docker.io"} else registry
    pair = f"{credentials.username}:{credentials.password}"
    auth = base64.b64encode(pair.encode()).decode("ascii")
    entry = {"username": credentials.username, "password": credentials.password, "auth": auth}
    return json.dumps({"auths": {key: entry}}, sort_keys=True)


def _secret(names: DeploymentNames, name: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    return resource("v1", "Secret", names.metadata(name), type=kind, **body)
