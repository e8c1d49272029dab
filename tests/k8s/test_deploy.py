"""`sindri deploy` on Kubernetes: exact kubectl/kind/k3d/docker command sequences, the
refusal to replace, secrets only on stdin, and images that exist only locally."""

from __future__ import annotations

import base64
import io
import json
import os
from pathlib import Path

import kubernetes_validate
import pytest
from ruamel.yaml import YAML

from tests.k8s.conftest import IMAGE, NAME, SELECTOR, FakeCluster, deployment_json, pod_json

APPLY = ["apply", "--server-side", "--field-manager=sindri", "-f", "-"]
GET_DEPLOYMENT = ["get", "deployment", NAME, "-n", "default", "-o", "json"]
ROLLOUT = ["rollout", "status", f"deployment/{NAME}", "-n", "default", "--timeout=600s"]
SECRET_VALUE = "s3cr3t-api-token-5e9a"
DOTENV_VALUE = "dotenv-value-31c7"
FILE_VALUE = "file-secret-content-88d0"
GITHUB_TOKEN = "ghp_registry_token_0c2f"


def documents(text: str) -> list[dict]:
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 1)  # as kubectl reads it
    return [d for d in yaml.load_all(io.StringIO(text)) if d is not None]


def test_fresh_deploy_runs_exactly_these_commands(cluster: FakeCluster, project, sindri_cli):
    cluster.setup()
    cluster.kind()
    cluster.docker(local=False)
    directory = project()

    result = sindri_cli("deploy", cwd=directory)

    assert result.exit_code == 0, result.stderr
    assert cluster.tools.argvs() == [
        ["kubectl", "config", "current-context"],  # prerequisites
        ["kubectl", "config", "current-context"],
        ["kubectl", *GET_DEPLOYMENT],
        ["kind", "get", "clusters"],
        ["docker", "image", "inspect", "--format", "{{.Id}}", IMAGE],
        ["kubectl", *APPLY],
        ["kubectl", *ROLLOUT],
    ]
    assert f"Deployment {NAME} created in namespace default" in result.stdout
    assert f"kubectl exec -it deploy/{NAME} -n default -- bash -l" in result.stdout
    applied = documents(cluster.kubectl.calls()[3].stdin)
    assert [d["kind"] for d in applied] == ["PersistentVolumeClaim", "Deployment", "Service"]
    on_disk = (directory / ".sindri" / "kubernetes" / "manifests.yaml").read_text()
    assert documents(on_disk) == applied


def test_an_existing_deployment_converges_by_apply_without_a_restart(
    cluster: FakeCluster, project, sindri_cli
):
    # Before issue #17 this exited 2 ("already exists ... --force").
    cluster.setup(deployed=True)
    cluster.kind()
    cluster.docker(local=False)
    directory = project()

    result = sindri_cli("deploy", cwd=directory)

    assert result.exit_code == 0, result.stderr
    assert cluster.tools.argvs() == [
        ["kubectl", "config", "current-context"],
        ["kubectl", "config", "current-context"],
        ["kubectl", *GET_DEPLOYMENT],
        ["kind", "get", "clusters"],
        ["docker", "image", "inspect", "--format", "{{.Id}}", IMAGE],
        ["kubectl", *APPLY],
        ["kubectl", *ROLLOUT],
    ]
    assert f"Deployment {NAME} applied (pods roll only if their template changed)" in result.stdout
    applied = documents(cluster.kubectl.calls()[3].stdin)
    on_disk = (directory / ".sindri" / "kubernetes" / "manifests.yaml").read_text()
    assert documents(on_disk) == applied


