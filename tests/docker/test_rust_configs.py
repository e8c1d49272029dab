"""A configuration the Rust tool loads deploys on the real engine: the keys it reads or
ignores (``extensions.autoInstall``, a container port alone, an optional ``s3`` secret, an
optional Vault secret Vault cannot give) are accepted, reported, and the container runs."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from tests.docker.conftest import BASE_CONFIG, docker

pytestmark = pytest.mark.docker

RUST_KEYS = """extensions:
  profile: minimal
  autoInstall: true
secrets:
  - name: TEAM_TOKEN
    source: s3
    s3Path: team/token
  - name: CLUSTER_CONFIG
    source: vault
    vaultPath: dev/cluster
    vaultKey: config
providers:
  docker:
    ports: ["8080"]
"""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_rust_tools_keys_load_plan_and_deploy(
    busybox_project: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAULT_ADDR", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("VAULT_TOKEN", "test-token")
    project = busybox_project(config=BASE_CONFIG + RUST_KEYS)

    validate = sindri_cli("config", "validate", "--json", cwd=project.dir)
    assert validate.exit_code == 0, validate.stderr
    assert validate.json()["warnings"] == [
        "secrets[0] (TEAM_TOKEN, source: s3) is ignored: sindri reads no S3 secrets (nor does "
        "the Rust tool); the command goes on without it",
        "extensions.autoInstall is ignored (the Rust tool ignores it too): the key is auto_install",
    ]
    plan = sindri_cli("plan", "--json", cwd=project.dir)
    assert plan.exit_code == 0, plan.stderr
    deployed = sindri_cli("deploy", cwd=project.dir)
    assert deployed.exit_code == 0, deployed.stderr
    assert "optional secret CLUSTER_CONFIG is skipped" in deployed.stderr

    # compose's meaning of a container port alone: the engine picks the host port.
    bindings = json.loads(docker("container", "inspect", project.name).stdout)[0][
        "NetworkSettings"
    ]["Ports"]["8080/tcp"]
    assert bindings and all(int(b["HostPort"]) > 0 for b in bindings)


def test_a_required_vault_secret_vault_cannot_give_still_stops_the_deploy(
    busybox_project: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAULT_ADDR", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("VAULT_TOKEN", "test-token")
    config = RUST_KEYS.replace(
        "    vaultKey: config\n", "    vaultKey: config\n    required: true\n"
    )
    project = busybox_project(config=BASE_CONFIG + config)
    deployed = sindri_cli("deploy", cwd=project.dir)
    assert deployed.exit_code == 1
    assert "CLUSTER_CONFIG" in deployed.stderr
    assert docker("container", "inspect", project.name, check=False).returncode != 0
