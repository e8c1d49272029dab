"""``sindri_core.docker_engine``, the image helpers the Docker, DevPod, E2B and Kubernetes
providers share, and the docker provider's own ``engine`` module, against the real engine and
a loopback registry."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from sindri_core import docker_engine
from sindri_core.build.context import BuildContext, BuildSource, SourceKind
from sindri_core.errors import OperationError
from sindri_core.output import Console
from sindri_core.runner import CommandRunner
from sindri_providers_docker import engine
from tests.docker.conftest import BusyboxProject, docker

pytestmark = pytest.mark.docker


def _context(project: BusyboxProject) -> BuildContext:
    dockerfile = project.dir / "Dockerfile"
    fingerprint = hashlib.sha256(dockerfile.read_bytes()).hexdigest()
    return BuildContext(
        context_dir=project.dir,
        dockerfile=dockerfile,
        source=BuildSource(SourceKind.LOCAL, "test", dockerfile=dockerfile),
        build_args={"DISTRO": "ubuntu", "SINDRI_VERSION": "3.2.0"},
        fingerprint=fingerprint,
        tag=f"sindri:test-{fingerprint[:12]}",
    )


def test_build_labels_skips_and_retags_an_identical_image(busybox_project: Any) -> None:
    runner, console = CommandRunner(), Console(progress=False)
    context = _context(busybox_project())
    built = docker_engine.build_image(runner, context, context.tag, force=False, console=console)
    assert (built.reference, built.skipped) == (context.tag, False)
    label = docker(
        "image",
        "inspect",
        "--format",
        '{{index .Config.Labels "dev.sindri.fingerprint"}}',
        context.tag,
    )
    assert label.stdout.strip() == context.fingerprint

    other_tag = context.tag + "-again"
    again = docker_engine.build_image(runner, context, other_tag, force=False, console=console)
    assert again.skipped is True
    ids = {
        docker("image", "inspect", "--format", "{{.Id}}", t).stdout
        for t in (context.tag, other_tag)
    }
    assert len(ids) == 1  # the same image under a second tag, nothing rebuilt


def test_build_argv_passes_args_label_and_no_cache(tmp_path: Path) -> None:
    project = BusyboxProject(tmp_path, "x", "id")
    project.write_dockerfile()
    context = _context(project)
    argv = docker_engine.build_argv(context, "sindri:t", no_cache=True)
    assert argv[:6] == ["docker", "build", "-f", str(context.dockerfile), "-t", "sindri:t"]
    assert ["--label", f"dev.sindri.fingerprint={context.fingerprint}"] == argv[6:8]
    assert "--build-arg" in argv and "DISTRO=ubuntu" in argv and "SINDRI_VERSION=3.2.0" in argv
    assert argv[-2:] == ["--no-cache", str(tmp_path)]


def test_a_failed_build_names_the_tag_and_the_cause(busybox_project: Any) -> None:
    project = busybox_project()
    (project.dir / "Dockerfile").write_text("FROM scratch\nCOPY missing-file /x\n")
    context = _context(project)
    with pytest.raises(OperationError, match=r"building sindri:test-.* failed: .*missing-file"):
        docker_engine.build_image(
            CommandRunner(), context, context.tag, force=False, console=Console(progress=False)
        )


def test_push_returns_the_registry_digest(
    busybox_image: str, registry: Any, engine_janitor: Any
) -> None:
    repo = f"sindri-tests/engine-{busybox_image.rsplit(':', 1)[1]}"
    target = f"{registry.host}/{repo}:1.0.0"
    engine_janitor.images.append(target)
    runner = CommandRunner()
    digest = docker_engine.push_image(runner, busybox_image, target)
    assert digest == registry.digest_of(repo, "1.0.0")
    assert docker_engine.image_exists_locally(runner, target)
    assert not docker_engine.image_exists_locally(runner, f"{registry.host}/{repo}:9.9.9")


def test_pushing_to_a_closed_port_is_an_operation_error(
    busybox_image: str, engine_janitor: Any
) -> None:
    target = "127.0.0.1:9/sindri-tests/nowhere:1"
    engine_janitor.images.append(target)
    with pytest.raises(OperationError, match=re.escape(f"pushing {target} failed")):
        docker_engine.push_image(CommandRunner(), busybox_image, target)


def test_engine_info_and_inspecting_an_absent_container() -> None:
    runner = CommandRunner()
    info = engine.engine_info(runner)
    assert info.server_version
    assert "runc" in info.runtimes
    assert engine.inspect_container(runner, "sindri-no-such-container-x") is None
