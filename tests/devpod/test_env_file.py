"""The workspace env file, read back through a model of devpod's own parser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sindri_core.errors import ConfigError
from sindri_providers_devpod.env_file import MAX_LINE_BYTES, encode_env_file
from tests.devpod.devpod_parser import DevpodEnvFileError, parse_key_value_file
from tests.support.awkward import AWKWARD_VALUES

CARRIED = {name: value for name, value in AWKWARD_VALUES.items() if "\n" not in value}


def test_every_single_line_awkward_value_reaches_devpod_intact() -> None:
    text = encode_env_file(CARRIED)
    assert parse_key_value_file(text.encode()) == CARRIED


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("", "empty value"),
        ("-----BEGIN KEY-----\nabc\n-----END KEY-----", "line break"),
        ("ends in cr\r", "carriage return"),
        ("x" * MAX_LINE_BYTES, "bytes per line"),
    ],
)
def test_a_value_devpod_cannot_carry_is_refused_naming_the_secret(value: str, why: str) -> None:
    with pytest.raises(ConfigError, match=f"secret MY_SECRET .*{why}") as caught:
        encode_env_file({"A": "fine", "MY_SECRET": value})
    assert caught.value.exit_code == 2
    if value:
        assert value[:10] not in str(caught.value)


def test_why_those_are_refused() -> None:
    """What devpod itself does with each: the old plain writer's output, read by the model."""
    with pytest.raises(DevpodEnvFileError, match="invalid variable value"):
        parse_key_value_file(b"A=\n")
    with pytest.raises(DevpodEnvFileError, match="invalid variable key"):
        parse_key_value_file(b"KEY=-----BEGIN KEY\nMII abc\n")
    assert parse_key_value_file(b"A=cr\r\n") == {"A": "cr"}
    long_line = b"A=" + b"x" * MAX_LINE_BYTES + b"\nB=b\n"
    assert parse_key_value_file(long_line) == {}


@given(st.text(alphabet=st.sampled_from(list("=#\"' \t\r\nab\\é")), max_size=12))
def test_any_value_reaches_devpod_intact_or_is_refused(value: str) -> None:
    try:
        text = encode_env_file({"S": value})
    except ConfigError:
        assert value == "" or "\n" in value or value.endswith("\r")
        return
    assert parse_key_value_file(text.encode()) == {"S": value}
