"""The fake kind and k3d hold to their contracts: what they refuse, where they say it."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.local_cluster_cli import fake_local_cluster_tool


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["kind", "get", "clusters", "extra"], "ERROR: accepts 0 arg(s), received 1"),
        (["kind", "load", "docker-image", "--name", "dev"], "ERROR: requires at least 1 arg(s)"),
        (
            ["kind", "load", "docker-image", "x", "--cluster", "dev"],
            "ERROR: unknown flag: --cluster",
        ),
        (["k3d", "image", "import", "x", "--name", "dev"], "FATA[0000] unknown flag: --name"),
        (["k3d", "cluster", "list", "-x"], "unknown shorthand flag: 'x' in -x"),
    ],
)
def test_the_fakes_refuse_what_kind_and_k3d_refuse(fake_tools, argv, message) -> None:
    fake_local_cluster_tool(fake_tools, argv[0]).on(argv[1])
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (1, "")
    assert message in done.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["kind", "load", "docker-image", "sindri:x", "--name", "dev"],
        ["kind", "get", "clusters", "-q"],
        ["k3d", "image", "import", "sindri:x", "-c", "dev"],
        ["k3d", "images", "load", "sindri:x", "--cluster=dev"],
        ["k3d", "cluster", "ls", "-o", "json"],
    ],
)
def test_the_fakes_accept_what_kind_and_k3d_accept(fake_tools, argv) -> None:
    fake_local_cluster_tool(fake_tools, argv[0]).on(argv[1], stdout="ok\n")
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (0, "ok\n")
