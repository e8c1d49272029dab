"""A cluster whose API server does not answer is one line naming its server, whatever
kubectl repeats on its stderr (ADR 0019). Run against the real kubectl (the pinned one) and
a loopback port nothing listens on."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from sindri_core.runner import CommandResult
from sindri_providers_k8s.kubectl import unreachable_cluster

pytestmark = pytest.mark.usefixtures("pinned_kubectl_on_path")


def _closed_port() -> int:
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    server = f"https://127.0.0.1:{_closed_port()}"
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: gone\n  cluster: {{server: '{server}'}}\n"
        "contexts:\n- name: gone\n  context: {cluster: gone, user: u}\n"
        "current-context: gone\nusers:\n- name: u\n  user: {token: not-a-secret}\n"
    )
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("KUBECACHEDIR", str(tmp_path / "kube-cache"))
    return server


def _project(write_config: Any) -> Path:
    return write_config(
        'version: "3.0"\nname: far-away\n'
        "deployment:\n  provider: kubernetes\n  image: ghcr.io/pacphi/sindri:3.1.4\n"
    ).parent


def _unreachable(server: str) -> str:
    return (
        f"the Kubernetes cluster at {server} cannot be reached (connection refused); "
        "check that it runs and that the kubeconfig's context points at it"
    )


@pytest.mark.parametrize("command", ["status", "deploy", "destroy --yes", "stop", "start"])
def test_every_command_says_the_cluster_cannot_be_reached_in_one_line(
    nowhere: str, write_config: Any, sindri_cli: Any, command: str
) -> None:
    result = sindri_cli(*command.split(), cwd=_project(write_config))
    assert result.exit_code == 1, result.stdout
    assert result.stderr == f"error: {_unreachable(nowhere)}\n"


def test_plan_shows_the_desired_state_and_says_why_it_could_not_compare(
    nowhere: str, write_config: Any, sindri_cli: Any
) -> None:
    result = sindri_cli("plan", cwd=_project(write_config))
    assert result.exit_code == 0
    assert (
        f"Note: could not compare: kubectl could not read the deployment: {_unreachable(nowhere)}"
        in (result.stdout.splitlines())
    )
    assert "memcache" not in result.stdout


def test_unable_to_connect_names_the_server_and_the_reason() -> None:
    stderr = (
        'E1206 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group '
        'list: Get \\"https://10.0.0.1:6443/api?timeout=32s\\": dial tcp 10.0.0.1:6443: i/o '
        'timeout"\n'
        "Unable to connect to the server: dial tcp 10.0.0.1:6443: i/o timeout\n"
    )
    message = unreachable_cluster(CommandResult(("kubectl",), 1, "", stderr))
    assert message is not None
    assert message.startswith(
        "the Kubernetes cluster at https://10.0.0.1:6443 cannot be reached (i/o timeout)"
    )
    assert (
        unreachable_cluster(CommandResult(("kubectl",), 1, "", "Error from server (Forbidden)"))
        is None
    )
