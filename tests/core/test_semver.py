"""sindri_core.image.semver: strict SemVer tags, npm node-semver ranges, tag selection.

Three kinds of evidence: the reference table in semver_cases.py (written from the npm
README rules), hypothesis properties that need no oracle, and -- where Node.js is installed --
differential tests against npm's own node-semver (bundled with npm), which also check that
every row of the reference table is what npm says.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sindri_core.errors import ConfigError
from sindri_core.image.semver import (
    Range,
    Version,
    max_satisfying,
    parse_version,
    satisfying,
    semver_tags,
    sort_tags_desc,
)
from tests.core import semver_cases as cases
from tests.core.npm_semver_oracle import NodeSemver, find_node_semver

# --- strategies ---------------------------------------------------------------------------

# Small numbers so that generated versions and ranges meet each other often.
numbers = st.one_of(st.integers(0, 4), st.integers(0, 30), st.integers(0, 10**6))
prerelease_ids = st.one_of(
    st.integers(0, 12).map(str),
    st.sampled_from(["alpha", "beta", "rc", "0a", "x-y", "-", "fedora"]),
    st.from_regex(r"[0-9]*[A-Za-z-][0-9A-Za-z-]{0,4}", fullmatch=True),
)
build_ids = st.from_regex(r"[0-9A-Za-z-]{1,5}", fullmatch=True)
versions = st.builds(
    Version,
    numbers,
    numbers,
    numbers,
    st.lists(prerelease_ids, max_size=3).map(tuple),
    st.lists(build_ids, max_size=2).map(tuple),
)
releases_and_prereleases = st.builds(
    Version, numbers, numbers, numbers, st.lists(prerelease_ids, max_size=2).map(tuple)
)


@st.composite
def range_texts(draw: st.DrawFn, prereleases: bool = True) -> str:
    """Ranges in the grammar sindri shares with npm (no build metadata, no ``v0.0.0``)."""
    part = st.one_of(st.integers(0, 4).map(str), st.sampled_from(["x", "X", "*"]))

    def partial() -> str:
        parts = draw(st.lists(part, min_size=1, max_size=3))
        # A number after a wildcard (`1.x.5`) is no range since node-semver 7.8.4.
        wildcards = [i for i, p in enumerate(parts) if p in ("x", "X", "*")]
        if wildcards:
            parts[wildcards[0] :] = ["x"] * (len(parts) - wildcards[0])
        text = ".".join(parts)
        if prereleases and len(parts) == 3 and draw(st.booleans()):
            text += "-" + ".".join(draw(st.lists(prerelease_ids, min_size=1, max_size=2)))
        # `v0.0.0` and `v0.0.0-0` are the documented difference from npm (module docstring)
        if text not in ("0.0.0", "0.0.0-0") and draw(st.integers(0, 9)) == 0:
            text = "v" + text
        return text

    def alternative() -> str:
        if draw(st.integers(0, 5)) == 0:
            return f"{partial()} - {partial()}"
        operators = st.sampled_from(["", "", "=", "<", "<=", ">", ">=", "^", "~", "~>"])
        comparators = []
        for _ in range(draw(st.integers(1, 3))):
            operator = draw(operators)
            gap = " " if operator and draw(st.integers(0, 5)) == 0 else ""
            comparators.append(operator + gap + partial())
        return " ".join(comparators)

    return " || ".join(alternative() for _ in range(draw(st.integers(1, 3))))


def spec_compare(a: Version, b: Version) -> int:
    """SemVer 2.0.0 §11 precedence, written independently of the module under test."""
    for x, y in zip((a.major, a.minor, a.patch), (b.major, b.minor, b.patch), strict=True):
        if x != y:
            return -1 if x < y else 1
    if not a.prerelease or not b.prerelease:
        return (not a.prerelease) - (not b.prerelease)
    for x, y in zip(a.prerelease, b.prerelease, strict=False):
        if x == y:
            continue
        if x.isdigit() and y.isdigit():
            return -1 if int(x) < int(y) else 1
        if x.isdigit() != y.isdigit():
            return -1 if x.isdigit() else 1
        return -1 if x < y else 1
    return (len(a.prerelease) > len(b.prerelease)) - (len(a.prerelease) < len(b.prerelease))


# What npm accepts and sindri refuses (module docstring): any run of `v`, `=` and spaces in
# front of a version (`vv1`, `~=1`, `^=1`, `~>=1`, `> =1`, `=1 - 2` in a hyphen range), and a
# `*` glued to other characters, which npm deletes wherever it is (`1.2.3*`).
NPM_LAXITY = re.compile(
    r"\*|v[\sv=]|[~^]\s*=|~>\s*=|\^\s*>|~\s+>|=\s*=|[<>]\s+=|=\S*\s+-\s|\s-\s+="
)


# Inputs whose meaning npm changed after 7.6 (semver_cases.CHANGED_SINCE_7_6 lists examples
# with the release note of each): a differential test against an older oracle leaves them to
# that table. Under includePrerelease, a tilde before a partial version and a caret before a
# full 0.x release; in any mode, a number after a wildcard and build metadata.
_CHANGED_WITH_PRERELEASES = re.compile(
    r"~>?\s*v?(?!(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*))"
    r"|\^\s*v?0\.[0-9]+\.[0-9]+(?![-.0-9])"
)
_NUMBER_AFTER_WILDCARD = re.compile(r"[xX*]\.[0-9]")


def changed_since_7_6(text: str, include_prerelease: bool) -> bool:
    if "+" in text or _NUMBER_AFTER_WILDCARD.search(text):  # build metadata: 7.7.3, 7.8.1
        return True
    return include_prerelease and _CHANGED_WITH_PRERELEASES.search(text) is not None


def _row(row: tuple) -> tuple[str, str, bool, bool]:
    text, version, expected, *include = row
    return text, version, expected, bool(include and include[0])


def _case_id(row: tuple) -> str:
    text, version, expected, include_prerelease = _row(row)
    mode = " +pre" if include_prerelease else ""
    return f"{text!r}~{version}{mode}={'y' if expected else 'n'}"


# --- versions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "fields"), cases.VALID_VERSIONS, ids=[t for t, _ in cases.VALID_VERSIONS]
)
def test_parse_version_reads_strict_semver(tag: str, fields: tuple) -> None:
    version = parse_version(tag)
    assert version is not None
    assert (
        version.major,
        version.minor,
        version.patch,
        version.prerelease,
        version.build,
    ) == fields


@pytest.mark.parametrize("tag", cases.INVALID_VERSIONS, ids=repr)
def test_parse_version_rejects_everything_else(tag: str) -> None:
    assert parse_version(tag) is None


def test_one_leading_v_is_ignored_and_only_one() -> None:
    assert parse_version("v3.1.0") == parse_version("3.1.0") == Version(3, 1, 0)
    assert parse_version("vv3.1.0") is None
    assert parse_version("V3.1.0") is None


def test_numbers_above_javascript_integers_are_no_versions() -> None:
    # npm refuses them (MAX_SAFE_INTEGER); a tag scan must skip them too, not just parse.
    assert parse_version("9007199254740991.0.1") == Version(2**53 - 1, 0, 1)
    assert parse_version("9007199254740992.0.0") is None
    tags = ["9007199254740992.0.0", "9007199254740991.0.0", "1.0.0"]
    assert sort_tags_desc(tags) == ["9007199254740991.0.0", "1.0.0"]
    assert max_satisfying(tags, Range.parse("*")) == "9007199254740991.0.0"


def test_str_is_canonical_and_round_trips() -> None:
    assert str(parse_version("v1.2.3-rc.1+build.7")) == "1.2.3-rc.1+build.7"
    assert str(Version(1, 0, 0)) == "1.0.0"


@given(versions)
def test_parse_version_round_trips_str(version: Version) -> None:
    assert parse_version(str(version)) == version
    assert parse_version("v" + str(version)) == version


def test_semver_spec_precedence_chain() -> None:
    chain = [parse_version(tag) for tag in cases.PRECEDENCE_CHAIN]
    for lower, higher in itertools.pairwise(chain):
        assert lower < higher and higher > lower and lower <= higher and lower != higher
    shuffled = chain[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled) == chain


def test_equal_precedence_is_ordered_like_npm_compare_build() -> None:
    plain, build_a, build_b = (parse_version(t) for t in ("1.0.0", "1.0.0+a", "1.0.0+b"))
    assert Range.parse("1.0.0").test(build_a)  # same precedence...
    assert plain != build_a  # ...but not equal, and still ordered:
    assert plain < build_a < build_b
    assert parse_version("1.0.0+2") < parse_version("1.0.0+10")  # numeric identifiers
    assert parse_version("1.0.0-rc.1+zzz") < parse_version("1.0.0")


def test_version_does_not_compare_with_strings() -> None:
    with pytest.raises(TypeError):
        _ = Version(1, 0, 0) < "2.0.0"  # type: ignore[operator]


@given(versions, versions)
def test_order_agrees_with_the_spec_and_is_total(a: Version, b: Version) -> None:
    precedence = spec_compare(a, b)
    if precedence < 0:
        assert a < b and not a >= b
    elif precedence > 0:
        assert a > b and not a <= b
    else:
        assert Range.parse(str(a)).test(b, include_prerelease=True)
    assert sum((a < b, a == b, a > b)) == 1  # exactly one: a total order
    if a == b:
        assert hash(a) == hash(b)


# --- ranges: the reference table ----------------------------------------------------------


@pytest.mark.parametrize("row", cases.RANGE_CASES, ids=[_case_id(r) for r in cases.RANGE_CASES])
def test_reference_cases(row: tuple) -> None:
    text, version, expected, include_prerelease = _row(row)
    parsed = parse_version(version)
    assert parsed is not None
    assert Range.parse(text).test(parsed, include_prerelease=include_prerelease) is expected


def test_reference_table_is_large_and_covers_include_prerelease() -> None:
    assert len(cases.RANGE_CASES) >= 150
    with_flag = [row for row in cases.RANGE_CASES if _row(row)[3]]
    assert len(with_flag) >= 30
    assert {_row(row)[2] for row in with_flag} == {True, False}


@pytest.mark.parametrize(
    ("text", "include_prerelease", "desugared"),
    cases.DESUGARED,
    ids=[f"{t!r}{' +pre' if p else ''}" for t, p, _ in cases.DESUGARED],
)
def test_desugaring(text: str, include_prerelease: bool, desugared: str) -> None:
    assert Range.parse(text).describe(include_prerelease) == desugared


def test_include_prerelease_really_changes_the_choice() -> None:
    tags = ["3.1.0", "3.2.0-rc.1", "4.0.0-beta.1"]
    caret = Range.parse("^3.1.0")
    assert max_satisfying(tags, caret) == "3.1.0"
    assert max_satisfying(tags, caret, include_prerelease=True) == "3.2.0-rc.1"


@pytest.mark.parametrize("text", cases.INVALID_RANGES + cases.STRICTER_THAN_NPM, ids=repr)
def test_invalid_ranges_are_one_line_config_errors(text: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Range.parse(text)
    message = str(raised.value)
    assert "\n" not in message
    assert repr(" ".join(text.split())) in message
    assert "allowed:" in message
    assert raised.value.exit_code == 2


def test_range_error_names_the_configuration_field() -> None:
    with pytest.raises(ConfigError) as raised:
        Range.parse("~=3.1", path="deployment.image_config.version")
    message = str(raised.value)
    assert message.startswith("deployment.image_config.version: invalid version range '~=3.1'")
    assert "~= is not npm range syntax" in message


def test_a_range_must_be_text() -> None:
    with pytest.raises(ConfigError, match="must be a string"):
        Range.parse(3)  # type: ignore[arg-type]


def test_range_text_is_kept_as_written_with_whitespace_collapsed() -> None:
    assert str(Range.parse("  >= 3.1   <4 ")) == ">= 3.1 <4"


# --- ranges: properties -------------------------------------------------------------------


@given(versions)
def test_a_version_as_a_range_matches_itself_exactly(version: Version) -> None:
    exact = Range.parse(str(version))
    for include_prerelease in (False, True):
        assert exact.test(version, include_prerelease)
        assert Range.parse("v" + str(version)).test(version, include_prerelease)
    bumped = Version(version.major, version.minor, version.patch + 1, version.prerelease)
    assert not exact.test(bumped, include_prerelease=True)


@given(numbers, numbers, numbers, releases_and_prereleases, st.booleans())
def test_caret_never_matches_the_next_major(
    major: int, minor: int, patch: int, other: Version, include_prerelease: bool
) -> None:
    caret = Range.parse(f"^{major}.{minor}.{patch}")
    candidate = Version(major + 1, other.minor, other.patch, other.prerelease)
    assert not caret.test(candidate, include_prerelease)
    if major > 0 and not other.prerelease and (other.minor, other.patch) >= (minor, patch):
        assert caret.test(Version(major, other.minor, other.patch))


@given(range_texts(prereleases=False), releases_and_prereleases)
def test_include_prerelease_only_adds_matches(text: str, version: Version) -> None:
    rng = Range.parse(text)
    if rng.test(version):
        assert rng.test(version, include_prerelease=True)
    if not version.prerelease:  # the flag is about prereleases; releases are unaffected
        assert rng.test(version) == rng.test(version, include_prerelease=True)


@given(
    range_texts(),
    st.lists(st.tuples(releases_and_prereleases, st.booleans()), max_size=25),
    st.booleans(),
)
def test_max_satisfying_is_the_greatest_satisfying_tag(
    text: str, entries: list[tuple[Version, bool]], include_prerelease: bool
) -> None:
    tags = [("v" if with_v else "") + str(version) for version, with_v in entries]
    tags += ["latest", "3.1", "sha256-" + "0" * 64 + ".sig"]
    rng = Range.parse(text)
    matching = [t for t in tags if (v := parse_version(t)) and rng.test(v, include_prerelease)]
    best = max_satisfying(tags, rng, include_prerelease)
    if not matching:
        assert best is None
        return
    assert best in matching
    assert all(parse_version(t) <= parse_version(best) for t in matching)
    assert satisfying(tags, rng, include_prerelease)[0] == best
    assert sorted(satisfying(tags, rng, include_prerelease)) == sorted(matching)


@pytest.mark.parametrize(
    "text",
    ["^70", "~7.1", "7.x || 150.x", "3 - 60", "3 - 150", ">=20 <90", "<2", "*", ">=190", "<0.0.0"],
)
def test_tag_helpers_agree_with_range_test_over_many_majors(text: str) -> None:
    # Ranges over few majors list them in the tag pattern, wider ones scan every tag: both
    # must give what testing every version one by one gives.
    tags = [f"{prefix}{major}.{minor}.0{pre}" for major in range(200) for minor in (0, 1, 10)
            for prefix, pre in (("", ""), ("v", "-rc.1"))]  # fmt: skip
    rng = Range.parse(text)
    for include_prerelease in (False, True):
        matching = [t for t in tags if rng.test(parse_version(t), include_prerelease)]
        assert sorted(satisfying(tags, rng, include_prerelease)) == sorted(matching)
        best = max(matching, key=parse_version, default=None)
        assert max_satisfying(tags, rng, include_prerelease) == best


# --- tags ---------------------------------------------------------------------------------

TAGS = [
    "latest",
    "3.1",
    "v3",
    "sha256-" + "ab" * 32 + ".sig",
    "3.0.9",
    "v3.1.0",
    "3.1.2",
    "v3.2.0-rc.1",
    "4.0.0",
    "3.1.4-fedora",
    "3.1.5-fedora",
    "v3.1.6-opensuse",
    "3.2.0-rc.1-fedora",
]


def test_max_satisfying_returns_the_tag_as_written() -> None:
    assert max_satisfying(TAGS, Range.parse("~3.1.0")) == "3.1.2"
    assert max_satisfying(TAGS, Range.parse("3.1.0")) == "v3.1.0"
    assert max_satisfying(TAGS, Range.parse("^3")) == "3.1.2"
    assert max_satisfying(TAGS, Range.parse("*")) == "4.0.0"
    assert max_satisfying(TAGS, Range.parse("^5")) is None
    assert max_satisfying([], Range.parse("*")) is None


def test_without_a_variant_distro_tags_are_prereleases() -> None:
    rng = Range.parse("^3.1.0 <4")
    assert max_satisfying(TAGS, rng) == "3.1.2"
    # 3.2.0-rc.1-fedora is the prerelease (rc, 1-fedora): callers drop distro tags first
    # when they must never be candidates (docs/IMAGE_MANAGEMENT.md, distro ubuntu).
    assert max_satisfying(TAGS, rng, include_prerelease=True) == "3.2.0-rc.1-fedora"
    plain = [tag for tag in TAGS if not tag.endswith(("-fedora", "-opensuse"))]
    assert max_satisfying(plain, rng, include_prerelease=True) == "v3.2.0-rc.1"


def test_variant_reads_distro_tags_by_their_version() -> None:
    assert max_satisfying(TAGS, Range.parse("^3"), variant="fedora") == "3.1.5-fedora"
    assert max_satisfying(TAGS, Range.parse("~3.1.4"), variant="fedora") == "3.1.5-fedora"
    assert (
        max_satisfying(TAGS, Range.parse("^3"), include_prerelease=True, variant="fedora")
        == "3.2.0-rc.1-fedora"
    )
    assert max_satisfying(TAGS, Range.parse("^3"), variant="opensuse") == "v3.1.6-opensuse"
    assert sort_tags_desc(TAGS, variant="fedora") == [
        "3.2.0-rc.1-fedora",
        "3.1.5-fedora",
        "3.1.4-fedora",
    ]


def test_a_tag_with_and_without_v_prefers_the_plain_one_whatever_the_order() -> None:
    for tags in itertools.permutations(["v2.0.0", "2.0.0", "1.0.0"]):
        assert max_satisfying(tags, Range.parse("*")) == "2.0.0"
        assert sort_tags_desc(tags) == ["2.0.0", "v2.0.0", "1.0.0"]


def test_sort_tags_desc_drops_non_semver_and_sorts_newest_first() -> None:
    assert sort_tags_desc(TAGS) == [
        "4.0.0",
        "3.2.0-rc.1-fedora",
        "v3.2.0-rc.1",
        "v3.1.6-opensuse",  # a prerelease of 3.1.6, so above 3.1.2
        "3.1.5-fedora",
        "3.1.4-fedora",
        "3.1.2",
        "v3.1.0",
        "3.0.9",
    ]


def test_satisfying_lists_matches_newest_first() -> None:
    assert satisfying(TAGS, Range.parse(">=3.0.9 <4")) == ["3.1.2", "v3.1.0", "3.0.9"]


def test_semver_tags_keeps_the_versions_in_the_order_given() -> None:
    assert semver_tags(TAGS) == TAGS[4:]  # the first four are no versions
    assert semver_tags(TAGS, variant="fedora") == [
        "3.1.4-fedora",
        "3.1.5-fedora",
        "3.2.0-rc.1-fedora",
    ]
    # The same tags the chain would consider, in any order.
    assert sorted(semver_tags(TAGS)) == sorted(satisfying(TAGS, Range.parse("*"), True))


def test_tag_helpers_accept_any_iterable_and_ignore_tags_with_newlines() -> None:
    def tags() -> Iterator[str]:
        yield "x\n9.9.9"
        yield "1.0.0"
        yield "2.0.0\n"

    assert max_satisfying(tags(), Range.parse("*")) == "1.0.0"
    assert sort_tags_desc(tags()) == ["1.0.0"]
    assert semver_tags(tags()) == ["1.0.0"]


@given(st.lists(st.tuples(versions, st.booleans()), max_size=30), st.randoms())
def test_sort_tags_desc_is_the_version_order_whatever_the_input_order(
    entries: list[tuple[Version, bool]], rnd: random.Random
) -> None:
    tags = list(dict.fromkeys(("v" if v else "") + str(version) for version, v in entries))
    ordered = sort_tags_desc(tags)
    shuffled = tags[:]
    rnd.shuffle(shuffled)
    assert sort_tags_desc(shuffled) == ordered
    assert sorted(tags) == sorted(ordered)
    for newer, older in itertools.pairwise(ordered):
        assert parse_version(newer) >= parse_version(older)


# --- npm's node-semver as the oracle ------------------------------------------------------


@pytest.fixture(scope="session")
def npm() -> Iterator[NodeSemver]:
    found = find_node_semver()
    if found is None:
        pytest.skip("Node.js with npm's bundled node-semver is not installed")
    oracle = NodeSemver(*found)
    yield oracle
    oracle.close()


def _release(npm: NodeSemver) -> tuple[int, ...]:
    return tuple(int(part) for part in npm.version().split("-")[0].split("."))


def _older_than_current(npm: NodeSemver, text: str, include_prerelease: bool) -> bool:
    """Whether the oracle predates a change that ``text`` is subject to."""
    return _release(npm) < (7, 8, 5) and changed_since_7_6(text, include_prerelease)


def _describe(text: str, include_prerelease: bool) -> str | None:
    """sindri's desugaring in npm's own format (``||``, ``""`` for any), None if refused."""
    try:
        described = Range.parse(text).describe(include_prerelease)
    except ConfigError:
        return None
    return "||".join("" if alternative == "*" else alternative
                     for alternative in described.split(" || "))  # fmt: skip


@pytest.mark.parametrize(
    ("text", "include_prerelease", "now", "then", "note"),
    cases.CHANGED_SINCE_7_6,
    ids=[f"{row[0]!r}{' +pre' if row[1] else ''}" for row in cases.CHANGED_SINCE_7_6],
)
def test_changes_since_npm_7_6_follow_the_current_release(
    text: str, include_prerelease: bool, now: str | None, then: str | None, note: str
) -> None:
    assert _describe(text, include_prerelease) == now
    assert changed_since_7_6(text, include_prerelease)


@pytest.mark.parametrize(("text", "version", "include_prerelease", "now"),
                         cases.CHANGED_MATCHES_SINCE_7_6)  # fmt: skip
def test_changes_since_npm_7_6_change_the_tag_chosen(
    text: str, version: str, include_prerelease: bool, now: bool
) -> None:
    assert Range.parse(text).test(parse_version(version), include_prerelease) is now
    tags = [version, "0.0.0"]
    assert (max_satisfying(tags, Range.parse(text), include_prerelease) == version) is now


def test_the_changes_since_7_6_are_real(npm: NodeSemver) -> None:
    """The oracle gives the 7.6 answer of every listed change (or, from 7.8.5 on, ours)."""
    release = _release(npm)
    if (7, 7) <= release < (7, 8, 5):
        pytest.skip(f"node-semver {npm.version()} has some of the changes and not others")
    column = 2 if release >= (7, 8, 5) else 3
    assert [
        row[0] for row in cases.CHANGED_SINCE_7_6 if npm.range(row[0], row[1]) != row[column]
    ] == []
    matches = cases.CHANGED_MATCHES_SINCE_7_6
    assert [
        row
        for row in matches
        if npm.satisfies(row[1], row[0], row[2]) is not (row[3] == (column == 2))
    ] == []


def _npm_desugared(npm: NodeSemver, text: str, include_prerelease: bool) -> str | None:
    raw = npm.range(text, include_prerelease)
    if raw is None:
        return None
    return " || ".join(alternative.strip() or "*" for alternative in raw.split("||"))


def test_the_reference_table_is_what_npm_says(npm: NodeSemver) -> None:
    wrong = [
        row
        for row in map(_row, cases.RANGE_CASES)
        if npm.satisfies(row[1], row[0], row[3]) is not row[2]
        and not _older_than_current(npm, row[0], row[3])
    ]
    wrong += [
        row
        for row in cases.DESUGARED
        if _npm_desugared(npm, row[0], row[1]) != row[2]
        and not _older_than_current(npm, row[0], row[1])
    ]
    assert wrong == []


def test_invalid_ranges_are_invalid_for_npm_and_deviations_are_real(npm: NodeSemver) -> None:
    assert [text for text in cases.INVALID_RANGES if npm.range(text) is not None] == []
    assert [text for text in cases.STRICTER_THAN_NPM if npm.range(text) is None] == []


def test_versions_agree_with_npm(npm: NodeSemver) -> None:
    for tag, _ in cases.VALID_VERSIONS:
        assert npm.valid(tag) == str(parse_version(tag)).split("+")[0]
    for tag in cases.INVALID_VERSIONS:
        if tag == tag.strip():  # npm trims whitespace first; a tag never has any
            assert npm.valid(tag) is None, tag


@settings(max_examples=400, deadline=None)
@given(range_texts(), releases_and_prereleases, st.booleans())
def test_ranges_agree_with_npm(
    npm: NodeSemver, text: str, version: Version, include_prerelease: bool
) -> None:
    assume(not _older_than_current(npm, text, include_prerelease))
    rng = Range.parse(text)
    assert rng.describe(include_prerelease) == _npm_desugared(npm, text, include_prerelease)
    assert rng.test(version, include_prerelease) is npm.satisfies(
        str(version), text, include_prerelease
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.xX*^~<>=|- v", max_size=14))
def test_range_validity_agrees_with_npm(npm: NodeSemver, text: str) -> None:
    try:
        Range.parse(text)
    except ConfigError:
        accepted = False
    else:
        accepted = True
    if accepted:
        assert npm.range(text) is not None
    elif npm.range(text) is not None:
        explained = NPM_LAXITY.search(text) or _older_than_current(npm, text, False)
        assert explained, "npm accepts this for a reason not documented"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.-+vaV", min_size=1, max_size=14))
def test_parse_version_agrees_with_npm(npm: NodeSemver, tag: str) -> None:
    version = parse_version(tag)
    expected = npm.valid(tag)
    if expected is None:
        assert (
            version is None or version.major >= 2**53 or max(version.minor, version.patch) >= 2**53
        )
    else:
        assert version is not None and str(version).split("+")[0] == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(releases_and_prereleases, max_size=25, unique_by=str),
    range_texts(),
    st.booleans(),
)
def test_tag_selection_agrees_with_npm(
    npm: NodeSemver, tags_versions: list[Version], text: str, include_prerelease: bool
) -> None:
    assume(not _older_than_current(npm, text, include_prerelease))
    tags = [str(version) for version in tags_versions]
    assert sort_tags_desc(tags) == npm.rsort(tags)
    assert max_satisfying(tags, Range.parse(text), include_prerelease) == npm.max_satisfying(
        tags, text, include_prerelease
    )


_TAG_PIECES = st.sampled_from(
    ["1", "0", "01", "12", "9007199254740993", ".", ".", "-", "+", "v", "rc", "fedora", "x", "\n"]
)


@settings(max_examples=400, deadline=None)
@given(
    tags=st.lists(st.lists(_TAG_PIECES, max_size=9).map("".join), max_size=30),
    variant=st.sampled_from([None, "fedora"]),
)
def test_the_whole_tag_scan_finds_what_the_full_scan_finds(
    tags: list[str], variant: str | None
) -> None:
    # semver_tags_and_prereleases captures whole tags only (a warm resolve's notes); it must
    # agree with the scan that reads every part, on any list of tags.
    from sindri_core.image import semver

    full = semver._semver_tags(semver._tag_lines(tags), variant)
    expected = ([m[0] for m in full], sum(1 for m in full if m[4]))
    assert semver.semver_tags_and_prereleases(tags, variant=variant) == expected
