"""Secret values read from files the project points at: a binary ``.env``, or a ``fromFile``
that is a directory or a binary file, is a one-line configuration error naming the file (and
the setting), never an internal error or "not set"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sindri_core.config.model import Secret
from sindri_core.errors import ConfigError
from sindri_core.secrets import SecretValues

BINARY = b"\x7fELF\x02\x01\x01\x00\xff\xfe\x00"


def values(project: Path, *secrets: Secret) -> dict[str, str]:
    return SecretValues(secrets, project, environ={}).env_values()


def test_a_binary_env_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(BINARY)
    with pytest.raises(ConfigError) as caught:
        values(tmp_path, Secret(name="TOKEN"))
    assert (
        str(caught.value) == f"{tmp_path / '.env'}: the file is not UTF-8 text (byte 9 is invalid)"
    )


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda path: path.mkdir(), "is a directory, not a file"),
        (lambda path: path.write_bytes(BINARY), "is not UTF-8 text (byte 9 is invalid)"),
        (lambda path: path.write_bytes(b"x" * (1024 * 1024 + 1)), "is larger than 1 MiB"),
    ],
    ids=["directory", "binary", "huge"],
)
def test_from_file_that_is_no_text_file_names_the_setting(
    tmp_path: Path, make, problem: str
) -> None:
    target = tmp_path / "token"
    make(target)
    with pytest.raises(ConfigError) as caught:
        values(tmp_path, Secret(name="TOKEN", from_file="token", required=True))
    assert caught.value.path == "secrets.TOKEN.fromFile"
    assert caught.value.message == f"{target} {problem}"


def test_from_file_that_is_missing_is_still_just_unset(tmp_path: Path) -> None:
    assert values(tmp_path, Secret(name="TOKEN", from_file="absent")) == {}
    (tmp_path / "token").write_text("s3cret\n")
    assert values(tmp_path, Secret(name="TOKEN", from_file="token")) == {"TOKEN": "s3cret"}


@pytest.mark.parametrize(
    ("content", "value"),
    [
        ("  pass word \t\n\n", "  pass word \t\n"),
        ("  pass word \t\r\n", "  pass word \t"),
        ("no newline ", "no newline "),
        ("\n", ""),
    ],
)
def test_from_file_keeps_the_value_but_one_final_line_break(
    tmp_path: Path, content: str, value: str
) -> None:
    (tmp_path / "token").write_bytes(content.encode())
    assert values(tmp_path, Secret(name="TOKEN", from_file="token")) == {"TOKEN": value}


@pytest.mark.parametrize(
    "make",
    [os.mkfifo, lambda path: path.symlink_to("/dev/stdin")],
    ids=["fifo", "dev-stdin"],
)
def test_from_file_that_is_not_a_regular_file_is_refused_without_waiting(
    tmp_path: Path, make: Any
) -> None:
    make(tmp_path / "token")
    result = subprocess.run(  # a real process: today's code waits on the FIFO for ever
        [sys.executable, "-c", _READ_TOKEN, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.PIPE,
    )
    assert (
        result.stdout.strip()
        == f"{tmp_path / 'token'} is not a regular file (a FIFO, a device or a socket)"
    )


_READ_TOKEN = """
import sys
from pathlib import Path
from sindri_core.config.model import Secret
from sindri_core.errors import ConfigError
from sindri_core.secrets import SecretValues
try:
    SecretValues((Secret(name="T", from_file="token"),), Path(sys.argv[1]), {}).env_values()
except ConfigError as exc:
    print(exc.message)
"""


def test_config_validate_reads_every_from_file(tmp_path: Path, sindri_cli: Any) -> None:
    config = tmp_path / "sindri.yaml"
    config.write_text(
        'version: "3.0"\nname: box\ndeployment:\n  provider: docker\n'
        "  image: ghcr.io/acme/dev:1.0.0\n"
        "secrets:\n  - name: TOKEN\n    fromFile: token\n    required: true\n"
    )
    missing = sindri_cli("config", "validate", cwd=tmp_path)
    assert missing.exit_code == 2
    assert "secrets.TOKEN: required secret TOKEN is not set" in missing.stderr
    (tmp_path / "token").write_bytes(BINARY)
    binary = sindri_cli("config", "validate", cwd=tmp_path)
    assert binary.exit_code == 2
    assert "is not UTF-8 text" in binary.stderr
    (tmp_path / "token").write_text("s3cret\n")
    assert sindri_cli("config", "validate", cwd=tmp_path).exit_code == 0
