""".dockerignore matching against moby/patternmatcher's own test vectors.

fixtures/patternmatcher_vectors.json holds them as data (its header names the file and
commit). Every row runs; a pattern the vectors expect an error for must be refused with a
ConfigError when the rules are built, as Docker refuses it before sending a context.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sindri_core.build.dockerignore import IgnoreRules, Pattern
from sindri_core.errors import ConfigError

VECTORS = json.loads(
    (Path(__file__).parent / "fixtures" / "patternmatcher_vectors.json").read_text()
)


def _path(text: str) -> str:
    """The context-relative path the walker would ask about (moby cleans it the same way)."""
    return text.strip("/") or "."


@pytest.mark.parametrize(("pattern", "text", "excluded"), VECTORS["matches"])
def test_matches(pattern: str, text: str, excluded: bool) -> None:
    assert IgnoreRules([pattern]).ignored(_path(text)) is excluded


@pytest.mark.parametrize(("patterns", "text", "excluded"), VECTORS["multi_pattern_matches"])
def test_multi_pattern_matches(patterns: list[str], text: str, excluded: bool) -> None:
    assert IgnoreRules(patterns).ignored(_path(text)) is excluded


@pytest.mark.parametrize(
    ("pattern", "text", "matches", "error"),
    VECTORS["match"],
    ids=[f"{p!r}~{t!r}" for p, t, _, _ in VECTORS["match"]],
)
def test_match(pattern: str, text: str, matches: bool, error: str | None) -> None:
    if error is not None:
        with pytest.raises(ConfigError, match="invalid pattern") as refused:
            IgnoreRules([pattern], source="ctx/.dockerignore", lines=[3])
        assert str(refused.value).startswith(f"ctx/.dockerignore:3: invalid pattern {pattern!r}")
        return
    assert IgnoreRules([pattern]).ignored(text) is matches


@pytest.mark.parametrize(("pattern", "kind", "regexp"), VECTORS["compile"])
def test_compile(pattern: str, kind: str, regexp: str) -> None:
    compiled = Pattern.compile(pattern)
    assert compiled.kind == kind
    if kind == "regexp":
        # moby anchors with ^...$; sindri uses fullmatch on the same body.
        assert compiled.regexp is not None and f"^{compiled.regexp.pattern}$" == regexp


def test_the_refused_patterns_of_the_issue_are_among_the_vectors() -> None:
    refused = {pattern for pattern, _, _, error in VECTORS["match"] if error is not None}
    assert {"[]a]", "[-]", "[x-]", "[-x]", "[a-b-c]", "\\"} <= refused
