"""What a user sees on stderr and stdout: ``-v`` shows each external command and its
duration, ``-q`` leaves only warnings and errors, and steps show without a terminal as one
line each with their outcome (ADR 0019)."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from sindri_core import hookimpl
from sindri_core.errors import OperationError
from sindri_core.lifecycle import OperationResult, ProviderContext
from sindri_core.output import Console
from sindri_core.runner import CommandRunner, shown_argv
from tests.core.fake_providers import RecordingProvider, config_text


class Runs(RecordingProvider):
    """Stops by running one external command through the context's runner, in one step."""

    fail = False

    @hookimpl
    def sindri_stop(self, ctx: ProviderContext) -> OperationResult:
        ctx.console.step("Stopping the machine")
        ctx.runner.run([sys.executable, "-c", "pass", "https://user:tok3n@example.test/r.git"])
        if self.fail:
            raise OperationError("the machine would not stop")
        return OperationResult("runs stopped")


@pytest.fixture
def runs(register_provider: Any, write_config: Any) -> tuple[Runs, Path]:
    provider = Runs("runs")
    register_provider(provider)
    path = write_config(config_text("runs", "image: ghcr.io/x/y:1.0.0"))
    return provider, path.parent


def test_verbose_shows_each_command_with_its_duration_and_no_credentials(
    runs: Any, sindri_cli: Any
) -> None:
    _, cwd = runs
    quiet = sindri_cli("stop", cwd=cwd)
    verbose = sindri_cli("-v", "stop", cwd=cwd)
    assert quiet.exit_code == verbose.exit_code == 0
    assert "$ " not in quiet.stderr
    line = next(line for line in verbose.stderr.splitlines() if "$ " in line)
    assert re.fullmatch(
        rf"  \$ {re.escape(sys.executable)} -c pass 'https://\*\*\*@example.test/r.git'"
        r"  \(exit 0, \d+\.\d\ds\)",
        line,
    ), line
    assert "tok3n" not in verbose.stderr + verbose.stdout


def test_without_a_terminal_each_step_is_one_line_with_its_outcome(
    runs: Any, sindri_cli: Any
) -> None:
    provider, cwd = runs
    result = sindri_cli("stop", cwd=cwd)
    assert result.exit_code == 0
    steps = [line for line in result.stderr.splitlines() if line.startswith("» ")]
    assert [re.sub(r"\(\d+\.\ds\)", "(Ns)", line) for line in steps] == [
        "» Stopping the machine: done (Ns)",
        "» Stopping test-env (runs): done (Ns)",
    ]
    assert result.stdout == "runs stopped\n"

    provider.fail = True
    failed = sindri_cli("stop", cwd=cwd)
    assert failed.exit_code == 1
    # The error is the failed step's outcome: a failure stays one line.
    assert failed.stderr == "error: the machine would not stop\n"


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_prints_only_warnings_and_errors(runs: Any, sindri_cli: Any, where: str) -> None:
    _, cwd = runs
    for command in (("stop",), ("start",), ("deploy",), ("destroy", "--yes")):
        args = ("-q", *command) if where == "before" else (*command, "-q")
        result = sindri_cli(*args, cwd=cwd)
        assert result.exit_code == 0, result.stderr
        assert (result.stdout, result.stderr) == ("", ""), command


def test_on_a_terminal_a_step_shows_when_it_starts() -> None:
    stream = io.StringIO()
    console = Console(progress=True, stream=stream)
    with console.operation("Destroying demo (docker)"):
        assert stream.getvalue() == "» Destroying demo (docker)\n"
        console.step("Removing the container")
        assert stream.getvalue().endswith("» Removing the container\n")
    assert stream.getvalue().count("\n") == 2


def test_the_runner_shows_nothing_without_verbose() -> None:
    stream = io.StringIO()
    CommandRunner(console=Console(stream=stream)).run([sys.executable, "-c", "pass"])
    assert stream.getvalue() == ""
    CommandRunner(console=Console(verbosity=1, stream=stream)).run([sys.executable, "-c", "pass"])
    assert stream.getvalue().startswith(f"  $ {sys.executable} -c pass  (exit 0, ")


