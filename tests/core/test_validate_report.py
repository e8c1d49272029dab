"""``config validate`` reports every error of a file in one pass (bounded), prints a JSON
document on stdout when invalid with ``--json``, and reports what plan would refuse about
secrets; plan and deploy warn about a secret file they would leave out (ADR 0019)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sindri_core.cli.config_commands import MAX_REPORTED_ERRORS
from tests.core.fake_providers import RecordingProvider, config_text

THREE_MISTAKES = """\
version: "3.0"
name: Bad_Name
deployment:
  provider: rec
  resources:
    cpus: many
    memroy: 4GB
"""


@pytest.fixture
def rec(register_provider: Any) -> RecordingProvider:
    provider = RecordingProvider("rec")
    register_provider(provider)
    return provider


def test_validate_reports_every_error_in_file_order(
    rec: Any, write_config: Any, sindri_cli: Any
) -> None:
    path = write_config(THREE_MISTAKES)
    result = sindri_cli("config", "validate", cwd=path.parent)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert [line.split(": ", 2)[:2] for line in result.stderr.splitlines()] == [
        ["error", "sindri.yaml:2:7"],
        ["error", "sindri.yaml:6:11"],
        ["error", "sindri.yaml:7:5"],
    ]
    assert "did you mean 'memory'" in result.stderr


def test_other_commands_name_the_first_error_and_how_many_more(
    rec: Any, write_config: Any, sindri_cli: Any
) -> None:
    path = write_config(THREE_MISTAKES)
    result = sindri_cli("plan", cwd=path.parent)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: sindri.yaml:2:7: name: ")
    assert "(and 2 more errors: `sindri config validate` lists them)" in result.stderr


def test_validate_json_when_invalid_is_a_document_on_stdout(
    rec: Any, write_config: Any, sindri_cli: Any
) -> None:
    path = write_config(THREE_MISTAKES)
    result = sindri_cli("config", "validate", "--json", cwd=path.parent)
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert data["error"]["exit_code"] == 2 and data["error"]["kind"] == "config"
    assert data["error"]["message"].startswith("sindri.yaml:2:7: name: ")
    assert [(e["line"], e["column"], e["path"]) for e in data["errors"]] == [
        (2, 7, "name"),
        (6, 11, "deployment.resources.cpus"),
        (7, 5, "deployment.resources.memroy"),
    ]
    assert data["more_errors"] == 0


def test_validate_json_of_a_file_that_does_not_parse(
    rec: Any, write_config: Any, sindri_cli: Any
) -> None:
    path = write_config("version: [\n")
    data = json.loads(sindri_cli("config", "validate", "--json", cwd=path.parent).stdout)
    assert data["valid"] is False and len(data["errors"]) == 1


def test_the_report_is_bounded(rec: Any, write_config: Any, sindri_cli: Any) -> None:
    extra = "".join(f"  unknown{i}: 1\n" for i in range(MAX_REPORTED_ERRORS + 5))
    path = write_config(config_text("rec", extra))
    result = sindri_cli("config", "validate", cwd=path.parent)
    lines = result.stderr.splitlines()
    assert len(lines) == MAX_REPORTED_ERRORS + 1
    assert lines[-1] == "error: ... and 5 more errors"
    data = json.loads(sindri_cli("config", "validate", "--json", cwd=path.parent).stdout)
    assert (len(data["errors"]), data["more_errors"]) == (MAX_REPORTED_ERRORS, 5)


SECRETS = """
secrets:
  - name: NEEDED_TOKEN
    source: env
    required: true
  - name: TLS_CERT
    source: file
    path: certs/tls.pem
    mountPath: /etc/ssl/tls.pem
"""


def test_validate_refuses_a_required_secret_plan_would_refuse(
    rec: Any, write_config: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEEDED_TOKEN", raising=False)
    path = write_config(config_text("rec", "image: ghcr.io/x/y:1.0.0", SECRETS))
    validated = sindri_cli("config", "validate", cwd=path.parent)
    assert validated.exit_code == 2
    assert "error: sindri.yaml: secrets.NEEDED_TOKEN: required secret NEEDED_TOKEN is not set" in (
        validated.stderr
    )
    assert validated.stdout == ""

    (path.parent / ".env").write_text("NEEDED_TOKEN=x\n")
    assert sindri_cli("config", "validate", cwd=path.parent).exit_code == 0


def test_a_secret_file_that_does_not_exist_is_a_warning_at_validate_plan_and_deploy(
    rec: Any, write_config: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEEDED_TOKEN", "x")
    path = write_config(config_text("rec", "image: ghcr.io/x/y:1.0.0", SECRETS))
    warning = (
        "warning: secrets.TLS_CERT.path: certs/tls.pem does not exist; the secret is not "
        "mounted at /etc/ssl/tls.pem"
    )
    for command in (("config", "validate"), ("plan",), ("deploy",), ("plan", "--json")):
        result = sindri_cli(*command, cwd=path.parent)
        assert result.exit_code == 0, result.stderr
        assert warning in result.stderr.splitlines(), command

    (path.parent / "sindri.yaml").write_text(
        path.read_text().replace("/etc/ssl/tls.pem", "/etc/ssl/tls.pem\n    required: true")
    )
    refused = sindri_cli("config", "validate", cwd=path.parent)
    assert refused.exit_code == 2
    assert "secrets.TLS_CERT.path: required secret file certs/tls.pem does not exist" in (
        refused.stderr
    )

    (path.parent / "certs").mkdir()
    (path.parent / "certs" / "tls.pem").write_text("cert\n")
    clean = sindri_cli("config", "validate", cwd=path.parent)
    assert clean.exit_code == 0 and "warning" not in clean.stderr


def test_file_paths_are_relative_to_the_project(
    rec: Any, write_config: Any, sindri_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEEDED_TOKEN", "x")
    path = write_config(config_text("rec", "image: ghcr.io/x/y:1.0.0", SECRETS))
    (path.parent / "certs").mkdir()
    (path.parent / "certs" / "tls.pem").write_text("cert\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = sindri_cli("config", "validate", "-f", str(path), cwd=elsewhere)
    assert result.exit_code == 0 and "warning" not in result.stderr


@pytest.mark.parametrize("value", ["latest", "Latest", "stable"])
def test_version_latest_points_to_latest_stable(
    rec: Any, write_config: Any, sindri_cli: Any, value: str
) -> None:
    path = write_config(
        config_text("rec", f"image_config:\n  registry: ghcr.io/x/y\n  version: {value}")
    )
    result = sindri_cli("config", "validate", cwd=path.parent)
    assert result.exit_code == 2
    assert f"deployment.image_config.version: {value!r} is not a version range" in result.stderr
    assert "resolution_strategy: latest-stable" in result.stderr
