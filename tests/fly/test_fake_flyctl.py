"""The fake flyctl holds to flyctl's contract: what it refuses, on which stream, with which code."""

from __future__ import annotations

import subprocess

import pytest

from tests.fly.fakefly import install_flyctl


@pytest.mark.parametrize(
    ("argv", "code", "stream", "message"),
    [
        (["apps", "list", "--bogus"], 1, "stderr", "Error: unknown flag: --bogus\n"),
        (
            ["volumes", "create", "a", "b", "--app", "x"],
            1,
            "stderr",
            "accepts 1 arg(s), received 2",
        ),
        (["secrets", "unset", "--app", "x"], 1, "stderr", "requires at least 1 arg(s)"),
        (["deploy", "--wait-timeout"], 1, "stderr", "flag needs an argument: --wait-timeout"),
        (["bogus"], 1, "stderr", 'Error: unknown command "bogus" for "flyctl"'),
        (["apps", "bogus"], 0, "stdout", "flyctl apps [command]"),  # cobra shows a group's help
        (["ssh", "console", "-a", "x", "-u", "dev", "-C", "ls -la"], 0, "stdout", ""),
    ],
)
def test_the_fake_answers_as_flyctl_does(fake_tools, argv, code, stream, message) -> None:
    install_flyctl(fake_tools)
    done = subprocess.run(["flyctl", *argv], capture_output=True, text=True, check=False)
    assert done.returncode == code
    assert message in getattr(done, stream)


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("no equals sign\n", "Failed to parse secrets from stdin: Secrets must be provided"),
        ("# only a comment\n", "requires at least one SECRET=VALUE pair"),
    ],
)
def test_secrets_import_parses_stdin_as_flyctl_does(fake_tools, stdin, message) -> None:
    install_flyctl(fake_tools)
    argv = ["flyctl", "secrets", "import", "--stage", "--app", "x"]
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert message in done.stderr
