"""Local Kubernetes clusters (kind, k3d): recognising them and loading images into them.

A kind or k3d cluster runs in the local Docker engine, so an image that was built (or pulled)
locally can be copied into its nodes instead of being pushed to a registry. Whether a kubectl
context points at such a cluster is decided **only** from the context's name, which both tools
choose (``kind-<cluster>``, ``k3d-<cluster>``), and confirmed by asking the tool whether the
cluster exists. A context with any other name is remote: guessing from "some kind cluster
exists" would push images at a cluster the context does not point to.

``providers.k8s`` (the Rust tool's local cluster block) names the cluster instead:
:func:`configured_cluster` reads it and :func:`require_cluster` confirms it exists.

Used by the Kubernetes provider and by DevPod's Kubernetes backends.
"""

from __future__ import annotations

import enum
import json

import attrs

from sindri_core.config.model import LOCAL_CLUSTER_SECTION, SindriConfig
from sindri_core.errors import OperationError
from sindri_core.runner import CommandRunner

__all__ = [
    "ClusterTool",
    "LocalCluster",
    "cluster_from_context",
    "configured_cluster",
    "detect_local_cluster",
    "load_image",
    "require_cluster",
]

DETECT_TIMEOUT = 30.0
LOAD_TIMEOUT = 1800.0  # copying a multi-gigabyte image into every node takes minutes


class ClusterTool(str, enum.Enum):
    KIND = "kind"
    K3D = "k3d"


@attrs.frozen
class LocalCluster:
    """A kind or k3d cluster.

    :param tool: the tool that manages it.
    :param name: the cluster's name as the tool knows it (the context without its prefix).
    :param context: the kubectl context that points at it.
    """

    tool: ClusterTool
    name: str
    context: str

    def describe(self) -> str:
        return f"{self.tool.value} cluster {self.name!r}"


def cluster_from_context(context: str) -> LocalCluster | None:
    """The cluster a context's name claims, without confirming it exists."""
    for tool in ClusterTool:
        prefix = f"{tool.value}-"
        if context.startswith(prefix) and len(context) > len(prefix):
            return LocalCluster(tool=tool, name=context[len(prefix) :], context=context)
    return None


def configured_cluster(config: SindriConfig) -> LocalCluster | None:
    """The cluster ``providers.k8s`` names (its name defaults to the deployment's), or
    ``None`` without that block. Its context is the one the tool creates for it."""
    block = config.providers.get(LOCAL_CLUSTER_SECTION)
    if block is None:
        return None
    tool = ClusterTool(block.provider)
    name = block.name_for(config.name)
    return LocalCluster(tool=tool, name=name, context=f"{tool.value}-{name}")


def require_cluster(runner: CommandRunner, cluster: LocalCluster) -> LocalCluster:
    """``cluster`` after checking that its tool is installed and lists it.

    :raises OperationError: the tool is missing or the cluster does not exist.
    """
    tool = cluster.tool.value
    where = f"providers.{LOCAL_CLUSTER_SECTION} names the {cluster.describe()}"
    if runner.which(tool) is None:
        raise OperationError(f"{where}, but {tool} is not installed")
    if cluster.name not in _cluster_names(runner, cluster.tool):
        create = (
            f"kind create cluster --name {cluster.name}"
            if cluster.tool is ClusterTool.KIND
            else f"k3d cluster create {cluster.name}"
        )
        raise OperationError(f"{where}, which does not exist", hint=f"create it first: {create}")
    return cluster


def detect_local_cluster(runner: CommandRunner, context: str) -> LocalCluster | None:
    """The kind/k3d cluster behind ``context``, or ``None`` for any other cluster.

    A ``kind-``/``k3d-`` context counts only when the tool is installed and lists the cluster;
    otherwise it is treated as remote (nothing is loaded into it).
    """
    claimed = cluster_from_context(context)
    if claimed is None or runner.which(claimed.tool.value) is None:
        return None
    return claimed if claimed.name in _cluster_names(runner, claimed.tool) else None


def _cluster_names(runner: CommandRunner, tool: ClusterTool) -> set[str]:
    if tool is ClusterTool.KIND:
        # One name per line; "No kind clusters found." goes to stderr.
        result = runner.run(["kind", "get", "clusters"], timeout=DETECT_TIMEOUT, check=False)
        return {line.strip() for line in result.stdout.splitlines() if line.strip()}
    result = runner.run(
        ["k3d", "cluster", "list", "-o", "json"], timeout=DETECT_TIMEOUT, check=False
    )
    try:
        clusters = json.loads(result.stdout or "[]")
    except json.JSONDecodeError:
        return set()
    return {c["name"] for c in clusters if isinstance(c, dict) and isinstance(c.get("name"), str)}


def load_image(runner: CommandRunner, cluster: LocalCluster, reference: str) -> None:
    """Copy ``reference`` from the local Docker engine into every node of ``cluster``.

    :raises ExternalCommandError: the tool failed (e.g. the image is not in the engine).
    """
    if cluster.tool is ClusterTool.KIND:
        argv = ["kind", "load", "docker-image", reference, "--name", cluster.name]
    else:
        argv = ["k3d", "image", "import", reference, "-c", cluster.name]
    runner.run(argv, timeout=LOAD_TIMEOUT)
