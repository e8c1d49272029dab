"""What a user of the Rust sindri (v3.1.4) types out of habit either works as there or
answers with one line naming what replaces it (ADR 0019). The flags and commands are those
of the Rust tool's clap definitions (``v3/crates/sindri/src/cli.rs``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sindri_core import __version__
from sindri_core.cli.rust_habits import OPTION_HINTS, RENAMED
from tests.core.fake_providers import RecordingProvider, config_text


@pytest.fixture
def rec(register_provider: Any, write_config: Any) -> tuple[RecordingProvider, Path]:
    provider = RecordingProvider("rec")
    register_provider(provider)
    path = write_config(config_text("rec", "image: ghcr.io/x/y:1.0.0"))
    return provider, path


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("destroy", "--force"), "`destroy --force` is `sindri destroy --yes` (-y) in sindri"),
        (("destroy", "-f"), "`destroy --force` is `sindri destroy --yes` (-y) in sindri"),
        (("deploy", "--skip-validation"), "sindri always validates sindri.yaml"),
        (("deploy", "--skip-build"), "builds only when the image chain ends in a build"),
        (("completions", "bash"), "is `sindri completion SHELL`"),
        (("doctor",), "`sindri providers` lists"),
        (("image", "current"), "is `sindri image resolve`"),
        (("image", "list", "--json"), "is `sindri image versions`"),
        (("image", "inspect", "ghcr.io/x/y:1"), "is `sindri image resolve --explain`"),
        (("config", "providers", "--json"), "is `sindri providers`"),
        (("image", "versions", "--format", "json"), "is `sindri image versions --json`"),
        (("image", "versions", "--cli-version", "3.1.0"), "`--constraint '^3.1'`"),
        (("image", "verify", "x", "--no-signature"), "always checks the signature"),
        (("image", "verify", "x", "--no-provenance"), "verify_provenance"),
        (("connect", "--command", "ls"), "sindri connect takes the command itself"),
        (("connect", "--command=ls"), "sindri connect takes the command itself"),
    ],
)
def test_a_rust_habit_gets_one_line_naming_what_replaces_it(
    rec: Any, sindri_cli: Any, args: tuple[str, ...], expected: str
) -> None:
    provider, path = rec
    result = sindri_cli(*args, cwd=path.parent)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert expected in result.stderr
    assert result.stdout == ""
    assert provider.operations() == []  # nothing ran


def test_every_hint_names_a_sindri_command_that_exists(sindri_cli: Any) -> None:
    for message in [*OPTION_HINTS.values(), *RENAMED.values()]:
        for quoted in message.split("`")[1::2]:
            if quoted.startswith("sindri "):
                words = [w for w in quoted.split()[1:] if w.isalpha() and w.islower()][:2]
                assert sindri_cli(*words, "--help").exit_code == 0, quoted


def test_renamed_commands_are_not_listed(sindri_cli: Any) -> None:
    assert "  completions " not in sindri_cli("--help").stdout
    assert "  current " not in sindri_cli("image", "--help").stdout
    assert "  resolve " in sindri_cli("image", "--help").stdout


def test_deploy_takes_the_rust_short_flags(rec: Any, sindri_cli: Any) -> None:
    provider, path = rec
    result = sindri_cli("deploy", "-f", "-w", "-t", "30", cwd=path.parent)
    assert result.exit_code == 0, result.stderr
    options = provider.calls[-1][1]["options"]
    assert (options.force, options.wait, options.timeout) == (True, True, 30)
    planned = sindri_cli("deploy", "--fs", "--dry-run", "--json", cwd=path.parent).json()
    assert planned["image"]["source"] == "build"  # --fs: from the Sindri sources
    assert sindri_cli("deploy", "--no-wait", cwd=path.parent).exit_code == 0
    assert provider.calls[-1][1]["options"].wait is False


def test_deploy_env_file_replaces_the_dotenv_files(
    register_provider: Any, write_config: Any, sindri_cli: Any, monkeypatch: Any
) -> None:
    provider = RecordingProvider("rec")
    register_provider(provider)
    path = write_config(
        config_text(
            "rec",
            "image: ghcr.io/x/y:1.0.0",
            "secrets:\n  - name: API_TOKEN\n    source: env\n    required: true",
        )
    )
    monkeypatch.delenv("API_TOKEN", raising=False)
    (path.parent / ".env").write_text("API_TOKEN=from-dotenv\n")
    (path.parent / "ci.env").write_text("API_TOKEN=from-env-file\n")
    assert sindri_cli("deploy", "--env-file", "ci.env", cwd=path.parent).exit_code == 0
    assert provider.calls[-1][1]["ctx"].secrets.env_values() == {"API_TOKEN": "from-env-file"}

    missing = sindri_cli("deploy", "--env-file", "nowhere.env", cwd=path.parent)
    assert missing.exit_code == 2
    assert "--env-file nowhere.env: no such file" in missing.stderr


def test_status_watch_takes_w(rec: Any, sindri_cli: Any, monkeypatch: Any) -> None:
    _, path = rec

    def interrupt(seconds: float) -> None:
        assert seconds == 7
        raise KeyboardInterrupt

    monkeypatch.setattr("time.sleep", interrupt)
    result = sindri_cli("status", "-w", "7", cwd=path.parent)
    assert "State: running" in result.stdout


def test_config_validate_takes_file(rec: Any, sindri_cli: Any, tmp_path: Path) -> None:
    _, path = rec
    for flag in ("-f", "--file"):
        result = sindri_cli("config", "validate", flag, str(path), cwd=tmp_path)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith(f"{path}: valid")


def test_sindri_config_names_the_file_and_c_wins(
    rec: Any, sindri_cli: Any, tmp_path: Path, monkeypatch: Any, write_config: Any
) -> None:
    _, path = rec
    monkeypatch.setenv("SINDRI_CONFIG", str(path))
    result = sindri_cli("config", "validate", cwd=tmp_path)
    assert result.exit_code == 0 and result.stdout.startswith(f"{path}: valid")
    other = tmp_path / "other.yaml"
    other.write_text(config_text("rec", "image: ghcr.io/x/y:2.0.0"))
    assert sindri_cli("config", "validate", "-c", str(other), cwd=tmp_path).stdout.startswith(
        f"{other}: valid"
    )


def test_version_command(sindri_cli: Any) -> None:
    assert sindri_cli("version").stdout == f"sindri {__version__}\n"
    assert json.loads(sindri_cli("version", "--json").stdout)["version"] == __version__


def test_config_show_prints_what_sindri_reads_and_it_validates_again(
    rec: Any, sindri_cli: Any, tmp_path: Path
) -> None:
    _, path = rec
    shown = sindri_cli("config", "show", cwd=path.parent)
    assert shown.exit_code == 0, shown.stderr
    assert "distro: ubuntu" in shown.stdout  # a default, filled in
    assert "size: 10GB" in shown.stdout
    again = tmp_path / "shown.yaml"
    again.write_text(shown.stdout)
    assert sindri_cli("config", "validate", "-f", str(again)).exit_code == 0
    data = sindri_cli("config", "show", "--json", cwd=path.parent).json()
    assert data["deployment"]["image"] == "ghcr.io/x/y:1.0.0"
