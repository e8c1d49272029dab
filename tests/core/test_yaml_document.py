"""Reading YAML into data that remembers positions, with ruamel's C parser and without it."""

from __future__ import annotations

import datetime

import pytest
import ruamel.yaml.main

from sindri_core.config.yaml_document import MAX_DEPTH, YamlMapping, YamlSequence, read_yaml
from sindri_core.errors import ConfigError


@pytest.fixture(params=["c-parser", "pure-python"], autouse=True)
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "c-parser":
        assert ruamel.yaml.main.CParser is not None, "ruamel.yaml.clib is not installed"
    else:  # what an interpreter without the C extension gets
        monkeypatch.setattr(ruamel.yaml.main, "CParser", None)
    return request.param


def rejection(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        read_yaml(text)
    return caught.value


def test_values_follow_the_yaml_1_2_core_schema() -> None:
    data = read_yaml(
        "s: text\nyes_is_text: yes\nt: true\ni: 0o17\nf: 1.5\nn:\nd: 2024-01-02\nq: '3.0'\n"
    )
    assert data == {
        "s": "text",
        "yes_is_text": "yes",
        "t": True,
        "i": 15,
        "f": 1.5,
        "n": None,
        "d": datetime.date(2024, 1, 2),
        "q": "3.0",
    }


def test_every_key_value_and_item_knows_its_line_and_column() -> None:
    data = read_yaml("top:\n  key: value\n  list:\n    - a\n    - {b: c}\n")
    assert isinstance(data, YamlMapping)
    assert data.where == (1, 1)
    assert data.key_where["top"] == (1, 1)
    inner = data["top"]
    assert inner.where == data.value_where["top"] == (2, 3)
    assert inner.key_where["key"] == (2, 3)
    assert inner.value_where["key"] == (2, 8)
    items = inner["list"]
    assert isinstance(items, YamlSequence)
    assert items == ["a", {"b": "c"}]
    assert items.item_where == [(4, 7), (5, 7)]
    assert items[1].key_where["b"] == (5, 8)


def test_an_empty_document_is_none() -> None:
    assert read_yaml("") is None
    assert read_yaml("# only a comment\n") is None


def test_a_duplicate_key_names_the_key_and_both_lines() -> None:
    error = rejection("name: a\nother: b\nname: c\n")
    assert (error.line, error.column) == (3, 1)
    assert error.message == "invalid YAML: duplicate key 'name' (first at line 1)"


def test_syntax_errors_are_located() -> None:
    error = rejection("a: [1, 2\nb: 3\n")
    assert error.message.startswith("invalid YAML: ")
    assert error.line == 2


def test_a_control_character_is_located_by_its_offset() -> None:
    error = rejection("a: 1\nb: x\x07\n")
    assert (error.line, error.column) == (2, 5)
    assert "#x0007" in error.message


def test_a_second_document_is_refused() -> None:
    error = rejection("a: 1\n---\nb: 2\n")
    assert "expected a single document" in error.message


def test_aliases_repeat_their_anchor_and_merge_keys_fill_in_missing_keys() -> None:
    data = read_yaml(
        "base: &base\n  size: 1\n  zone: a\nsame: *base\n"
        "child:\n  <<: *base\n  zone: b\n"
        "many:\n  <<: [{x: 1}, {x: 2, y: 2}]\n"
    )
    assert data["same"] == {"size": 1, "zone": "a"}
    assert data["child"] == {"zone": "b", "size": 1}
    assert data["child"].key_where["zone"] == (7, 3)  # written here: its own position
    assert data["child"].key_where["size"] == (2, 3)  # merged: where the base says it
    assert data["many"] == {"x": 1, "y": 2}


def test_a_merge_key_needs_mappings() -> None:
    error = rejection("a:\n  <<: [1]\n")
    assert error.message == ("invalid YAML: a merge key (<<) takes a mapping or a list of mappings")
    assert error.line == 2


def test_a_key_must_be_a_plain_value() -> None:
    error = rejection("? [1, 2]\n: x\n")
    assert error.message == "invalid YAML: a key must be a plain value, not a mapping or a list"
    assert (error.line, error.column) == (1, 3)


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    error = rejection("a: &loop\n  - *loop\n")
    assert error.message == "invalid YAML: an alias refers to a node that contains it"


def test_a_byte_order_mark_and_windows_line_endings_change_nothing() -> None:
    data = read_yaml("\ufeffa: 1\r\nb:\r\n  c: x\r\n")
    assert data == {"a": 1, "b": {"c": "x"}}
    assert data.key_where == {"a": (1, 1), "b": (2, 1)}
    assert data["b"].key_where == {"c": (3, 3)}


@pytest.mark.parametrize(
    ("text", "tag"), [("a: =\n", "tag:yaml.org,2002:value"), ("a: !foo x\n", "!foo")]
)
def test_a_scalar_no_safe_constructor_knows_is_invalid_yaml_at_its_position(
    text: str, tag: str
) -> None:
    error = rejection(text)
    assert (error.line, error.column) == (1, 4)
    assert error.message == f"invalid YAML: could not determine a constructor for the tag {tag!r}"


def test_nesting_up_to_the_limit_is_read_and_deeper_is_located() -> None:
    data = read_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    for _ in range(MAX_DEPTH - 1):
        data = data[0]
    assert data == []
    with pytest.raises(ConfigError, match="nested deeper"):
        read_yaml("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))


def test_aliases_cannot_expand_past_the_limit() -> None:
    half = MAX_DEPTH // 2 + 1
    text = f"a: &a {'[' * half}1{']' * half}\nb: {'[' * half}*a{']' * half}\n"
    with pytest.raises(ConfigError, match="nested deeper") as caught:
        read_yaml(text)
    assert (caught.value.line, caught.value.column) == (1, 4)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("!!python/object:os.system {profile: x}", "!!python/object:os.system on a mapping"),
        ("!!python/object/apply:os.system [id]", "!!python/object/apply:os.system on a list"),
        ("!foo {profile: x}", "!foo on a mapping"),
        ("!!set {a}", "!!set on a mapping"),
    ],
)
def test_a_tag_on_a_collection_is_refused_like_one_on_a_scalar(value: str, shown: str) -> None:
    with pytest.raises(ConfigError) as caught:
        read_yaml(f"extensions: {value}\n")
    assert (caught.value.line, caught.value.column) == (1, 13)
    assert caught.value.message == f"invalid YAML: unknown tag {shown}"


def test_deep_flow_nesting_is_refused_by_either_parser() -> None:
    caught = rejection("x: " + "[" * 50_000 + "]" * 50_000)
    assert (caught.line, caught.column, caught.message) == (
        1,
        3 + MAX_DEPTH,  # the 65th "[" after "x: "
        f"invalid YAML: nested deeper than {MAX_DEPTH} levels",
    )
