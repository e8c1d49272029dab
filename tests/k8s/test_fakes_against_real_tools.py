"""The fake kubectl and docker refuse what the real ones refuse, with the same words, stream
and code: each case runs both. The real kubectl is the pinned one the fake follows (.tools/bin,
tests/support/pinned_tools.py), whatever kubectl comes first on PATH."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.docker_cli import fake_docker
from tests.support.pinned_tools import pinned_kubectl
from tests.support.real_vs_fake import same_refusal


@pytest.fixture
def real_kubectl() -> Path:
    return pinned_kubectl()


@pytest.mark.parametrize(
    "argv",
    [
        ["get", "deployment", "x", "--bogus"],
        ["delete", "deployment", "-l", "a=b", "--ignore-notfound"],
        ["apply", "--server-side", "-x", "-f", "-"],
        ["rollout", "status", "deployment/x", "--timeout"],
        ["rollout", "bogus", "deployment/x"],
        ["exec", "-it"],
        ["config", "get-contexts", "-o"],
    ],
)
def test_refusals_match_the_real_kubectl(fake_tools, real_kubectl, tmp_path: Path, argv) -> None:
    fake = fake_tools.tool("kubectl").follow("tests.k8s.kubectl_cli:check")
    fake.on("get", stdout="reached the rules\n")
    env = {**os.environ, "KUBECONFIG": str(tmp_path / "none"), "KUBECACHEDIR": str(tmp_path)}
    same_refusal(fake, argv, env, real_kubectl)


@pytest.mark.parametrize(
    "argv",
    [
        ["build", "--bogus", "-t", "x", "."],
        ["build", "-f", "Dockerfile", "-t", "x"],
        ["images", "--filter", "label=a=b", "one", "two"],
        ["image", "inspect", "--format", "{{.Id}}"],
        ["image", "inspect", "--fromat", "{{.Id}}", "x"],
        ["tag", "only-one"],
        ["push"],
    ],
)
def test_refusals_match_the_real_docker_cli(fake_tools, tmp_path: Path, argv) -> None:
    fake = fake_docker(fake_tools)
    env = {**os.environ, "DOCKER_CONFIG": str(tmp_path)}
    same_refusal(fake, argv, env)
