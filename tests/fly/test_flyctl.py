"""The flyctl wrapper: JSON parsing, and the secrets import encoding."""

from __future__ import annotations

import json

import pytest

from sindri_core.errors import OperationError
from sindri_core.runner import CommandRunner
from sindri_providers_fly.flyctl import Flyctl, encode_secrets


def test_plain_values_stay_plain_and_others_are_json_strings() -> None:
    text = encode_secrets({"A": "abc-123/x=y", "B": "two words", "C": 'q"#\\\n', "D": ""})
    lines = text.splitlines()
    assert lines[0] == "A=abc-123/x=y"
    assert lines[1] == 'B="two words"'
    assert json.loads(lines[2].partition("=")[2]) == 'q"#\\\n'
    assert lines[3] == "D="
    assert text.endswith("\n")


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
