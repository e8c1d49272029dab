"""The fake devpod holds to devpod's contract: what it refuses, on which stream, with which code."""

from __future__ import annotations

import subprocess

import pytest


@pytest.fixture
def devpod(fake_tools):
    tool = fake_tools.tool("devpod").follow("tests.devpod.devpod_cli:check")
    tool.on("up")
    return tool


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["up", ".", "--bogus"], "fatal unknown flag: --bogus"),
        (["up", ".", "--id", "x" * 49], "cannot be longer than 48 characters"),
        (["up", ".", "--id", "Dev_Box"], "can only include smaller case letters"),
        (["provider", "list", "extra"], "accepts 0 arg(s), received 1"),
        (["status", "x", "--output"], "flag needs an argument: --output"),
    ],
)
def test_the_fake_refuses_what_devpod_refuses(devpod, argv, message) -> None:
    done = subprocess.run(["devpod", *argv], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (1, "")
    assert message in done.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"A=\n", "invalid variable value"),
        (b"A B=x\n", "invalid variable key"),
        (b"A=\xff\n", "utf8"),
    ],
)
def test_the_fake_reads_the_env_file_as_devpod_does(devpod, tmp_path, content, message) -> None:
    env_file = tmp_path / "workspace.env"
    env_file.write_bytes(content)
    argv = ["devpod", "up", ".", "--provider", "docker", "--workspace-env-file", str(env_file)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert message in done.stderr
