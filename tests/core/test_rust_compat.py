"""The compatibility promise: a configuration the Rust tool's schema accepts for the five
providers sindri ships validates here, and a field sindri does not act on is reported as
ignored by ``config validate`` (a warning line), never an error and never dropped silently.

fixtures/rust_compat/ reproduces the field sets of pacphi/sindri's (branch v3) example
configurations that its JSON schema accepts for these providers (each file names its
source), with values of our own, plus every field of its ``providers.k8s`` block.
"""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "rust_compat"
NEW_CLUSTER = "is ignored: sindri deploys to an existing cluster and creates none"

# fixture -> the warnings config validate must print (in this order)
EXPECTED = {
    # devpod mounts no files: the file secret is reported, not dropped silently
    "devpod-aws.yaml": [
        "secrets[2] (DEPLOY_KEY, source: file) is ignored: the devpod provider mounts no files"
    ],
    "docker-basic.yaml": [],
    "docker-gpu-dind.yaml": [],
    "e2b-sandbox.yaml": [],
    "fly-team-autosuspend.yaml": [],
    # the Rust tool renders no Ingress without a port to route to; sindri neither, and says so
    "k8s-vault-ingress.yaml": [
        "providers.kubernetes.ingress.enabled renders no Ingress: ingress.port, the container "
        "port to route to, is not set"
    ],
    "k8s-local-cluster.yaml": [
        f"providers.k8s.{field} {NEW_CLUSTER}"
        for field in (
            "version",
            "nodes",
            "kind.image",
            "kind.configFile",
            "k3d.image",
            "k3d.registry",
        )
    ],
}


def test_every_fixture_is_checked() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.yaml")) == sorted(EXPECTED)


def _with_its_secrets(name: str, directory: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture in ``directory`` with what its secrets name present: config validate
    refuses what plan would (ADR 0019), and these tests are about the fields."""
    from ruamel.yaml import YAML

    copy = directory / name
    copy.write_text((FIXTURES / name).read_text())
    for secret in YAML(typ="safe").load(copy.read_text()).get("secrets") or []:
        if secret.get("source", "env") == "env":
            monkeypatch.setenv(secret["name"], "set-for-the-test")
        elif secret.get("source") == "file" and secret.get("path"):
            path = directory / secret["path"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("test\n")
    return copy


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_rust_tools_configurations_validate_and_report_what_is_ignored(
    sindri_cli, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _with_its_secrets(name, tmp_path, monkeypatch)
    result = sindri_cli("-c", str(config), "config", "validate", "--json")

    assert result.exit_code == 0, result.stderr
    assert result.json()["warnings"] == EXPECTED[name]
    text = sindri_cli("-c", str(config), "config", "validate")
    assert text.exit_code == 0
    assert text.stderr.splitlines() == [f"warning: {w}" for w in EXPECTED[name]]


def test_a_section_for_another_provider_is_reported_as_ignored(sindri_cli, write_config) -> None:
    text = (FIXTURES / "docker-basic.yaml").read_text()
    text += "  fly:\n    region: ams\n  k8s:\n    provider: kind\n"
    result = sindri_cli("-c", str(write_config(text)), "config", "validate", "--json")

    assert result.exit_code == 0, result.stderr
    assert result.json()["warnings"] == [
        "providers.fly is ignored: the deployment provider is docker",
        "providers.k8s is ignored: only the kubernetes provider deploys to the local cluster "
        "it names",
    ]


def test_k8s_is_still_an_alias_of_kubernetes_for_the_deployment_provider(
    sindri_cli, write_config
) -> None:
    text = (
        (FIXTURES / "k8s-local-cluster.yaml")
        .read_text()
        .replace("provider: kubernetes", "provider: k8s")
    )
    result = sindri_cli("-c", str(write_config(text)), "config", "validate", "--json")

    assert result.exit_code == 0, result.stderr
    assert result.json()["provider"] == "kubernetes"


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        ("provider: minikube", "providers.k8s.provider: 'minikube' is not allowed"),
        ("nodes: 11", "providers.k8s.nodes"),
        ("clusterName: Dev", "providers.k8s.clusterName"),
        ("k3d: {registry: {port: 70000}}", "providers.k8s.k3d.registry.port"),
        ("colour: blue", "providers.k8s.colour: unknown key 'colour'"),
    ],
)
def test_the_local_cluster_block_is_validated_like_the_rust_schema(
    sindri_cli, write_config, block: str, problem: str
) -> None:
    text = (FIXTURES / "docker-basic.yaml").read_text().replace(
        "provider: docker", "provider: kubernetes\n  image: ghcr.io/example/compat:3"
    ).split("providers:")[0] + f"providers:\n  k8s:\n    {block}\n"
    result = sindri_cli("-c", str(write_config(text)), "config", "validate")

    assert result.exit_code == 2
    assert problem in result.stderr and len(result.stderr.splitlines()) == 1