def test_shown_argv_quotes_like_a_shell_and_masks_url_credentials() -> None:
    assert shown_argv(["git", "clone", "https://x:y@h/r", "a b"]) == (
        "git clone 'https://***@h/r' 'a b'"
    )


class Noisy(RecordingProvider):
    @hookimpl
    def sindri_start(self, ctx: ProviderContext) -> OperationResult:
        raise OperationError(
            "the machine exited; its last log lines:\n    first line\n    second line\n"
            "Rolled back what this start created: nothing"
        )


def test_an_error_keeps_the_lines_of_what_it_quotes(
    register_provider: Any, write_config: Any, sindri_cli: Any
) -> None:
    register_provider(Noisy("noisy"))
    path = write_config(config_text("noisy", "image: ghcr.io/x/y:1.0.0"))
    result = sindri_cli("start", cwd=path.parent)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: the machine exited; its last log lines:",
        "    first line",
        "    second line",
        "  Rolled back what this start created: nothing",
    ]


def test_status_watch_json_is_json_lines_and_ctrl_c_ends_it_quietly(
    register_provider: Any, write_config: Any, sindri_cli: Any, monkeypatch: Any
) -> None:
    register_provider(RecordingProvider("rec"))
    path = write_config(config_text("rec", "image: ghcr.io/x/y:1.0.0"))
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise KeyboardInterrupt  # the user presses Ctrl-C during the third wait

    monkeypatch.setattr("time.sleep", sleep)
    result = sindri_cli("status", "--watch", "2", "--json", cwd=path.parent)
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert [json.loads(line)["state"] for line in lines] == ["running"] * 3


def test_a_terminated_watch_still_says_so(
    register_provider: Any, write_config: Any, sindri_cli: Any, monkeypatch: Any
) -> None:
    from sindri_core.cli.main import Terminated

    register_provider(RecordingProvider("rec"))
    path = write_config(config_text("rec", "image: ghcr.io/x/y:1.0.0"))

    def sleep(seconds: float) -> None:
        raise Terminated

    monkeypatch.setattr("time.sleep", sleep)
    result = sindri_cli("status", "--watch", "2", cwd=path.parent)
    assert (result.exit_code, result.stderr) == (143, "error: terminated\n")


def test_status_watch_redraws_in_place_on_a_terminal(
    register_provider: Any, write_config: Any, sindri_cli: Any, monkeypatch: Any
) -> None:
    register_provider(RecordingProvider("rec"))
    path = write_config(config_text("rec", "image: ghcr.io/x/y:1.0.0"))
    monkeypatch.setattr("sindri_core.cli.project_commands._stdout_is_a_terminal", lambda: True)
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("time.sleep", sleep)
    result = sindri_cli("status", "--watch", "2", cwd=path.parent)
    assert result.exit_code == 0
    blocks = result.stdout.split("\x1b[2J\x1b[H")
    assert blocks[0] == "" and len(blocks) == 3  # each refresh starts on a cleared screen
    assert all(block.startswith("Status: test-env (rec)") for block in blocks[1:])


class Verifies(RecordingProvider):
    """Takes a step outside any operation (as `image verify` does) from its status hook."""

    @hookimpl
    def sindri_status(self, ctx: ProviderContext, image: Any) -> Any:
        ctx.console.step("Asking the backend")
        return super().sindri_status(ctx, image)


def test_a_step_outside_an_operation_ends_with_the_command(
    register_provider: Any, write_config: Any, sindri_cli: Any
) -> None:
    register_provider(Verifies("verifies"))
    path = write_config(config_text("verifies", "image: ghcr.io/x/y:1.0.0"))
    result = sindri_cli("status", cwd=path.parent)
    assert result.exit_code == 0
    assert re.fullmatch(r"» Asking the backend: done \(\d+\.\ds\)\n", result.stderr)
