"""Fixtures of the devpod tests: the fake devpod, a fake docker, and a project directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.devpod.test_devpod_provider import DOCKERFILE, PUSHED, SECRET_VALUE
from tests.support.docker_cli import fake_docker


@pytest.fixture
def devpod(fake_tools, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", SECRET_VALUE)
    tool = fake_tools.tool("devpod").follow("tests.devpod.devpod_cli:check")
    tool.on(
        "provider",
        "list",
        "--output",
        "json",
        when={"added": True},
        json={"docker": {"state": {"initialized": True}}},
    )
    tool.on("provider", "list", "--output", "json", json={})
    tool.on("provider", "add", set={"added": True})
    tool.on("provider", "set-options")
    tool.on("up", set={"workspace": "Running"})
    for state in ("Running", "Stopped"):
        tool.on(
            "status",
            "dev-box",
            "--output",
            "json",
            when={"workspace": state},
            json={"id": "dev-box", "provider": "docker", "state": state},
        )
    tool.on(
        "status",
        "dev-box",
        "--output",
        "json",
        when={"workspace": "Busy"},
        json={"id": "dev-box", "state": "Busy"},
    )
    # pkg/workspace/workspace.go, logged by cmd/root.go's log.Default.Fatal
    tool.on("status", exit=1, stderr="fatal workspace dev-box doesn't exist\n")
    tool.on("stop", set={"workspace": "Stopped"})
    tool.on("delete", set={"workspace": None})
    return tool


@pytest.fixture
def docker(fake_tools):
    tool = fake_docker(fake_tools)
    tool.on("images", stdout="")
    tool.on("build", stdout="Successfully built 1234\n")
    tool.on("tag")
    tool.on("push", stdout=f"3.2.0-x: digest: {PUSHED} size: 528\n")
    return tool


@pytest.fixture
def project(write_config):
    def make(text: str, dockerfile: bool = True) -> Path:
        path = write_config(text).parent
        if dockerfile:
            (path / "Dockerfile").write_text(DOCKERFILE)
            (path / "busybox").write_text("binary")
        return path

    return make
