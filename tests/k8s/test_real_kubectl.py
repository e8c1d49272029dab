"""The real kubectl (Debian's, pinned: tests/support/pinned_tools.py) runs every command sindri
uses, against a loopback API stub: each argv parses, each stdin document is accepted, and
what kubectl sends the API server is what sindri meant (secret values byte for byte through
kubectl's YAML reader). Nothing here is a fake kubectl; scripts/install-pinned-tools installs
it into .tools/bin, which these tests put first on PATH."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.k8s.api_stub import RunningStub, serve
from tests.support.awkward import AWKWARD_VALUES

pytestmark = pytest.mark.usefixtures("pinned_kubectl_on_path")

NAME = "real-kubectl"
CONTEXT = "stub-cluster"


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningStub]:
    stubs = serve()
    running = next(stubs)
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: stub\n  cluster: {{server: '{running.url}'}}\n"
        f"contexts:\n- name: {CONTEXT}\n  context: {{cluster: stub, user: stub}}\n"
        "- name: other\n  context: {cluster: stub, user: stub}\n"
        "current-context: other\n"
        "users:\n- name: stub\n  user: {token: not-a-secret}\n"
    )
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("KUBECACHEDIR", str(tmp_path / "kube-cache"))  # not $HOME/.kube
    yield running
    stubs.close()


@pytest.fixture
def project(write_config, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every kind of object sindri applies: namespace, claim, deployment, service, ingress,
    and the env, file and registry Secrets."""
    for name, value in AWKWARD_VALUES.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_not_a_real_token")  # a pull Secret for ghcr.io
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    secrets = "".join(f"  - name: {name}\n" for name in AWKWARD_VALUES)
    secrets += "  - name: SSH_KEY\n    source: file\n    path: key.pub\n"
    secrets += "    mountPath: /alt/home/developer/.ssh/authorized_keys\n"
    text = (
        'version: "3.0"\n'
        f"name: {NAME}\n"
        "deployment:\n  provider: kubernetes\n  image: ghcr.io/pacphi/sindri:3.1.4\n"
        f"secrets:\n{secrets}"
        f"providers:\n  kubernetes:\n    context: {CONTEXT}\n    namespace: team-a\n"
        "    storageClass: fast\n    nodeSelector: {pool: dev}\n"
        "    ingress: {enabled: true, hostname: dev.example.com, port: 8080, className: nginx}\n"
    )
    directory = write_config(text).parent
    (directory / "key.pub").write_text("ssh-ed25519 AAAA me@host\n")
    return directory


def _secret_values(running: RunningStub) -> dict[str, str]:
    (secret,) = [
        s for s in running.stub.stored("secrets") if s["metadata"]["name"].endswith("-env")
    ]
    if "stringData" in secret:
        return secret["stringData"]
    return {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}


def test_the_whole_lifecycle_runs_on_the_real_kubectl(api, project, sindri_cli) -> None:
    deployed = sindri_cli("deploy", cwd=project)
    assert deployed.exit_code == 0, deployed.stderr
    kinds = sorted(doc["kind"] for doc in api.stub.applied())
    assert kinds == sorted(
        ["Namespace", "PersistentVolumeClaim", "Deployment", "Service", "Ingress"] + ["Secret"] * 3
    )
    assert _secret_values(api) == AWKWARD_VALUES  # through kubectl's YAML reader, intact
    (files,) = [s for s in api.stub.stored("secrets") if s["metadata"]["name"].endswith("-files")]
    assert base64.b64decode(files["data"]["SSH_KEY"]) == b"ssh-ed25519 AAAA me@host\n"
    assert all(r.query.get("fieldManager") == ["sindri"] for r in api.stub.requests if r.body)
    assert all(r.query.get("fieldValidation") == ["Strict"] for r in api.stub.requests if r.body)

    redeployed = sindri_cli("deploy", "--force", cwd=project)
    assert redeployed.exit_code == 0, redeployed.stderr
    forced = [r for r in api.stub.requests if r.query.get("force") == ["true"]]
    assert forced and all(r.content_type == "application/apply-patch+yaml" for r in forced)
    restart = [r for r in api.stub.requests if r.query.get("fieldManager") == ["kubectl-rollout"]]
    assert restart[-1].body["spec"]["template"]["metadata"]["annotations"]

    status = sindri_cli("status", "--json", cwd=project)
    assert status.exit_code == 0, status.stderr
    assert status.json()["state"] == "running"

    assert sindri_cli("stop", cwd=project).exit_code == 0
    assert api.stub.objects[("deployments", "team-a", NAME)]["spec"]["replicas"] == 0
    assert sindri_cli("start", cwd=project).exit_code == 0
    assert api.stub.objects[("deployments", "team-a", NAME)]["spec"]["replicas"] == 1

    connect = sindri_cli("connect", "--", "echo", "-n", "hi", cwd=project)
    assert connect.exit_code == 1  # the stub refuses exec; kubectl got that far
    (request,) = [r for r in api.stub.requests if r.path.endswith("/exec")][-1:]
    assert request.query["command"] == ["echo", "-n", "hi"]

    kept = {"namespaces", "pods"}  # the namespace is never deleted; pods go with their owner
    existing = [key for key in api.stub.objects if key[0] not in kept]
    destroyed = sindri_cli("destroy", "--yes", "--volumes", cwd=project)
    assert destroyed.exit_code == 0, destroyed.stderr
    assert {key[0] for key in api.stub.objects} <= kept
    assert f": {len(existing)} object(s)" in destroyed.stdout

    again = sindri_cli("destroy", "--yes", "--volumes", cwd=project)
    assert again.exit_code == 0
    assert "nothing to destroy" in again.stdout


def test_a_context_missing_from_the_kubeconfig_is_a_config_error(api, project, sindri_cli) -> None:
    text = (project / "sindri.yaml").read_text().replace(CONTEXT, "no-such-context")
    (project / "sindri.yaml").write_text(text)
    result = sindri_cli("status", cwd=project)
    assert result.exit_code == 2
    assert "providers.kubernetes.context" in result.stderr
    assert not api.stub.requests


def test_the_current_context_is_used_when_none_is_configured(api, project, sindri_cli) -> None:
    text = (project / "sindri.yaml").read_text().replace(f"    context: {CONTEXT}\n", "")
    (project / "sindri.yaml").write_text(text)
    result = sindri_cli("status", "--json", cwd=project)
    assert result.exit_code == 0, result.stderr
    assert result.json()["state"] == "not_deployed"
    assert [r.path for r in api.stub.requests if "deployments" in r.path] == [
        f"/apis/apps/v1/namespaces/team-a/deployments/{NAME}"
    ]