def test_force_applies_and_rolls_the_deployment_keeping_the_volume(
    cluster: FakeCluster, project, sindri_cli
):
    cluster.setup(deployed=True)
    cluster.kind()
    cluster.docker(local=False)

    result = sindri_cli("deploy", "--force", "--timeout", "90", cwd=project())

    assert result.exit_code == 0, result.stderr
    assert cluster.tools.argvs() == [
        ["kubectl", "config", "current-context"],
        ["kubectl", "config", "current-context"],
        ["kubectl", *GET_DEPLOYMENT],
        ["kind", "get", "clusters"],
        ["docker", "image", "inspect", "--format", "{{.Id}}", IMAGE],
        ["kubectl", *APPLY[:3], "--force-conflicts", "-f", "-"],
        ["kubectl", "rollout", "restart", f"deployment/{NAME}", "-n", "default"],
        ["kubectl", "rollout", "status", f"deployment/{NAME}", "-n", "default", "--timeout=90s"],
    ]
    assert not any("delete" in argv for argv in cluster.tools.argvs())
    assert f"Deployment {NAME} restarted" in result.stdout


def test_a_deployment_sindri_did_not_create_is_never_touched(
    cluster: FakeCluster, project, sindri_cli
):
    cluster.setup(deployed=True, labels={"app": "someone-else"})

    result = sindri_cli("deploy", "--force", cwd=project())

    assert result.exit_code == 2
    assert "was not created by sindri" in result.stderr
    assert not any(argv[1] == "apply" for argv in cluster.tools.argvs())


def test_no_wait_skips_the_rollout(cluster: FakeCluster, project, sindri_cli):
    cluster.setup(context="prod")
    cluster.docker(local=False)

    result = sindri_cli("deploy", "--no-wait", cwd=project())

    assert result.exit_code == 0, result.stderr
    assert cluster.tools.argvs()[-1] == ["kubectl", *APPLY]


def test_a_rollout_that_does_not_finish_fails_with_the_pods_reason(
    cluster: FakeCluster, project, sindri_cli
):
    stuck = pod_json(
        "Pending",
        ready=False,
        waiting=("ImagePullBackOff", f'Back-off pulling image "{IMAGE}"'),
    )
    cluster.setup(context="prod", rollout_ok=False, pods=[stuck])
    cluster.docker(local=False)

    result = sindri_cli("deploy", "--timeout", "30", cwd=project())

    assert result.exit_code == 1
    assert f"deployment {NAME} did not become ready within 30s" in result.stderr
    assert "ImagePullBackOff" in result.stderr
    assert cluster.tools.argvs()[-1] == [
        "kubectl", "get", "pods", "-n", "default", "-l", SELECTOR, "-o", "json",
    ]  # fmt: skip


