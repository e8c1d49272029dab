"""The end-to-end demo (examples/demo/run.sh) on the real engine, from a copy of the example
so the repository stays untouched: it succeeds and shows every step, fails loudly when a
step fails, and leaves nothing behind either way."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.docker.conftest import docker, docker_lines

pytestmark = [pytest.mark.docker, pytest.mark.slow]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "demo"


@pytest.fixture
def demo(tmp_path: Path, engine_janitor: Any) -> Path:
    copy = tmp_path / "demo"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns(".sindri", "busybox"))
    engine_janitor.deployment("demo")
    engine_janitor.images += docker_lines(
        "images", "-q", "--filter", "label=dev.sindri.example=demo"
    )
    return copy


def _run(demo: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SINDRI": str(Path(sys.executable).parent / "sindri")}
    return subprocess.run(
        ["bash", str(demo / "run.sh")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def _assert_nothing_left(demo: Path) -> None:
    assert docker("container", "inspect", "demo", check=False).returncode != 0
    assert docker("volume", "inspect", "sindri-demo-home", check=False).returncode != 0
    assert docker_lines("images", "-q", "--filter", "label=dev.sindri.example=demo") == []
    assert not (demo / ".sindri").exists()
    assert not (demo / "busybox").exists()


def test_the_demo_plans_deploys_shows_connects_and_destroys(demo: Path) -> None:
    result = _run(demo)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for step in ("plan", "deploy", "status", "connect", "destroy --yes"):
        assert f"==> sindri {step}" in out
    assert "build    image:sindri:" in out  # plan: no image configured, so it builds
    assert "Built image sindri:" in out
    assert "State: running" in out
    assert "hello from demo, working in /workspace" in out
    assert "Destroyed demo" in out
    assert out.rstrip().endswith("connected and destroyed.")
    _assert_nothing_left(demo)


def test_a_failing_step_fails_the_demo_and_still_cleans_up(demo: Path) -> None:
    dockerfile = demo / "Dockerfile"
    dockerfile.write_text(
        dockerfile.read_text().replace('CMD ["/bin/sh", "-c",', 'CMD ["/bin/false",')
    )
    result = _run(demo)
    assert result.returncode != 0
    assert "demo FAILED at step: sindri deploy" in result.stderr
    assert "right after starting" in result.stderr
    assert "demo OK" not in result.stdout
    _assert_nothing_left(demo)
