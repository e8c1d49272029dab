"""Secret values read from files the project points at: a binary ``.env``, or a ``fromFile``
that is a directory or a binary file, is a one-line configuration error naming the file (and
the setting), never an internal error or "not set"."""

from __future__ import annotations

from pathlib import Path

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
