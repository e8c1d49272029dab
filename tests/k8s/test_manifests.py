"""The generated objects are valid Kubernetes (kubernetes-validate, strict, offline) and say
what the configuration says."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from ruamel.yaml import YAML

from sindri_core.config.model import WorkspaceVolume
from sindri_core.errors import ConfigError
from sindri_core.image.credentials import Credentials
from sindri_core.project import Project
from sindri_providers_k8s.manifests import (
    build_manifests,
    quantity,
    to_yaml,
    workload_spec,
)
from sindri_providers_k8s.secrets import RegistryAuth, deployment_secrets
from tests.k8s.conftest import IMAGE, NAME

# A release the local kubectl speaks, and the newest the validator ships.
K8S_VERSIONS = ("1.32", kubernetes_validate.latest_version())
SECRET_VALUE = "s3cr3t-value-7f1c"
FILE_SECRET = "-----BEGIN KEY-----\nfile-secret-9d2e\n"
CREDENTIALS = Credentials(username="robot", password="ghp_pull_token_4a8b", source="test")


def load(write_config, text: str) -> Project:
    return Project.load(write_config(text))


def objects(project: Project, *, pull: bool = False) -> list[dict[str, Any]]:
    ctx = project.context()
    spec = workload_spec(ctx, IMAGE, pull_secret=pull)
    auth = RegistryAuth("ghcr.io", CREDENTIALS) if pull else None
    return build_manifests(spec).documents(deployment_secrets(spec, ctx.secrets, auth))


def by_kind(documents: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for document in documents:
        found.setdefault(document["kind"], []).append(document)
    return found


def container(documents: list[dict[str, Any]]) -> dict[str, Any]:
    (deployment,) = by_kind(documents)["Deployment"]
    return deployment["spec"]["template"]["spec"]["containers"][0]


def assert_valid(documents: list[dict[str, Any]]) -> None:
    for document in documents:
        for version in K8S_VERSIONS:
            kubernetes_validate.validate(document, version, strict=True)


BASE = textwrap.dedent(f"""\
    version: "3.0"
    name: {NAME}
    deployment:
      provider: kubernetes
      image: {IMAGE}
    """)

SCENARIOS = {
    "default-namespace": BASE,
    "custom-namespace": BASE + "providers:\n  kubernetes:\n    namespace: team-a\n",
    "storage-class": BASE + "providers:\n  kubernetes:\n    storageClass: fast-ssd\n",
    "gpu-nvidia": BASE + "  resources:\n    gpu: {enabled: true, count: 2}\n",
    "gpu-amd": BASE + "  resources:\n    gpu: {enabled: true, type: amd}\n",
    "ingress": BASE + "providers:\n  kubernetes:\n    ingress:\n      enabled: true\n"
    "      hostname: dev.example.com\n      port: 8080\n      className: nginx\n",
    "ingress-any-host": BASE
    + "providers:\n  kubernetes:\n    ingress: {enabled: true, port: 3000}\n",
    "secrets": BASE
    + "secrets:\n  - name: API_TOKEN\n  - name: SSH_KEY\n    source: file\n    path: key.pem\n"
    "    mountPath: /alt/home/developer/.ssh/key.pem\n    permissions: '0600'\n",
}


@pytest.mark.parametrize("scenario", [*sorted(SCENARIOS), "pull-secret"])
def test_every_manifest_validates_strictly(
    scenario: str, write_config, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("API_TOKEN", SECRET_VALUE)
    (tmp_path / "project").mkdir(exist_ok=True)
    (tmp_path / "project" / "key.pem").write_text(FILE_SECRET)
    pull = scenario == "pull-secret"
    documents = objects(load(write_config, SCENARIOS.get(scenario, BASE)), pull=pull)

    assert_valid(documents)
    kinds = [d["kind"] for d in documents]
    assert ("Secret" in kinds) == (scenario in {"pull-secret", "secrets"})
    assert ("Namespace" in kinds) == (scenario == "custom-namespace")
    assert ("Ingress" in kinds) == scenario.startswith("ingress")
    assert {"PersistentVolumeClaim", "Deployment", "Service"} <= set(kinds)


def test_a_mistyped_field_fails_validation() -> None:
    """The validator is strict: a manifest we got wrong would be caught."""
    bad = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "x"},
        "spec": {"selector": {"a": "b"}, "ports": [{"port": 22, "targetPorts": "ssh"}]},
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, "1.32", strict=True)


def test_default_objects(write_config) -> None:
    documents = objects(load(write_config, BASE))
    kinds = by_kind(documents)
    assert sorted(kinds) == ["Deployment", "PersistentVolumeClaim", "Service"]
    labels = {
        "app.kubernetes.io/name": "sindri",
        "app.kubernetes.io/instance": NAME,
        "app.kubernetes.io/managed-by": "sindri",
    }
    for document in documents:
        assert document["metadata"]["labels"] == labels
        assert document["metadata"]["namespace"] == "default"
    (deployment,) = kinds["Deployment"]
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert deployment["spec"]["template"]["metadata"]["labels"] == labels
    pod = deployment["spec"]["template"]["spec"]
    assert "imagePullSecrets" not in pod and "nodeSelector" not in pod
    c = container(documents)
    assert c["image"] == IMAGE
    assert c["imagePullPolicy"] == "IfNotPresent"
    assert c["resources"] == {
        "requests": {"cpu": "2", "memory": "4Gi"},
        "limits": {"cpu": "2", "memory": "4Gi"},
    }
    assert "envFrom" not in c
    assert c["volumeMounts"] == [{"name": "home", "mountPath": "/alt/home/developer"}]
    env = {e["name"]: e["value"] for e in c["env"]}
    assert env["INSTALL_PROFILE"] == "minimal" and env["INIT_WORKSPACE"] == "true"
    (claim,) = kinds["PersistentVolumeClaim"]
    assert claim["metadata"]["name"] == f"{NAME}-home"
    assert claim["spec"]["resources"]["requests"]["storage"] == "10Gi"
    assert "storageClassName" not in claim["spec"]
    assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == f"{NAME}-home"


def test_custom_namespace_is_created_and_used(write_config) -> None:
    documents = objects(load(write_config, SCENARIOS["custom-namespace"]))
    assert documents[0] == {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "team-a", "labels": {"app.kubernetes.io/managed-by": "sindri"}},
    }
    assert {d["metadata"]["namespace"] for d in documents[1:]} == {"team-a"}


def test_resources_storage_class_and_pull_policy(write_config) -> None:
    text = textwrap.dedent(f"""\
        version: "3.0"
        name: {NAME}
        deployment:
          provider: k8s
          image_config:
            registry: ghcr.io/pacphi/sindri
            tag_override: 3.1.4
            pull_policy: Always
          resources: {{memory: 512MB, cpus: 3}}
          volumes:
            workspace: {{size: 50GB}}
        providers:
          kubernetes: {{storageClass: fast-ssd}}
        """)
    documents = objects(Project.load(write_config(text)))
    c = container(documents)
    assert c["imagePullPolicy"] == "Always"
    assert c["resources"]["limits"] == {"cpu": "3", "memory": "512Mi"}
    (claim,) = by_kind(documents)["PersistentVolumeClaim"]
    assert claim["spec"]["storageClassName"] == "fast-ssd"
    assert claim["spec"]["resources"]["requests"]["storage"] == "50Gi"


@pytest.mark.parametrize(
    ("scenario", "resource", "selector"),
    [
        ("gpu-nvidia", ("nvidia.com/gpu", "2"), {"nvidia.com/gpu.present": "true"}),
        ("gpu-amd", ("amd.com/gpu", "1"), {"feature.node.kubernetes.io/amd-gpu": "true"}),
    ],
)
def test_gpu_limits_and_node_selector(write_config, scenario, resource, selector) -> None:
    documents = objects(load(write_config, SCENARIOS[scenario]))
    c = container(documents)
    key, count = resource
    assert c["resources"]["limits"][key] == count
    assert c["resources"]["requests"][key] == count
    (deployment,) = by_kind(documents)["Deployment"]
    assert deployment["spec"]["template"]["spec"]["nodeSelector"] == selector


def test_configured_node_selector_replaces_the_gpu_default(write_config) -> None:
    text = SCENARIOS["gpu-nvidia"] + "providers:\n  kubernetes:\n    nodeSelector: {pool: gpu}\n"
    documents = objects(load(write_config, text))
    (deployment,) = by_kind(documents)["Deployment"]
    assert deployment["spec"]["template"]["spec"]["nodeSelector"] == {"pool": "gpu"}


def test_secrets_are_referenced_by_the_pod(
    write_config, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("API_TOKEN", SECRET_VALUE)
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "key.pem").write_text(FILE_SECRET)
    documents = objects(load(write_config, SCENARIOS["secrets"]), pull=True)
    secrets = {d["metadata"]["name"]: d for d in by_kind(documents)["Secret"]}
    assert secrets[f"{NAME}-env"]["type"] == "Opaque"
    assert secrets[f"{NAME}-env"]["stringData"] == {"API_TOKEN": SECRET_VALUE}
    files = secrets[f"{NAME}-files"]["data"]
    assert list(files) == ["SSH_KEY"]
    registry = secrets[f"{NAME}-registry"]
    assert registry["type"] == "kubernetes.io/dockerconfigjson"
    config = json.loads(registry["stringData"][".dockerconfigjson"])
    assert config["auths"]["ghcr.io"]["username"] == "robot"
    assert config["auths"]["ghcr.io"]["password"] == CREDENTIALS.password

    c = container(documents)
    assert c["envFrom"] == [{"secretRef": {"name": f"{NAME}-env"}}]
    assert {
        "name": "secret-files",
        "mountPath": "/alt/home/developer/.ssh/key.pem",
        "subPath": "SSH_KEY",
        "readOnly": True,
    } in c["volumeMounts"]
    (deployment,) = by_kind(documents)["Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    assert pod["imagePullSecrets"] == [{"name": f"{NAME}-registry"}]
    assert {
        "name": "secret-files",
        "secret": {
            "secretName": f"{NAME}-files",
            "defaultMode": 0o400,
            "items": [{"key": "SSH_KEY", "path": "SSH_KEY", "mode": 0o600}],
        },
    } in pod["volumes"]
    # Secrets come before the Deployment that needs them.
    order = [d["kind"] for d in documents]
    assert order.index("Secret") < order.index("Deployment")


def test_docker_hub_credentials_use_the_kubelet_key() -> None:
    from sindri_providers_k8s.secrets import docker_config_json

    config = json.loads(docker_config_json("docker.io", CREDENTIALS))
    assert list(config["auths"]) == ["https://index.docker.io/v1/"]


def test_ingress_routes_to_the_http_port(write_config) -> None:
    documents = objects(load(write_config, SCENARIOS["ingress"]))
    (ingress,) = by_kind(documents)["Ingress"]
    assert ingress["apiVersion"] == "networking.k8s.io/v1"
    assert ingress["spec"]["ingressClassName"] == "nginx"
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "dev.example.com"
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": NAME, "port": {"name": "http"}}
    (service,) = by_kind(documents)["Service"]
    assert {"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"} in service[
        "spec"
    ]["ports"]
    assert {"name": "http", "containerPort": 8080, "protocol": "TCP"} in container(documents)[
        "ports"
    ]


def test_ingress_without_port_renders_none_and_validate_says_why(write_config, sindri_cli) -> None:
    # The Rust tool accepts it and renders no Ingress (nothing to route to); so does sindri.
    text = BASE + "providers:\n  kubernetes:\n    ingress: {enabled: true}\n"
    assert "Ingress" not in by_kind(objects(load(write_config, text)))
    result = sindri_cli("config", "validate", cwd=write_config(text).parent)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "warning: providers.kubernetes.ingress.enabled renders no Ingress: ingress.port, the "
        "container port to route to, is not set"
    ]


def test_name_must_be_a_kubernetes_name(write_config) -> None:
    # The provider's name rule: rejected while the file is read, as by `config validate`.
    with pytest.raises(ConfigError, match="'trailing-' is not a valid name for the kubernetes"):
        load(write_config, BASE.replace(f"name: {NAME}", "name: trailing-"))


@pytest.mark.parametrize(
    ("workspace", "mount"),
    [
        ("/alt/home/developer/workspace", "/alt/home/developer"),
        ("/home/dev/src", "/home/dev"),
        ("/workspace", "/workspace"),
    ],
)
def test_the_volume_holds_the_home_around_the_workspace(workspace: str, mount: str) -> None:
    assert WorkspaceVolume(path=workspace).home == mount


@pytest.mark.parametrize(
    ("size", "expected"),
    [("4GB", "4Gi"), ("512MB", "512Mi"), ("10GB", "10Gi"), ("1536MB", "1536Mi"), ("2048MB", "2Gi")],
)
def test_sizes_become_kubernetes_quantities(size: str, expected: str) -> None:
    assert quantity(size) == expected


@pytest.mark.parametrize(
    "value", ["on", "yes", "No", "y", "012", "1_000", "0x1F", "null", "~", "2", "a: b"]
)
def test_yaml_keeps_strings_strings_for_a_yaml_1_1_reader(value: str) -> None:
    """kubectl parses YAML 1.1: an unquoted `on` would be the boolean true."""
    text = to_yaml([{"env": [{"name": "X", "value": value}]}])
    for version in ((1, 1), (1, 2)):
        yaml = YAML(typ="safe", pure=True)
        yaml.version = version
        (document,) = list(yaml.load_all(io.StringIO(text)))
        assert document["env"][0]["value"] == value