def test_secrets_reach_the_cluster_only_through_stdin(
    cluster: FakeCluster, project, sindri_cli, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("API_TOKEN", SECRET_VALUE)
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
    cluster.setup(context="prod")
    cluster.docker(local=False)
    directory = project(
        top_extra="secrets:\n  - name: API_TOKEN\n  - name: DB_PASSWORD\n"
        "  - name: SSH_KEY\n    source: file\n    path: key.txt\n    mountPath: /run/key\n",
    )
    (directory / ".env").write_text(f"DB_PASSWORD={DOTENV_VALUE}\n")
    (directory / "key.txt").write_text(FILE_VALUE)

    result = sindri_cli("-v", "deploy", cwd=directory)

    assert result.exit_code == 0, result.stderr
    values = (SECRET_VALUE, DOTENV_VALUE, FILE_VALUE, GITHUB_TOKEN)
    for call in cluster.tools.calls():
        for value in values:
            assert value not in " ".join(call.argv)
    for text in (result.stdout, result.stderr):
        assert not any(value in text for value in values)
    for path in (directory / ".sindri").rglob("*"):
        if path.is_file():
            assert not any(value in path.read_text() for value in values), path

    (apply,) = [c for c in cluster.kubectl.calls() if c.args[0] == "apply"]
    applied = documents(apply.stdin)
    for document in applied:
        kubernetes_validate.validate(document, "1.32", strict=True)
    secrets = {d["metadata"]["name"]: d for d in applied if d["kind"] == "Secret"}
    assert secrets[f"{NAME}-env"]["stringData"] == {
        "API_TOKEN": SECRET_VALUE,
        "DB_PASSWORD": DOTENV_VALUE,
    }
    assert FILE_VALUE.encode() in base64.b64decode(secrets[f"{NAME}-files"]["data"]["SSH_KEY"])
    pull = json.loads(secrets[f"{NAME}-registry"]["stringData"][".dockerconfigjson"])
    assert pull["auths"]["ghcr.io"]["password"] == GITHUB_TOKEN
    (deployment,) = [d for d in applied if d["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    assert pod["imagePullSecrets"] == [{"name": f"{NAME}-registry"}]
    assert pod["containers"][0]["envFrom"] == [{"secretRef": {"name": f"{NAME}-env"}}]


def test_a_missing_required_secret_stops_before_anything_changes(
    cluster: FakeCluster, project, sindri_cli
):
    cluster.setup(context="prod")
    directory = project(top_extra="secrets:\n  - name: API_TOKEN\n    required: true\n")

    result = sindri_cli("deploy", cwd=directory)

    assert result.exit_code == 2
    assert "required secret API_TOKEN is not set" in result.stderr
    assert not any(argv[1] == "apply" for argv in cluster.tools.argvs())


def test_no_pull_secret_without_credentials(cluster: FakeCluster, project, sindri_cli):
    cluster.setup(context="prod")
    cluster.docker(local=False)

    assert sindri_cli("deploy", cwd=project()).exit_code == 0

    (apply,) = [c for c in cluster.kubectl.calls() if c.args[0] == "apply"]
    assert "Secret" not in [d["kind"] for d in documents(apply.stdin)]
    assert "imagePullSecrets" not in apply.stdin


def test_docker_login_credentials_become_the_pull_secret(
    cluster: FakeCluster, project, sindri_cli, tmp_path: Path
):
    auth = base64.b64encode(b"robot:pw-from-docker-login-77").decode()
    config = Path(os.environ["DOCKER_CONFIG"]) / "config.json"
    config.write_text(json.dumps({"auths": {"https://ghcr.io": {"auth": auth}}}))
    cluster.setup(context="prod")
    cluster.docker(local=False)

    assert sindri_cli("deploy", cwd=project()).exit_code == 0

    assert not any("pw-from-docker-login-77" in " ".join(a) for a in cluster.tools.argvs())
    (apply,) = [c for c in cluster.kubectl.calls() if c.args[0] == "apply"]
    (secret,) = [d for d in documents(apply.stdin) if d["kind"] == "Secret"]
    pull = json.loads(secret["stringData"][".dockerconfigjson"])
    assert pull["auths"]["ghcr.io"]["username"] == "robot"
    assert pull["auths"]["ghcr.io"]["password"] == "pw-from-docker-login-77"


def test_custom_namespace_and_context_on_every_call(cluster: FakeCluster, project, sindri_cli):
    cluster.setup(context="prod", namespace="team-a")
    cluster.docker(local=False)
    directory = project(provider="    namespace: team-a\n    context: prod\n")

    result = sindri_cli("deploy", "--timeout", "120", cwd=directory)

    assert result.exit_code == 0, result.stderr
    ctx = ["--context", "prod"]
    assert cluster.tools.argvs() == [
        ["kubectl", "config", "get-contexts", "prod", "-o", "name", *ctx],
        ["kubectl", "config", "get-contexts", "prod", "-o", "name", *ctx],
        ["kubectl", "get", "deployment", NAME, "-n", "team-a", "-o", "json", *ctx],
        ["docker", "image", "inspect", "--format", "{{json .RepoDigests}}", IMAGE],
        ["kubectl", *APPLY, *ctx],
        ["kubectl", *ROLLOUT[:4], "team-a", "--timeout=120s", *ctx],
    ]
    (apply,) = [c for c in cluster.kubectl.calls() if c.args[0] == "apply"]
    applied = documents(apply.stdin)
    assert applied[0]["kind"] == "Namespace" and applied[0]["metadata"]["name"] == "team-a"


def test_an_unknown_configured_context_is_a_config_error(cluster: FakeCluster, project, sindri_cli):
    cluster.setup(context="prod")
    directory = project(provider="    context: staging\n")

    result = sindri_cli("deploy", cwd=directory)

    assert result.exit_code == 2
    assert "providers.kubernetes.context: 'staging' is not a context" in result.stderr


# -- local clusters ------------------------------------------------------------------------


def test_kind_context_loads_a_local_image(cluster: FakeCluster, project, sindri_cli):
    cluster.setup(context="kind-dev")
    cluster.kind(clusters=("other", "dev"))
    cluster.docker(local=True)

    result = sindri_cli("deploy", "--no-wait", cwd=project())

    assert result.exit_code == 0, result.stderr
    assert cluster.tools.argvs()[3:] == [
        ["kind", "get", "clusters"],
        ["docker", "image", "inspect", "--format", "{{.Id}}", IMAGE],
        ["kind", "load", "docker-image", IMAGE, "--name", "dev"],
        ["kubectl", *APPLY],
    ]
    assert "kind cluster 'dev'" in result.stdout


def test_k3d_context_imports_a_local_image(cluster: FakeCluster, project, sindri_cli):
    cluster.setup(context="k3d-dev")
    cluster.k3d(clusters=("dev",))
    cluster.docker(local=True)

    result = sindri_cli("deploy", "--no-wait", cwd=project())

    assert result.exit_code == 0, result.stderr
    assert cluster.tools.argvs()[3:] == [
        ["k3d", "cluster", "list", "-o", "json"],
        ["docker", "image", "inspect", "--format", "{{.Id}}", IMAGE],
        ["k3d", "image", "import", IMAGE, "-c", "dev"],
        ["kubectl", *APPLY],
    ]


def test_a_kind_named_context_without_that_cluster_is_remote(
    cluster: FakeCluster, project, sindri_cli
):
    """The name claims kind, `kind get clusters` disagrees: nothing is loaded anywhere."""
    cluster.setup(context="kind-dev")
    cluster.kind(clusters=("other",))
    cluster.docker(local=True, repo_digests=["ghcr.io/pacphi/sindri@sha256:" + "b" * 64])

    result = sindri_cli("deploy", "--no-wait", cwd=project())

    assert result.exit_code == 0, result.stderr
    assert ["kind", "get", "clusters"] in cluster.tools.argvs()
    assert not any(argv[:2] == ["kind", "load"] for argv in cluster.tools.argvs())


def test_remote_context_never_loads_and_never_asks_kind(cluster: FakeCluster, project, sindri_cli):
    cluster.setup(context="gke_team_europe-west1_main")
    cluster.kind(clusters=("dev",))
    cluster.k3d(clusters=("dev",))
    cluster.docker(local=True, repo_digests=["ghcr.io/pacphi/sindri@sha256:" + "b" * 64])

    result = sindri_cli("deploy", "--no-wait", cwd=project())

    assert result.exit_code == 0, result.stderr
    tools = {argv[0] for argv in cluster.tools.argvs()}
    assert tools == {"kubectl", "docker"}


def test_remote_context_refuses_an_image_that_exists_only_locally(
    cluster: FakeCluster, project, sindri_cli
):
    cluster.setup(context="prod")
    cluster.docker(local=True, repo_digests=[])
    directory = project()

    result = sindri_cli("deploy", cwd=directory)

    assert result.exit_code == 1
    assert f"{IMAGE} exists only in the local Docker engine" in result.stderr
    assert "docker push" in result.stderr
    assert not any(argv[1] == "apply" for argv in cluster.tools.argvs())
    assert not (directory / ".sindri").exists()


def test_a_digest_pinned_image_is_pulled_by_the_cluster(cluster: FakeCluster, project, sindri_cli):
    digest = "sha256:" + "c" * 64
    cluster.setup(context="kind-dev")
    cluster.kind()
    cluster.docker(local=True)
    directory = project(
        deployment_extra=f"  image_config:\n    registry: ghcr.io/pacphi/sindri\n"
        f"    digest: {digest}\n"
    )

    result = sindri_cli("deploy", "--no-wait", cwd=directory)

    assert result.exit_code == 0, result.stderr
    assert not any(argv[0] == "docker" for argv in cluster.tools.argvs())
    (apply,) = [c for c in cluster.kubectl.calls() if c.args[0] == "apply"]
    (deployment,) = [d for d in documents(apply.stdin) if d["kind"] == "Deployment"]
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == f"ghcr.io/pacphi/sindri@{digest}"


def test_plan_only_reads_and_writes_nothing(cluster: FakeCluster, project, sindri_cli):
    cluster.setup()
    directory = project()

    result = sindri_cli("plan", "--json", cwd=directory)

    assert result.exit_code == 0, result.stderr
    assert cluster.tools.argvs() == [["kubectl", *GET_DEPLOYMENT]]  # live state, read-only
    assert result.json()["changes"] == [{"action": "create", "resource": f"deployment/{NAME}"}]
    assert not (directory / ".sindri").exists()
    report = result.json()
    resources = [a["resource"] for a in report["actions"]]
    assert resources == [
        f"persistentvolumeclaim/{NAME}-home",
        f"deployment/{NAME}",
        f"service/{NAME}",
        f"deployment/{NAME}",
    ]
    (artifact,) = report["artifacts"]
    assert artifact["path"].endswith(".sindri/kubernetes/manifests.yaml")
    for document in documents(artifact["content"]):
        kubernetes_validate.validate(document, "1.32", strict=True)


def test_pull_policy_always_warns_that_the_loaded_copy_is_ignored(
    cluster: FakeCluster, project, sindri_cli
):
    cluster.setup(context="kind-dev")
    cluster.kind()
    cluster.docker(local=True)
    directory = project(
        # explicit names the tag without asking the registry (a tag_override is pinned by a
        # HEAD request, and this test has no registry)
        deployment_extra="  image_config:\n    registry: ghcr.io/pacphi/sindri\n"
        "    resolution_strategy: explicit\n    version: 3.1.4\n    pull_policy: Always\n"
    )

    result = sindri_cli("deploy", "--no-wait", cwd=directory)

    assert result.exit_code == 0, result.stderr
    assert "pull_policy Always" in result.stderr
    assert ["kind", "load", "docker-image", IMAGE, "--name", "dev"] in cluster.tools.argvs()


# -- convergence (issue #17) -------------------------------------------------------------------


def _deployed_from_plan(cluster: FakeCluster, directory: Path, sindri_cli) -> dict:
    """Make the fake cluster hold what a deploy of the current plan applied (the annotated
    Deployment, as `kubectl get` prints it back)."""
    report = sindri_cli("plan", "--json", cwd=directory).json()
    (applied,) = [
        d for d in documents(report["artifacts"][0]["content"]) if d["kind"] == "Deployment"
    ]
    live = deployment_json()
    live["metadata"]["annotations"].update(applied["metadata"]["annotations"])
    cluster.kubectl.on("get", "deployment", NAME, json=live)
    return report


def test_an_unchanged_deployment_is_left_alone(cluster: FakeCluster, project, sindri_cli):
    directory = project()
    _deployed_from_plan(cluster, directory, sindri_cli)
    cluster.setup(deployed=True)
    cluster.kind()

    plan = sindri_cli("plan", "--json", cwd=directory).json()
    assert plan["changes"] == [{"action": "unchanged", "resource": f"deployment/{NAME}"}]
    result = sindri_cli("deploy", cwd=directory)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [f"{NAME} is up to date: {IMAGE}"]
    assert not any(argv[1] in ("apply", "rollout") for argv in cluster.tools.argvs())


def test_a_changed_setting_is_planned_as_an_update_and_applied(
    cluster: FakeCluster, project, sindri_cli
):
    directory = project()
    before = _deployed_from_plan(cluster, directory, sindri_cli)
    cluster.setup(deployed=True)
    cluster.kind()
    cluster.docker(local=False)
    config = directory / "sindri.yaml"
    config.write_text(config.read_text() + "  resources: {cpus: 3}\n")

    plan = sindri_cli("plan", "--json", cwd=directory).json()
    (change,) = plan["changes"]
    assert change["action"] == "update" and change["resource"] == f"deployment/{NAME}"
    assert change["from"] != change["to"] and plan["artifacts"] != before["artifacts"]
    result = sindri_cli("deploy", "--no-wait", cwd=directory)

    assert result.exit_code == 0, result.stderr
    (apply,) = [c for c in cluster.kubectl.calls() if c.args[0] == "apply"]
    on_disk = (directory / ".sindri" / "kubernetes" / "manifests.yaml").read_text()
    assert on_disk == plan["artifacts"][0]["content"]  # plan's artifact is the deployed file
    assert documents(on_disk) == documents(apply.stdin)


# -- providers.k8s: the local cluster block (the Rust tool's format) ----------------------------


def test_the_local_cluster_block_chooses_the_cluster_its_context_and_the_loader(
    cluster: FakeCluster, project, sindri_cli
):
    # The current context is another cluster: the block, not the current context, decides.
    cluster.kubectl.on("config", "get-contexts", "k3d-dev", "-o", "name", stdout="k3d-dev\n")
    cluster.setup(context="k3d-work")
    cluster.k3d(clusters=("work", "dev"))
    cluster.docker(local=True)
    block = "providers:\n  k8s:\n    provider: k3d\n    clusterName: dev\n"

    result = sindri_cli("deploy", "--no-wait", cwd=project(top_extra=block))

    assert result.exit_code == 0, result.stderr
    ctx = ["--context", "k3d-dev"]
    argvs = cluster.tools.argvs()
    assert ["k3d", "image", "import", IMAGE, "-c", "dev"] in argvs
    assert ["kubectl", *APPLY, *ctx] in argvs
    assert all(argv[-2:] == ctx for argv in argvs if argv[0] == "kubectl")


def test_the_local_cluster_name_defaults_to_the_deployment_name_and_must_exist(
    cluster: FakeCluster, project, sindri_cli
):
    cluster.setup(context=f"kind-{NAME}")
    cluster.kind(clusters=("other",))
    cluster.docker(local=True)

    result = sindri_cli("deploy", "--no-wait", cwd=project(top_extra="providers:\n  k8s: {}\n"))

    assert result.exit_code == 1
    assert result.diagnostics.startswith(
        f"error: providers.k8s names the kind cluster {NAME!r}, which does not exist"
    )
    assert f"kind create cluster --name {NAME}" in result.stderr
    assert not [argv for argv in cluster.tools.argvs() if argv[:2] == ["kubectl", "apply"]]


def test_a_context_naming_another_cluster_than_the_block_is_refused(
    cluster: FakeCluster, project, sindri_cli
):
    cluster.setup(context="prod")
    text = "  k8s:\n    clusterName: dev\n"
    directory = project(provider="    context: prod\n")
    config = directory / "sindri.yaml"
    config.write_text(config.read_text() + text)

    result = sindri_cli("deploy", cwd=directory)

    assert result.exit_code == 2
    assert "providers.kubernetes.context: providers.k8s names the kind cluster 'dev'" in (
        result.stderr
    )
    assert cluster.tools.argvs() == []


def test_an_ingress_without_a_port_deploys_without_an_ingress(
    cluster: FakeCluster, project, sindri_cli
):
    # The Rust tool's vault-ingress example: accepted, and like the Rust tool no Ingress.
    cluster.setup()
    cluster.kind()
    cluster.docker(local=False)
    ingress = "    ingress:\n      enabled: true\n      hostname: dev.example.com\n"
    directory = project(provider=ingress)

    result = sindri_cli("deploy", cwd=directory)

    assert result.exit_code == 0, result.stderr
    (apply,) = [c for c in cluster.kubectl.calls() if c.args[:1] == ["apply"]]
    assert "Ingress" not in [d["kind"] for d in documents(apply.stdin)]
