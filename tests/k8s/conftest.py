"""A fake cluster for the kubernetes provider's tests: fake ``kubectl``, ``kind``, ``k3d``
(and ``docker`` where the engine is not the subject) that record argv and stdin and answer
with the text and JSON the real tools print. kubectl's argv and errors follow kubectl 1.32.3
(:mod:`tests.k8s.kubectl_cli`; the real kubectl runs the same commands against an API stub in
``test_real_kubectl.py``), kind's and k3d's follow :mod:`tests.support.local_cluster_cli`.

State shared by the fakes: ``deployed`` (the Deployment exists: set by ``apply``, cleared by
``delete``) and ``replicas`` ("1"/"0", set by ``scale``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from sindri_core.testing import FakeTools
from tests.support.docker_cli import fake_docker
from tests.support.local_cluster_cli import fake_local_cluster_tool
from tests.support.pinned_tools import pinned_kubectl

NAME = "dev-env"
SELECTOR = f"app.kubernetes.io/managed-by=sindri,app.kubernetes.io/instance={NAME}"
IMAGE = "ghcr.io/pacphi/sindri:3.1.4"
IMAGE_ID = "ghcr.io/pacphi/sindri@sha256:" + "a" * 64
LABELS = {
    "app.kubernetes.io/name": "sindri",
    "app.kubernetes.io/instance": NAME,
    "app.kubernetes.io/managed-by": "sindri",
}


def not_found(kind: str, name: str) -> str:
    return f'Error from server (NotFound): {kind} "{name}" not found\n'


def deployment_json(
    namespace: str = "default", replicas: int = 1, labels: dict[str, str] | None = None
) -> dict[str, Any]:
    """What `kubectl get deployment NAME -o json` prints (trimmed of managedFields)."""
    labels = LABELS if labels is None else labels
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "annotations": {"deployment.kubernetes.io/revision": "1"},
            "creationTimestamp": "2026-11-22T10:00:00Z",
            "generation": 1,
            "labels": labels,
            "name": NAME,
            "namespace": namespace,
            "resourceVersion": "4711",
            "uid": "0b5c4f0e-51a6-4f7e-9f5e-0f3f4b1c2d3e",
        },
        "spec": {
            "progressDeadlineSeconds": 600,
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {k: v for k, v in labels.items() if "managed-by" not in k}},
            "strategy": {"type": "Recreate"},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": []}},
        },
        "status": {
            "availableReplicas": replicas,
            "observedGeneration": 1,
            "readyReplicas": replicas,
            "replicas": replicas,
            "updatedReplicas": replicas,
        },
    }


def pod_json(
    phase: str = "Running",
    ready: bool = True,
    waiting: tuple[str, str] | None = None,
    *,
    name: str = f"{NAME}-7d9f8b6c5d-x2x9k",
    created: str = "2026-11-22T10:00:05Z",
    deleting: bool = False,
    namespace: str = "default",
) -> dict[str, Any]:
    """One item of `kubectl get pods -o json`."""
    if waiting is not None:
        state: dict[str, Any] = {"waiting": {"reason": waiting[0], "message": waiting[1]}}
    elif phase == "Running":
        state = {"running": {"startedAt": "2026-11-22T10:00:09Z"}}
    else:
        state = {"waiting": {"reason": "ContainerCreating"}}
    metadata: dict[str, Any] = {
        "creationTimestamp": created,
        "generateName": f"{NAME}-7d9f8b6c5d-",
        "labels": {**LABELS, "pod-template-hash": "7d9f8b6c5d"},
        "name": name,
        "namespace": namespace,
        "uid": "5e0c3a1d-1a2b-4c3d-8e9f-001122334455",
    }
    if deleting:
        metadata["deletionTimestamp"] = "2026-11-22T10:01:00Z"
    condition = "True" if ready else "False"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {
            "containers": [{"image": IMAGE, "imagePullPolicy": "IfNotPresent", "name": "sindri"}],
            "nodeName": "kind-dev-control-plane",
        },
        "status": {
            "conditions": [
                {"status": "True", "type": "PodScheduled"},
                {"status": "True", "type": "Initialized"},
                {"status": condition, "type": "ContainersReady"},
                {"status": condition, "type": "Ready"},
            ],
            "containerStatuses": [
                {
                    "image": IMAGE,
                    "imageID": IMAGE_ID if phase == "Running" and waiting is None else "",
                    "name": "sindri",
                    "ready": ready,
                    "restartCount": 0,
                    "started": ready,
                    "state": state,
                }
            ],
            "hostIP": "172.18.0.2",
            "phase": phase,
            "podIP": "10.244.0.7",
            "qosClass": "Guaranteed",
            "startTime": created,
        },
    }


def pod_list(*pods: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "items": list(pods), "kind": "List", "metadata": {}}


class FakeCluster:
    """Rules for the fake kubectl (and kind/k3d/docker) of one test."""

    def __init__(self, tools: FakeTools) -> None:
        self.tools = tools
        self.kubectl = tools["kubectl"].follow("tests.k8s.kubectl_cli:check")

    def setup(
        self,
        *,
        context: str = "kind-dev",
        namespace: str = "default",
        deployed: bool = False,
        replicas: int = 1,
        labels: dict[str, str] | None = None,
        pods: list[dict[str, Any]] | None = None,
        rollout_ok: bool = True,
    ) -> FakeCluster:
        k = self.kubectl
        self.tools.set_state(deployed=deployed, replicas=str(replicas))
        k.on("config", "current-context", stdout=f"{context}\n")
        k.on("config", "get-contexts", context, "-o", "name", stdout=f"{context}\n")
        k.on("config", "get-contexts", stderr="error: context not found\n", exit=1)
        for count in ("0", "1"):
            k.on(
                "get",
                "deployment",
                NAME,
                when={"deployed": True, "replicas": count},
                json=deployment_json(namespace, int(count), labels),
            )
        k.on("get", "deployment", NAME, stderr=not_found("deployments.apps", NAME), exit=1)
        applied = [f"deployment.apps/{NAME} serverside-applied"]
        if namespace != "default":
            applied.insert(0, f"namespace/{namespace} serverside-applied")
        k.on("apply", stdout="\n".join(applied) + "\n", set={"deployed": True})
        if rollout_ok:
            k.on(
                "rollout",
                "status",
                stdout=f'Waiting for deployment "{NAME}" rollout to finish: 0 of 1 updated '
                f'replicas are available...\ndeployment "{NAME}" successfully rolled out\n',
            )
        else:
            k.on(
                "rollout",
                "status",
                stdout=f'Waiting for deployment "{NAME}" rollout to finish: 0 of 1 updated '
                "replicas are available...\n",
                stderr="error: timed out waiting for the condition\n",
                exit=1,
            )
        k.on("rollout", "restart", stdout=f"deployment.apps/{NAME} restarted\n")
        k.on("get", "pods", json=pod_list(*(pods if pods is not None else [pod_json()])))
        for count in ("0", "1"):
            k.on(
                "scale",
                f"deployment/{NAME}",
                f"--replicas={count}",
                when={"deployed": True},
                set={"replicas": count},
                stdout=f"deployment.apps/{NAME} scaled\n",
            )
        k.on("scale", stderr=not_found("deployments.apps", NAME), exit=1)
        k.on(
            "delete",
            when={"deployed": True},
            set={"deployed": False},
            stdout=f'deployment.apps "{NAME}" deleted\nservice "{NAME}" deleted\n'
            f'secret "{NAME}-env" deleted\n',
        )
        # kubectl prints this on stdout (delete.go), not stderr.
        k.on("delete", stdout="No resources found\n")
        k.on("exec", stdout="")
        return self

    def kind(self, clusters: tuple[str, ...] = ("dev",)) -> None:
        kind = fake_local_cluster_tool(self.tools, "kind")
        if clusters:
            kind.on("get", "clusters", stdout="".join(f"{c}\n" for c in clusters))
        else:
            kind.on("get", "clusters", stderr="No kind clusters found.\n")
        kind.on(
            "load",
            "docker-image",
            stderr='Image: "{}" with ID "sha256:5b14d97d6c2e" not yet present on node '
            '"dev-control-plane", loading...\n',
        )

    def k3d(self, clusters: tuple[str, ...] = ("dev",)) -> None:
        k3d = fake_local_cluster_tool(self.tools, "k3d")
        listing = [
            {
                "name": c,
                "network": f"k3d-{c}",
                "token": "K10abc",
                "nodes": [
                    {"name": f"k3d-{c}-server-0", "role": "server", "State": {"Running": True}}
                ],
                "serversRunning": 1,
                "serversCount": 1,
                "agentsRunning": 0,
                "agentsCount": 0,
            }
            for c in clusters
        ]
        k3d.on("cluster", "list", "-o", "json", json=listing)
        k3d.on(
            "image",
            "import",
            stderr="INFO[0000] Importing image(s) into cluster 'dev'\n"
            "INFO[0003] Successfully imported 1 image(s) into 1 cluster(s)\n",
        )

    def docker(self, *, local: bool, repo_digests: list[str] | None = None) -> None:
        """A fake engine: the image exists locally (or not), with these RepoDigests."""
        docker = fake_docker(self.tools)
        if local:
            docker.on("image", "inspect", "--format", "{{.Id}}", stdout="sha256:" + "5" * 64 + "\n")
            docker.on(
                "image",
                "inspect",
                "--format",
                "{{json .RepoDigests}}",
                stdout=json.dumps(repo_digests or []) + "\n",
            )
        else:
            docker.on("image", "inspect", stderr="Error: No such image\n", exit=1)

    def kubectl_args(self) -> list[list[str]]:
        return [call.args for call in self.kubectl.calls()]


@pytest.fixture
def cluster(fake_tools: FakeTools) -> FakeCluster:
    return FakeCluster(fake_tools)


@pytest.fixture
def project(write_config, tmp_path: Path):
    """``project(extra_yaml="", provider_yaml="")`` writes a kubernetes sindri.yaml."""

    def make(deployment_extra: str = "", top_extra: str = "", provider: str = "") -> Path:
        text = (
            'version: "3.0"\n'
            f"name: {NAME}\n"
            "deployment:\n"
            "  provider: kubernetes\n"
            f"  image: {IMAGE}\n" + deployment_extra + top_extra
        )
        if provider:
            text += "providers:\n  kubernetes:\n" + provider
        return write_config(text).parent

    return make


@pytest.fixture
def pinned_kubectl_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """sindri runs ``kubectl`` from PATH: for tests of the real kubectl, the pinned one, never
    the machine's (tests/support/pinned_tools.py)."""
    monkeypatch.setenv("PATH", f"{pinned_kubectl().parent}{os.pathsep}{os.environ['PATH']}")
