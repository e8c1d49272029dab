"""Kubernetes never builds: every path that would reach the build level fails with exit 2 and
says why and which fields to set, before any command runs."""

from __future__ import annotations

import pytest

from tests.k8s.conftest import IMAGE, NAME, FakeCluster

NO_IMAGE = f"""\
version: "3.0"
name: {NAME}
deployment:
  provider: k8s
"""


def assert_refusal(result, cluster: FakeCluster) -> None:
    assert result.exit_code == 2, result.stderr
    message = result.stderr
    assert "never builds" in message
    assert "deployment.image or deployment.image_config" in message
    assert f"image: {IMAGE}" in message  # an example to copy
    assert "push it to a registry" in message
    assert len(message.strip().splitlines()) == 1
    assert "Traceback" not in message
    assert cluster.tools.argvs() == []


@pytest.mark.parametrize(
    "command", [("plan",), ("deploy",), ("deploy", "--dry-run"), ("image", "resolve")]
)
def test_no_image_configured(cluster: FakeCluster, write_config, sindri_cli, command):
    cluster.setup()
    directory = write_config(NO_IMAGE).parent

    result = sindri_cli(*command, cwd=directory)

    assert_refusal(result, cluster)
    assert "No image configured" in result.stderr


@pytest.mark.parametrize("command", [("plan",), ("deploy",), ("image", "resolve")])
def test_build_from_source_enabled(cluster: FakeCluster, write_config, sindri_cli, command):
    cluster.setup()
    text = NO_IMAGE + f"  image: {IMAGE}\n  buildFromSource:\n    enabled: true\n"

    result = sindri_cli(*command, cwd=write_config(text).parent)

    assert_refusal(result, cluster)
    assert "deployment.buildFromSource.enabled" in result.stderr


@pytest.mark.parametrize("command", [("plan", "--from-source"), ("deploy", "--from-source")])
def test_from_source_flag(cluster: FakeCluster, write_config, sindri_cli, command):
    cluster.setup()

    result = sindri_cli(*command, cwd=write_config(NO_IMAGE + f"  image: {IMAGE}\n").parent)

    assert_refusal(result, cluster)
    assert "--from-source" in result.stderr


def test_build_command_refuses(cluster: FakeCluster, write_config, sindri_cli):
    cluster.setup()

    result = sindri_cli("build", cwd=write_config(NO_IMAGE + f"  image: {IMAGE}\n").parent)

    assert result.exit_code == 2
    assert "never builds" in result.stderr
    assert cluster.tools.argvs() == []


def test_a_configured_image_resolves(cluster: FakeCluster, write_config, sindri_cli):
    result = sindri_cli(
        "image", "resolve", cwd=write_config(NO_IMAGE + f"  image: {IMAGE}\n").parent
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == IMAGE


def test_status_without_an_image_still_reports(cluster: FakeCluster, write_config, sindri_cli):
    cluster.setup(deployed=False)

    result = sindri_cli("status", "--json", cwd=write_config(NO_IMAGE).parent)

    assert result.exit_code == 0, result.stderr
    assert result.json()["configured_image"] is None
