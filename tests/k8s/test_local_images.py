"""Images in the real local Docker engine: loaded into kind, refused for a remote cluster when
they were never pushed, accepted once pushed (a real registry on loopback)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.k8s.conftest import NAME, FakeCluster

pytestmark = pytest.mark.docker

LABEL = "dev.sindri.test.k8s"


def docker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True)


@pytest.fixture
def local_image(tmp_path: Path) -> Iterator[str]:
    """A tiny image built here and never pushed: ``k8s-test-<id>:local`` (a Docker Hub name)."""
    run_id = uuid.uuid4().hex[:10]
    context = tmp_path / "image"
    context.mkdir()
    shutil.copy(shutil.which("busybox") or "/bin/busybox", context / "busybox")
    (context / "Dockerfile").write_text(
        f"FROM scratch\nCOPY busybox /bin/busybox\nLABEL {LABEL}={run_id}\n"
    )
    reference = f"k8s-test-{run_id}:local"
    docker("build", "-q", "-t", reference, str(context))
    yield reference
    images = docker("images", "-q", "--filter", f"label={LABEL}={run_id}").stdout.split()
    if images:
        subprocess.run(["docker", "rmi", "-f", *set(images)], capture_output=True, check=False)


def deploy_config(write_config, image: str, provider: str = "") -> Path:
    text = f'version: "3.0"\nname: {NAME}\ndeployment:\n  provider: kubernetes\n  image: {image}\n'
    if provider:
        text += f"providers:\n  kubernetes:\n{provider}"
    return write_config(text).parent


def test_remote_cluster_refuses_a_never_pushed_image(
    cluster: FakeCluster, local_image: str, write_config, sindri_cli
):
    cluster.setup(context="prod")

    result = sindri_cli("deploy", cwd=deploy_config(write_config, local_image))

    assert result.exit_code == 1
    assert f"{local_image} exists only in the local Docker engine" in result.stderr
    assert not any(argv[1] == "apply" for argv in cluster.tools.argvs())


@pytest.mark.registry
def test_remote_cluster_accepts_the_image_once_pushed(
    cluster: FakeCluster, local_image: str, registry, write_config, sindri_cli
):
    pushed = f"{registry.host}/{registry.unique_repo('k8s')}:1.0"
    docker("tag", local_image, pushed)
    unpushed = f"{registry.host}/{registry.unique_repo('k8s')}:1.0"
    docker("tag", local_image, unpushed)
    docker("push", pushed)
    cluster.setup(context="prod")

    accepted = sindri_cli("deploy", "--no-wait", cwd=deploy_config(write_config, pushed))
    cluster.tools.set_state(deployed=False)
    # Same bits, but this repository never saw a push: the registry host in the name is not
    # enough to make it pullable.
    refused = sindri_cli("deploy", "--no-wait", cwd=deploy_config(write_config, unpushed))

    assert accepted.exit_code == 0, accepted.stderr
    assert refused.exit_code == 1
    assert f"{unpushed} exists only in the local Docker engine" in refused.stderr
    docker("rmi", pushed, unpushed)


def test_kind_cluster_gets_the_local_image_loaded(
    cluster: FakeCluster, local_image: str, write_config, sindri_cli
):
    cluster.setup(context="kind-dev")
    cluster.kind(clusters=("dev",))

    result = sindri_cli("deploy", "--no-wait", cwd=deploy_config(write_config, local_image))

    assert result.exit_code == 0, result.stderr
    assert ["kind", "load", "docker-image", local_image, "--name", "dev"] in cluster.tools.argvs()


def test_kind_cluster_pulls_what_the_engine_does_not_have(
    cluster: FakeCluster, write_config, sindri_cli
):
    cluster.setup(context="kind-dev")
    cluster.kind(clusters=("dev",))
    image = f"k8s-test-absent-{uuid.uuid4().hex[:8]}:1"

    result = sindri_cli("deploy", "--no-wait", cwd=deploy_config(write_config, image))

    assert result.exit_code == 0, result.stderr
    assert not any(argv[0] == "kind" and argv[1] == "load" for argv in cluster.tools.argvs())
