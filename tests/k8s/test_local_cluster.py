"""sindri_core.local_cluster: kind/k3d only from the context name, confirmed by the tool."""

from __future__ import annotations

import pytest

from sindri_core.errors import ExternalCommandError
from sindri_core.local_cluster import (
    ClusterTool,
    LocalCluster,
    cluster_from_context,
    detect_local_cluster,
    load_image,
)
from sindri_core.runner import CommandRunner
from tests.k8s.conftest import FakeCluster
from tests.support.local_cluster_cli import fake_local_cluster_tool


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ("kind-dev", LocalCluster(ClusterTool.KIND, "dev", "kind-dev")),
        ("kind-kind", LocalCluster(ClusterTool.KIND, "kind", "kind-kind")),
        ("k3d-my-cluster", LocalCluster(ClusterTool.K3D, "my-cluster", "k3d-my-cluster")),
        ("kind-", None),
        ("kind", None),
        ("docker-desktop", None),
        ("gke_proj_europe-west1_main", None),
        ("arn:aws:eks:eu-west-1:123:cluster/kind-dev", None),
        ("my-kind-dev", None),
    ],
)
def test_cluster_from_context(context: str, expected: LocalCluster | None) -> None:
    assert cluster_from_context(context) == expected


def test_kind_is_confirmed_by_kind_get_clusters(cluster: FakeCluster) -> None:
    cluster.kind(clusters=("a", "dev"))
    runner = CommandRunner()

    assert detect_local_cluster(runner, "kind-dev") == LocalCluster(
        ClusterTool.KIND, "dev", "kind-dev"
    )
    assert detect_local_cluster(runner, "kind-gone") is None
    assert cluster.tools.argvs() == [["kind", "get", "clusters"]] * 2


def test_no_kind_clusters(cluster: FakeCluster) -> None:
    cluster.kind(clusters=())
    assert detect_local_cluster(CommandRunner(), "kind-dev") is None


def test_k3d_is_confirmed_by_the_json_listing(cluster: FakeCluster) -> None:
    cluster.k3d(clusters=("dev", "ci"))
    runner = CommandRunner()

    assert detect_local_cluster(runner, "k3d-ci") == LocalCluster(ClusterTool.K3D, "ci", "k3d-ci")
    assert detect_local_cluster(runner, "k3d-other") is None
    assert cluster.tools.argvs() == [["k3d", "cluster", "list", "-o", "json"]] * 2


def test_a_missing_tool_means_not_local(fake_tools, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(fake_tools.bin_dir))  # no kind, no k3d anywhere
    assert detect_local_cluster(CommandRunner(), "kind-dev") is None
    assert detect_local_cluster(CommandRunner(), "k3d-dev") is None


def test_other_contexts_ask_no_tool(cluster: FakeCluster) -> None:
    cluster.kind()
    cluster.k3d()
    assert detect_local_cluster(CommandRunner(), "prod") is None
    assert cluster.tools.argvs() == []


def test_load_image_argv(cluster: FakeCluster) -> None:
    cluster.kind()
    cluster.k3d()
    runner = CommandRunner()

    load_image(runner, LocalCluster(ClusterTool.KIND, "dev", "kind-dev"), "sindri:local")
    load_image(runner, LocalCluster(ClusterTool.K3D, "dev", "k3d-dev"), "sindri:local")

    assert cluster.tools.argvs() == [
        ["kind", "load", "docker-image", "sindri:local", "--name", "dev"],
        ["k3d", "image", "import", "sindri:local", "-c", "dev"],
    ]


def test_a_failed_load_is_an_error(fake_tools) -> None:
    fake_local_cluster_tool(fake_tools, "kind").on(
        "load", stderr='ERROR: image: "sindri:none" not present locally\n', exit=1
    )
    with pytest.raises(ExternalCommandError, match="not present locally"):
        load_image(
            CommandRunner(), LocalCluster(ClusterTool.KIND, "dev", "kind-dev"), "sindri:none"
        )
