"""The fake kubectl refuses what the real kubectl refuses, with the same words, stream and code:
each case runs both."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


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
def test_refusals_match_the_real_kubectl(fake_tools, tmp_path: Path, argv) -> None:
    fake = fake_tools.tool("kubectl").follow("tests.k8s.kubectl_cli:check")
    fake.on("get", stdout="reached the rules\n")
    path = os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if p != str(fake.tools.bin_dir)
    )
    real_kubectl = shutil.which("kubectl", path=path)
    assert real_kubectl, "scripts/install-system-deps installs kubectl"
    env = {**os.environ, "KUBECONFIG": str(tmp_path / "none"), "KUBECACHEDIR": str(tmp_path)}
    real = subprocess.run([real_kubectl, *argv], capture_output=True, text=True, env=env)
    faked = subprocess.run(["kubectl", *argv], capture_output=True, text=True, env=env)
    assert faked.returncode == real.returncode == 1
    assert faked.stdout == real.stdout == ""
    assert faked.stderr.splitlines()[0] == real.stderr.splitlines()[0]
