"""The flyctl wrapper: JSON parsing, and the secrets import encoding read back through a
model of flyctl's own parser."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sindri_core.errors import ConfigError, OperationError
from sindri_core.runner import CommandRunner
from sindri_providers_fly.flyctl import Flyctl
from sindri_providers_fly.secret_encoding import MAX_LINE_BYTES, encode_secrets
from tests.fly.flyctl_parser import parse_secrets
from tests.support.awkward import AWKWARD_VALUES


@pytest.mark.parametrize("name", sorted(AWKWARD_VALUES))
def test_every_awkward_value_reaches_flyctl_byte_for_byte(name: str) -> None:
    value = AWKWARD_VALUES[name]
    stdin = encode_secrets({name: value, "AFTER": "still read"})
    assert parse_secrets(stdin.encode()) == {name: value.encode(), "AFTER": b"still read"}


@pytest.mark.parametrize(
    "value",
    [
        "",
        '""x',
        'x"',
        " #",
        'a"#b"',
        '"#',
        "'#'",
        "ends in cr\r",
        "cr\rinside",
        '"""',
        '""',
        "#first\nsecond",
        '"\n"#\n"""',
        'one "\n"two" #',
        "trailing newline\n\n",
    ],
)
def test_edge_values_reach_flyctl_byte_for_byte(value: str) -> None:
    assert parse_secrets(encode_secrets({"S": value}).encode()) == {"S": value.encode()}


@given(st.text(alphabet=st.sampled_from(list("\"'#=\n\r \tab\\é")), max_size=14))
def test_any_value_reaches_flyctl_intact_or_is_refused(value: str) -> None:
    try:
        stdin = encode_secrets({"S": value})
    except ConfigError:
        assert "\n" in value  # only multi-line values can be beyond flyctl's parser
        return
    assert parse_secrets(stdin.encode()) == {"S": value.encode()}


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("crlf\r\nline endings", "CRLF"),
        ('first"#comment\nsecond', "'#'"),
        ('ends in triple"""\nsecond', '"""'),
        ("x" * 70_000, "too long"),
    ],
)
def test_values_flyctl_cannot_carry_are_refused_naming_the_secret(value: str, why: str) -> None:
    with pytest.raises(ConfigError, match=f"secret MY_SECRET .*{why}") as caught:
        encode_secrets({"MY_SECRET": value})
    assert value[:20] not in str(caught.value)


def test_the_parser_model_drops_what_follows_an_over_long_line() -> None:
    """The reason long values are refused: flyctl ignores the scanner's error."""
    longest = "A=" + "x" * (MAX_LINE_BYTES - 2)
    assert parse_secrets(f"{longest}\nB=b\n".encode()) == {"A": longest[2:].encode(), "B": b"b"}
    assert parse_secrets(f"{longest}x\nB=b\n".encode()) == {}


def test_non_json_output_is_an_operation_error(fake_tools) -> None:
    fake_tools.tool("flyctl").on("apps", "list", stdout="NAME  OWNER\n")
    fly = Flyctl(CommandRunner())
    with pytest.raises(OperationError, match="did not print JSON"):
        fly.app_exists("demo")


def test_pretty_printed_and_lower_case_json_is_understood(fake_tools) -> None:
    # Substring checks such as '"Type":"v4"' miss pretty-printed output; parsing does not.
    fake_tools.tool("flyctl").on(
        "ips", "list", stdout=json.dumps([{"address": "1.2.3.4", "type": "v4"}], indent=4)
    )
    (ip,) = Flyctl(CommandRunner()).ip_addresses("demo")
    assert (ip.address, ip.type) == ("1.2.3.4", "v4")


def test_null_list_means_empty(fake_tools) -> None:
    fake_tools.tool("flyctl").on("volumes", "list", stdout="null\n")
    assert Flyctl(CommandRunner()).volumes("demo") == []
