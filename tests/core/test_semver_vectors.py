"""sindri_core.image.semver against node-semver's own test vectors (npm/node-semver 7.8.5).

The vectors are in fixtures/node_semver_vectors.json, transcribed as data from the upstream
test/fixtures/*.js (its header names the release and commit). Loose-mode rows are not there:
sindri parses in strict mode only. Every row runs; none is skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sindri_core.errors import ConfigError
from sindri_core.image.semver import Range, parse_version

VECTORS = json.loads((Path(__file__).parent / "fixtures" / "node_semver_vectors.json").read_text())


def _flag(include_prerelease: bool) -> str:
    return " +pre" if include_prerelease else ""


def _npm_text(described: str) -> str:
    """sindri's :meth:`Range.describe` in npm's ``Range.range`` format."""
    return "||".join("" if part == "*" else part for part in described.split(" || "))


@pytest.mark.parametrize(
    ("text", "version", "include_prerelease"),
    VECTORS["range_include"],
    ids=[f"{r!r}~{v}{_flag(p)}" for r, v, p in VECTORS["range_include"]],
)
def test_range_include(text: str, version: str, include_prerelease: bool) -> None:
    parsed = parse_version(version)
    assert parsed is not None
    assert Range.parse(text).test(parsed, include_prerelease)


@pytest.mark.parametrize(
    ("text", "version", "include_prerelease"),
    VECTORS["range_exclude"],
    ids=[f"{r!r}~{v}{_flag(p)}" for r, v, p in VECTORS["range_exclude"]],
)
def test_range_exclude(text: str, version: str, include_prerelease: bool) -> None:
    parsed = parse_version(version)
    assert parsed is None or not Range.parse(text).test(parsed, include_prerelease)


@pytest.mark.parametrize(
    ("text", "include_prerelease", "expected"),
    VECTORS["range_parse"],
    ids=[f"{r!r}{_flag(p)}" for r, p, _ in VECTORS["range_parse"]],
)
def test_range_parse(text: str, include_prerelease: bool, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(ConfigError, match="invalid version range"):
            Range.parse(text)
        return
    described = Range.parse(text).describe(include_prerelease)
    # The fixture shows "any version" as validRange() does ("*"), Range.range as "".
    assert _npm_text(described) == ("" if expected == "*" else expected)


@pytest.mark.parametrize(
    ("text", "major", "minor", "patch", "prerelease", "build"), VECTORS["valid_versions"]
)
def test_valid_versions(
    text: str, major: int, minor: int, patch: int, prerelease: list[str], build: list[str]
) -> None:
    version = parse_version(text)
    assert version is not None
    fields = (version.major, version.minor, version.patch, version.prerelease, version.build)
    assert fields == (major, minor, patch, tuple(prerelease), tuple(build))


@pytest.mark.parametrize("text", VECTORS["invalid_versions"], ids=lambda t: t[:40])
def test_invalid_versions(text: str) -> None:
    assert parse_version(text) is None


@pytest.mark.parametrize(("greater", "lesser"), VECTORS["comparisons"])
def test_comparisons(greater: str, lesser: str) -> None:
    high, low = parse_version(greater), parse_version(lesser)
    assert high is not None and low is not None
    assert high > low and low < high and high != low


@pytest.mark.parametrize(("left", "right"), VECTORS["equality"])
def test_equality_of_precedence(left: str, right: str) -> None:
    a, b = parse_version(left), parse_version(right)
    assert a is not None and b is not None
    assert Range.parse(str(a)).test(b, include_prerelease=True)
    assert Range.parse(str(b)).test(a, include_prerelease=True)


def test_every_vector_group_is_there() -> None:
    # A transcription that lost rows would pass vacuously.
    sizes = {name: len(rows) for name, rows in VECTORS.items() if isinstance(rows, list)}
    assert sizes["range_include"] >= 120 and sizes["range_exclude"] >= 90
    assert sizes["range_parse"] >= 120 and sizes["valid_versions"] >= 20
