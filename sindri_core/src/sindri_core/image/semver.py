"""Semantic versions of image tags, and version ranges with npm node-semver semantics.

docs/IMAGE_MANAGEMENT.md promises npm's range language
(``^ ~ x-ranges partials comparators hyphen ||``),
which none of the Python libraries at hand implements: ``packaging`` is PEP 440 (``~=1.2``
means ``>=1.2,<2``, ``1.2.3-1`` is a post-release, ``>=1.0`` may admit ``2.0rc1``). This module
reproduces npm's current node-semver (7.8.5) in strict mode, including how
``includePrerelease`` changes the desugaring of ranges, e.g. ``^1.2`` becomes
``>=1.2.0-0 <2.0.0-0`` rather than ``>=1.2.0 <2.0.0-0``. Three changes since 7.6 (the copy
Debian ships) are followed: a number after a wildcard (``1.x.5``, ``x.1``) is no x-range
(7.8.4); a partial tilde's lower bound gets ``-0`` under includePrerelease (7.8.5); a full
``^0.y.z`` lower bound does not (7.8.3). The tests check each against node-semver's own
vectors.

Versions (:func:`parse_version`) are strict SemVer 2.0.0: ``MAJOR.MINOR.PATCH[-pre][+build]``,
no leading zeros in numeric identifiers, with one optional lowercase ``v`` in front (as npm's
strict parser allows). ``V1.2.3``, ``vv1.2.3``, ``=1.2.3``, ``1.2``, ``latest`` are not
versions, so such tags are never candidates. ``1.2.3-fedora`` is a version whose prerelease
is ``fedora``; the ``variant`` argument of the tag helpers reads distro-suffixed tags by
the version in front of the suffix instead.

Where sindri differs from npm (checked against npm's own node-semver in the tests):

- npm lets any run of ``v``, ``=`` and spaces precede a version inside a range (``^vv1``,
  ``~=1.2``, ``^=1``, ``~>=1``, ``> =1``, ``=1 - 2``) and deletes a ``*`` wherever it stands
  (``1.2.3*``); here only one ``v`` may follow the optional operator, and such ranges are
  refused as typos with a one-line :class:`~sindri_core.errors.ConfigError`. ``~=`` gets a
  hint of its own: it is PEP 440's operator and means something else there.
- Build metadata in a range is ignored wherever it stands, as node-semver 7.7 does
  (7.6 refused ``1.2+b`` and let ``1.2.3+b - 2`` lose its ``-0`` under includePrerelease).
- ``>=v0.0.0`` is treated like ``>=0.0.0`` (npm keeps the ``v`` in its text and so does not
  recognise it as "any"; the difference shows only in ``>=v0.0.0 || 1.2.3-pre``); likewise
  ``>=v0.0.0-0`` and a hyphen range from ``v0.0.0-0`` under includePrerelease, whose text npm
  keeps as ``>=0.0.0-0`` where sindri writes nothing (the same versions either way).
- ``max_satisfying`` breaks ties between equal versions deterministically (below).

As in npm, a major, minor or patch above 2**53 - 1 is no version, and a range whose bounds
would exceed it (``^9007199254740991``) is refused.

Ordering (:class:`Version`): semver precedence, build metadata ignored (SemVer §10-11). Two
versions of equal precedence are still ordered, deterministically, as npm's ``compareBuild``
orders them: no build metadata sorts before any, then build identifiers compare like
prerelease identifiers, then as plain strings. Among tags that parse to the same version,
the one without the ``v`` ranks higher, so ``max_satisfying(["v1.0.0", "1.0.0"], ...)`` is
``"1.0.0"`` whatever the input order (npm's ``maxSatisfying`` keeps whichever came first).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from sindri_core.errors import ConfigError

__all__ = [
    "Range",
    "Version",
    "max_satisfying",
    "parse_version",
    "satisfying",
    "semver_tags",
    "semver_tags_and_prereleases",
    "sort_tags_desc",
]

_NUM = r"0|[1-9][0-9]*"
# npm refuses a major, minor or patch above JavaScript's largest safe integer; the patterns
# leave that to _safe (a bounded repetition here would slow the tag scan down twofold).
MAX_SAFE_INTEGER = 2**53 - 1
# npm's MAX_LENGTH: a longer string is no version.
_MAX_VERSION_LENGTH = 256
_PRE_ID = rf"(?:{_NUM}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_PRE = rf"{_PRE_ID}(?:\.{_PRE_ID})*"
_BUILD = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"

# One pattern for the hot path: every tag of a repository goes through it.
# Patterns that only some commands need are kept as text and compiled on first use
# (re caches them): compiling every pattern here was half of importing this module, which a
# warm resolve pays.
_VERSION = rf"v?({_NUM})\.({_NUM})\.({_NUM})(?:-({_PRE}))?(?:\+({_BUILD}))?"

# A range version may be partial and use x-range wildcards; a prerelease only follows a third
# part. Build metadata may follow any version and is ignored (node-semver >= 7.7 strips it
# before parsing; 7.6 refused it after a partial version and let it bleed into hyphen ranges).
_XR = rf"{_NUM}|[xX*]"
_NUMIAL = (
    rf"v?(?P<M>{_XR})(?:\.(?P<m>{_XR})(?:\.(?P<p>{_XR})(?:-(?P<pre>{_PRE}))?)?)?(?:\+{_BUILD})?"
)
_OPERATORS = r"<=|>=|~>|[<>=~^]"
_COMPARATOR_RE = re.compile(rf"(?P<op>{_OPERATORS})?{_NUMIAL}")
_HYPHEN_RE = re.compile(r"(\S+)\s+-\s+(\S+)")
# Whitespace between an operator and its version is allowed (`>= 1.2`), not inside an
# operator (`> = 1.2`, which npm refuses too).
_OPERATOR_GAP_RE = re.compile(rf"({_OPERATORS})\s+(?=[v0-9xX*])")
_OR_RE = re.compile(r"\s*\|\|\s*")

_ALLOWED = (
    "allowed: exact 1.2.3, comparators <, <=, >, >=, = (>=1.2 <2), ^1.2.3, ~1.2, x-ranges "
    "(1.x, 1.2.*, *), partial versions (1, 1.2), hyphen ranges (1.2 - 1.4), each optionally "
    "with one leading v; space means and, || means or"
)

# Precedence keys are plain tuples so that comparing them runs in C:
# (major, minor, patch, prerelease key). A prerelease identifier becomes (0, number) or
# (1, text) -- numeric identifiers sort first -- and a release gets _RELEASE, which sorts
# after every prerelease of the same major.minor.patch. Every key made here shares this one
# object, so "is a release" is an identity test in the hot loop.
_RELEASE: tuple[tuple[int, Any], ...] = ((2, ""),)
_BELOW_ALL = (-1,)
_ABOVE_ALL = (math.inf,)
# A range spanning more majors than this scans every version tag instead of listing them.
_MAX_LISTED_MAJORS = 64
# How many of the highest majors max_satisfying tries first for a range without that list.
_TOP_MAJORS = 4

PrecedenceKey = tuple[Any, ...]


def _identifiers_key(identifiers: Iterable[str]) -> tuple[tuple[int, Any], ...]:
    return tuple((0, int(i)) if i.isdigit() else (1, i) for i in identifiers)


@functools.lru_cache(maxsize=4096)
def _prerelease_key(prerelease: str) -> tuple[tuple[int, Any], ...]:
    """Cached: a repository repeats a few prerelease labels (``rc.1``, ``fedora``) often."""
    return _identifiers_key(prerelease.split("."))


def _order_key(precedence: PrecedenceKey, build: tuple[str, ...]) -> tuple[Any, ...]:
    """Precedence, then npm's compareBuild tie-break, then the raw build text."""
    if not build:
        return (*precedence, (), ())
    return (*precedence, _identifiers_key(build), build)


def _version_precedence(version: Version) -> PrecedenceKey:
    prerelease = _identifiers_key(version.prerelease) if version.prerelease else _RELEASE
    return (version.major, version.minor, version.patch, prerelease)


def _version_order(version: Version) -> tuple[Any, ...]:
    return _order_key(version._precedence, version.build)


@attrs.frozen(order=False)
class Version:
    """A SemVer 2.0.0 version, totally ordered (see the module docstring for ties).

    Equality compares every field, build metadata included; ``<`` and friends follow semver
    precedence and break its ties deterministically, so sorting never depends on input order.
    Make one from text with :func:`parse_version`.
    """

    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: tuple[str, ...] = ()
    _precedence: PrecedenceKey = attrs.field(
        init=False,
        repr=False,
        eq=False,
        default=attrs.Factory(_version_precedence, takes_self=True),
    )
    _order: tuple[Any, ...] = attrs.field(
        init=False, repr=False, eq=False, default=attrs.Factory(_version_order, takes_self=True)
    )

    @property
    def is_prerelease(self) -> bool:
        return bool(self.prerelease)

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._order < other._order

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._order <= other._order

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._order > other._order

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._order >= other._order


def parse_version(tag: str) -> Version | None:
    """The version a tag names, or ``None`` when the tag is not strict semver.

    One leading lowercase ``v`` and surrounding whitespace are ignored (as npm trims):
    ``v3.1.0`` is 3.1.0; ``latest``, ``3.1``, ``v3``, ``01.2.3``, ``vv1.0.0``,
    ``sha256-….sig``, a number above 2**53 - 1 and text over 256 characters are ``None``.
    """
    if len(tag) > _MAX_VERSION_LENGTH:
        return None
    match = re.fullmatch(_VERSION, tag.strip())
    if match is None or not _safe(*match.groups()[:3]):
        return None
    major, minor, patch, prerelease, build = match.groups()
    return Version(
        int(major),
        int(minor),
        int(patch),
        tuple(prerelease.split(".")) if prerelease else (),
        tuple(build.split(".")) if build else (),
    )


# --- ranges -------------------------------------------------------------------------------


@attrs.frozen
class _Comparator:
    """One primitive comparison, as npm prints it: ``>=1.2.3``, ``<2.0.0-0``, ``1.2.3``."""

    operator: str  # one of < <= > >= =
    version: Version

    def __str__(self) -> str:
        return ("" if self.operator == "=" else self.operator) + str(self.version)


_NULL = _Comparator("<", Version(0, 0, 0, ("0",)))  # npm's "nothing": below every version
# The lowest prerelease: X.Y.Z-0 sorts before every other X.Y.Z-pre. npm ends upper bounds
# with it, and under includePrerelease also lower bounds (the ``z`` parameter below is
# _ZERO then, else empty).
_ZERO = ("0",)


def _is_x(part: str | None) -> bool:
    return part is None or part in ("x", "X", "*")


def _parts(match: re.Match[str]) -> tuple[int | None, int | None, int | None, tuple[str, ...]]:
    """Major, minor, patch (``None`` for a wildcard or a missing part), prerelease.

    As in npm, a wildcard makes every later part a wildcard (``1.x.3`` is ``1.x``) and a
    prerelease counts only after a numeric patch (``1.2.x-rc`` is ``1.2.x``).
    """
    M, m, p, pre = match.group("M", "m", "p", "pre")
    major = None if _is_x(M) else int(M)
    minor = None if major is None or _is_x(m) else int(m)
    patch = None if minor is None or _is_x(p) else int(p)
    prerelease = tuple(pre.split(".")) if pre and patch is not None else ()
    return major, minor, patch, prerelease


def _at_least(major: int, minor: int, patch: int, pre: tuple[str, ...] = ()) -> _Comparator:
    return _Comparator(">=", Version(major, minor, patch, pre))


def _below(major: int, minor: int, patch: int) -> _Comparator:
    return _Comparator("<", Version(major, minor, patch, _ZERO))


def _caret(
    major: int, minor: int | None, patch: int | None, pre: tuple[str, ...], z: tuple[str, ...]
) -> list[_Comparator]:
    """``^``: changes that keep the left-most non-zero part (npm replaceCaret)."""
    if minor is None:
        return [_at_least(major, 0, 0, z), _below(major + 1, 0, 0)]
    if patch is None:
        upper = _below(0, minor + 1, 0) if major == 0 else _below(major + 1, 0, 0)
        return [_at_least(major, minor, 0, z), upper]
    # A full lower bound never gets -0 (node-semver >= 7.8.3, #872; 7.6 gave 0.x carets one).
    lower = _at_least(major, minor, patch, pre)
    if major == 0 and minor == 0:
        return [lower, _below(0, 0, patch + 1)]
    if major == 0:
        return [lower, _below(0, minor + 1, 0)]
    return [lower, _below(major + 1, 0, 0)]


def _tilde(
    major: int, minor: int | None, patch: int | None, pre: tuple[str, ...], z: tuple[str, ...]
) -> list[_Comparator]:
    """``~``/``~>``: patch-level changes if a minor is given, else minor-level.

    As in node-semver >= 7.8.5 (#878), a partial tilde's lower bound gets ``-0`` under
    includePrerelease, like the x-range it equals (``~1.2`` is ``1.2.x``); 7.6 left it off.
    """
    if minor is None:
        return [_at_least(major, 0, 0, z), _below(major + 1, 0, 0)]
    if patch is None:
        return [_at_least(major, minor, 0, z), _below(major, minor + 1, 0)]
    return [_at_least(major, minor, patch, pre), _below(major, minor + 1, 0)]


def _x_range(
    op: str,
    major: int,
    minor: int | None,
    patch: int | None,
    pre: tuple[str, ...],
    z: tuple[str, ...],
) -> list[_Comparator]:
    """A comparator, partial version or x-range (npm replaceXRange)."""
    if patch is not None:
        return [_Comparator(op or "=", Version(major, minor or 0, patch, pre))]
    if op in ("", "="):
        if minor is None:
            return [_at_least(major, 0, 0, z), _below(major + 1, 0, 0)]
        return [_at_least(major, minor, 0, z), _below(major, minor + 1, 0)]
    if op == ">":  # >1 is >=2.0.0, >1.2 is >=1.3.0
        return [
            _at_least(major + 1, 0, 0, z) if minor is None else _at_least(major, minor + 1, 0, z)
        ]
    if op == "<=":  # <=1 is <2.0.0-0, <=1.2 is <1.3.0-0
        return [_below(major + 1, 0, 0) if minor is None else _below(major, minor + 1, 0)]
    if op == "<":
        return [_below(major, minor or 0, 0)]
    return [_at_least(major, minor or 0, 0, z)]  # >=


def _desugar(token: str, text: str, z: tuple[str, ...]) -> list[_Comparator]:
    """The primitive comparators of one space-separated token; ``[]`` means any version."""
    match = _COMPARATOR_RE.fullmatch(token)
    if match is None:
        raise _invalid(text, token)
    op = match.group("op") or ""
    if op not in ("^", "~", "~>") and _number_after_wildcard(*match.group("M", "m", "p")):
        raise _invalid(text, token)
    major, minor, patch, pre = _parts(match)
    if major is None:
        # *, ^*, ~*, >=*, <=* match everything; >* and <* match nothing.
        return [_NULL] if op in ("<", ">") else []
    if op == "^":
        return _caret(major, minor, patch, pre, z)
    if op in ("~", "~>"):
        return _tilde(major, minor, patch, pre, z)
    return _x_range(op, major, minor, patch, pre, z)


def _number_after_wildcard(major: str, minor: str | None, patch: str | None) -> bool:
    """``1.x.5``, ``x.1``, ``*.x.1``: refused in an x-range or comparator by node-semver
    >= 7.8.4 (#874), which 7.6 read as ``1.x`` and ``*``. Caret, tilde and hyphen ranges
    still read them so, as npm does."""
    return (_is_x(major) and not _is_x(minor)) or (
        _is_x(minor) and patch is not None and not _is_x(patch)
    )


def _hyphen(low: re.Match[str], high: re.Match[str], z: tuple[str, ...]) -> list[_Comparator]:
    """``A - B``: inclusive at both ends; a partial end covers everything it names."""
    result = []
    major, minor, patch, pre = _parts(low)
    if major is not None:
        result.append(_at_least(major, minor or 0, patch or 0, pre or z))
    major, minor, patch, pre = _parts(high)
    if major is None:
        return result
    if minor is None:
        result.append(_below(major + 1, 0, 0))
    elif patch is None:
        result.append(_below(major, minor + 1, 0))
    elif pre or not z:
        result.append(_Comparator("<=", Version(major, minor, patch, pre)))
    else:  # npm's includePrerelease form of <=1.2.3; it admits the same versions
        result.append(_below(major, minor, patch + 1))
    return result


def _invalid(text: str, part: str) -> ConfigError:
    hint = _ALLOWED
    if part.startswith(("~=", "==", "!=")):
        hint = f"{part[:2]} is not npm range syntax; {_ALLOWED}"
    elif "," in part:
        hint = f"comparators are separated by spaces, not commas; {_ALLOWED}"
    return ConfigError(f"invalid version range {text!r}: {part!r} is not understood", hint=hint)


@attrs.frozen
class _ComparatorSet:
    """Comparators that must all hold, compiled to an interval for fast matching.

    Every npm comparator is a half-line (or a point), so their conjunction is one interval.
    ``prerelease_tuples`` are the major.minor.patch of comparators that carry a prerelease:
    by npm's rule only prereleases of those tuples may match (unless includePrerelease).
    """

    comparators: tuple[_Comparator, ...]
    low: PrecedenceKey
    low_inclusive: bool
    high: PrecedenceKey
    high_inclusive: bool
    prerelease_tuples: frozenset[tuple[int, int, int]]

    @property
    def is_any(self) -> bool:
        return not self.comparators

    @property
    def is_null(self) -> bool:
        return _NULL in self.comparators

    @classmethod
    def build(cls, comparators: Iterable[_Comparator]) -> _ComparatorSet:
        unique = tuple(dict.fromkeys(comparators))
        if _NULL in unique:  # as npm: a set that admits nothing is shown as just that
            unique = (_NULL,)
        low, low_inclusive, high, high_inclusive = _BELOW_ALL, True, _ABOVE_ALL, True
        for comparator in unique:
            key = comparator.version._precedence
            if comparator.operator in (">", ">=", "=") and (
                key > low or (key == low and comparator.operator == ">")
            ):
                low, low_inclusive = key, comparator.operator != ">"
            if comparator.operator in ("<", "<=", "=") and (
                key < high or (key == high and comparator.operator == "<")
            ):
                high, high_inclusive = key, comparator.operator != "<"
        return cls(
            comparators=unique,
            low=low,
            low_inclusive=low_inclusive,
            high=high,
            high_inclusive=high_inclusive,
            prerelease_tuples=frozenset(
                (c.version.major, c.version.minor, c.version.patch)
                for c in unique
                if c.version.prerelease
            ),
        )

    def __str__(self) -> str:
        return " ".join(map(str, self.comparators)) or "*"


def _safe_comparator(comparator: _Comparator) -> bool:
    """npm refuses a range whose desugared bounds exceed 2**53 - 1 (``^9007199254740991``)."""
    version = comparator.version
    return max(version.major, version.minor, version.patch) <= MAX_SAFE_INTEGER


def _parse_sets(text: str, include_prerelease: bool) -> tuple[_ComparatorSet, ...]:
    """npm's Range constructor: desugar every ``||`` alternative, then tidy the union."""
    z = _ZERO if include_prerelease else ()
    # npm turns >=0.0.0 (>=0.0.0-0 with includePrerelease) into "any version"; that matters
    # below, where an alternative that is any version absorbs the whole union.
    everything = _at_least(0, 0, 0, z)
    sets = []
    for alternative in _OR_RE.split(text.strip()):
        hyphen = _HYPHEN_RE.fullmatch(alternative)
        if hyphen:
            low, high = (re.fullmatch(_NUMIAL, side) for side in hyphen.groups())
            if low is None or high is None:
                raise _invalid(text, alternative)
            comparators = _hyphen(low, high, z)
        else:
            tokens = _OPERATOR_GAP_RE.sub(r"\1", alternative).split()
            comparators = [c for token in tokens for c in _desugar(token, text, z)]
        if not all(_safe_comparator(c) for c in comparators):
            raise _invalid(text, alternative)
        sets.append(_ComparatorSet.build(c for c in comparators if c != everything))
    if len(sets) > 1:
        sets = [s for s in sets if not s.is_null] or sets[:1]
        # An alternative that admits any version replaces the whole union, and so
        # `* || 1.2.3-rc.1` does not match 1.2.3-rc.1 without includePrerelease, as in npm.
        sets = [s for s in sets if s.is_any][:1] or sets
    return tuple(sets)


def _set_matcher(
    sets: tuple[_ComparatorSet, ...], include_prerelease: bool
) -> Callable[[PrecedenceKey], bool]:
    compiled = [
        (s.low, s.low_inclusive, s.high, s.high_inclusive, s.prerelease_tuples) for s in sets
    ]

    def admits(key: PrecedenceKey) -> bool:
        for low, low_inclusive, high, high_inclusive, prerelease_tuples in compiled:
            if (
                (key >= low if low_inclusive else key > low)
                and (key <= high if high_inclusive else key < high)
                and (include_prerelease or key[3] is _RELEASE or key[:3] in prerelease_tuples)
            ):
                return True
        return False

    return admits


@attrs.frozen
class Range:
    """A version range in npm node-semver syntax; see :meth:`parse`.

    ``text`` is the range as written (whitespace collapsed), which is what ``str()`` gives;
    :meth:`describe` shows what it desugars to.
    """

    text: str
    _sets: tuple[_ComparatorSet, ...] = attrs.field(repr=False)
    _sets_with_prereleases: tuple[_ComparatorSet, ...] = attrs.field(repr=False)

    @classmethod
    def parse(cls, text: str, *, path: str | None = None) -> Range:
        """Parse ``text``; :class:`ConfigError` (exit 2, one line) when it is not a range.

        :param path: the configuration field the range came from, named in the error.

        The empty string and ``*`` mean any version (prereleases still need
        ``include_prerelease``). ``1.2.3`` is exact; see the module docstring for the few
        inputs npm accepts that are refused here.
        """
        if not isinstance(text, str):
            raise ConfigError(f"a version range must be a string, not {text!r}", path=path)
        normalized = " ".join(text.split())
        try:
            return cls(
                normalized,
                _parse_sets(normalized, include_prerelease=False),
                _parse_sets(normalized, include_prerelease=True),
            )
        except ConfigError as error:
            error.path = path
            raise

    def test(self, version: Version, include_prerelease: bool = False) -> bool:
        """Whether ``version`` satisfies the range, as npm's ``satisfies`` decides.

        By default a prerelease matches only if a comparator in the same ``||`` alternative
        names the same major.minor.patch with a prerelease (``>=1.2.3-rc.1`` admits
        ``1.2.3-rc.2`` but not ``1.2.4-rc.1``). ``include_prerelease`` is npm's
        ``includePrerelease``: that rule is lifted and partial lower bounds reach down to
        ``-0`` prereleases, while ``^``/``~`` upper bounds still stop before ``X.0.0-0``.
        """
        return self._matcher(include_prerelease)(version._precedence)

    def _alternatives(self, include_prerelease: bool) -> tuple[_ComparatorSet, ...]:
        return self._sets_with_prereleases if include_prerelease else self._sets

    def _matcher(self, include_prerelease: bool) -> Callable[[PrecedenceKey], bool]:
        """A predicate over precedence keys, for the hot loop of the tag helpers."""
        return _set_matcher(self._alternatives(include_prerelease), include_prerelease)

    def _majors(self, include_prerelease: bool) -> tuple[int, ...] | None:
        """Every major version the range can admit; ``None`` when there are too many to list
        (an alternative without an upper bound, such as ``*`` or ``>=1.2``)."""
        majors: set[int] = set()
        for comparator_set in self._alternatives(include_prerelease):
            low, high = comparator_set.low[0], comparator_set.high[0]
            if high is math.inf or high - max(low, 0) > _MAX_LISTED_MAJORS:
                return None
            majors.update(range(max(low, 0), int(high) + 1))
        return tuple(sorted(majors))

    def describe(self, include_prerelease: bool = False) -> str:
        """The desugared comparators, as npm prints them: ``^1.2.3`` → ``>=1.2.3 <2.0.0-0``.

        Alternatives are joined by `` || ``; an alternative that admits any version is ``*``.
        """
        return " || ".join(map(str, self._alternatives(include_prerelease)))

    def __str__(self) -> str:
        return self.text


# --- tags ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _tag_pattern(suffix: str, majors: tuple[int, ...] | None) -> re.Pattern[str]:
    major = "|".join(map(str, majors)) if majors is not None else _NUM
    version = rf"v?({major})\.({_NUM})\.({_NUM})(?:-({_PRE}))?(?:\+({_BUILD}))?"
    # Each tag sits between two newlines. Starting with a literal newline (rather than `^` in
    # MULTILINE mode) lets the engine jump from line to line instead of trying every position;
    # a short list of majors then rejects most lines at their first character.
    return re.compile(rf"\n({version}{re.escape(suffix)})(?=\n)")


_MAJOR = rf"\nv?({_NUM})\."
_LONG_NUMBER_RE = re.compile(r"[0-9]{16}")
_DIGITS_AND_DOTS = re.compile(r"[0-9.\n]*")
# X.Y.Z with numbers short enough to be safe (a longer one falls to the general scan).
_SHORT = r"(?:0|[1-9][0-9]{0,14})"
_PLAIN_VERSION = re.compile(rf"\n{_SHORT}\.{_SHORT}\.{_SHORT}(?=\n)")


def _tag_lines(tags: Iterable[str]) -> str:
    """The tags, each between two newlines, for the scans below; a tag holding a newline is
    no version and is left out."""
    tags = list(tags)
    text = "\n".join(tags)
    if text.count("\n") != max(len(tags) - 1, 0):
        text = "\n".join(tag for tag in tags if "\n" not in tag)
    return f"\n{text}\n"


def _semver_tags(
    lines: str, variant: str | None, majors: tuple[int, ...] | None = None
) -> list[tuple[str, ...]]:
    """``(tag, major, minor, patch, prerelease, build)`` for every tag that is a version.

    One regex scan over all tags (:func:`_tag_lines`): a registry may hold 100,000 tags, and
    a Python-level call per tag would cost more than the match itself. With ``variant`` only
    tags ending in ``-{variant}`` count, read by the part in front of the suffix. With
    ``majors`` (see :meth:`Range._majors`) only versions of those majors are returned.
    """
    if majors == ():
        return []
    matches = _tag_pattern(f"-{variant}" if variant else "", majors).findall(lines)
    # Only a number of 16 digits or more can exceed npm's limit: over every version, one scan
    # in C usually says there is none, which spares a Python-level check per tag; the few
    # versions of a short list of majors are cheaper to check one by one than that scan.
    if majors is None and _LONG_NUMBER_RE.search(lines) is None:
        return matches
    return [
        m
        for m in matches
        if (len(m[1]) < 16 and len(m[2]) < 16 and len(m[3]) < 16) or _safe(*m[1:4])
    ]


def _safe(*numbers: str) -> bool:
    """Whether every number is at most npm's limit (the patterns allow up to 16 digits)."""
    return all(len(number) < 16 or int(number) <= MAX_SAFE_INTEGER for number in numbers)


def _tag_key(major: str, minor: str, patch: str, pre: str) -> PrecedenceKey:
    return (int(major), int(minor), int(patch), _prerelease_key(pre) if pre else _RELEASE)


def _tag_order(key: PrecedenceKey, build: str, tag: str) -> tuple[Any, ...]:
    """Total order of tags: the version's, then the tag without ``v`` above the one with."""
    return (*_order_key(key, tuple(build.split(".")) if build else ()), not tag.startswith("v"))


def max_satisfying(
    tags: Iterable[str],
    rng: Range,
    include_prerelease: bool = False,
    *,
    variant: str | None = None,
) -> str | None:
    """The highest tag satisfying ``rng``, as written (``v`` kept); ``None`` if none does.

    Tags that are not semver are skipped. ``variant`` (e.g. ``"fedora"``) restricts the
    candidates to ``X.Y.Z-fedora``-style tags compared by their ``X.Y.Z``.
    """
    admits = rng._matcher(include_prerelease)
    lines = _tag_lines(tags)
    majors = rng._majors(include_prerelease)
    if majors is not None:
        return _best(_semver_tags(lines, variant, majors), admits)
    # No short list of majors (`*`, `>=1.2`): the answer is in the highest major that has a
    # match, so look at the few highest majors present before scanning every version (which
    # finds nothing new in those few, and lists no majors: there may be any number).
    present = sorted({int(m) for m in re.findall(_MAJOR, lines)}, reverse=True)
    top = tuple(present[:_TOP_MAJORS])
    return _best(_semver_tags(lines, variant, top), admits) or _best(
        _semver_tags(lines, variant), admits
    )


def _best(matches: list[tuple[str, ...]], admits: Callable[[PrecedenceKey], bool]) -> str | None:
    best: str | None = None
    best_key: PrecedenceKey = _BELOW_ALL
    best_order: tuple[Any, ...] = ()
    prerelease_key = _prerelease_key
    for tag, major, minor, patch, pre, build in matches:
        # _tag_key, inlined: this loop is the 100,000-tag hot path.
        key = (int(major), int(minor), int(patch), prerelease_key(pre) if pre else _RELEASE)
        if key < best_key or not admits(key):
            continue
        order = _tag_order(key, build, tag)
        if best is None or order > best_order:
            best, best_key, best_order = tag, key, order
    return best


def satisfying(
    tags: Iterable[str],
    rng: Range,
    include_prerelease: bool = False,
    *,
    variant: str | None = None,
) -> list[str]:
    """Every tag satisfying ``rng``, newest first (the order of :func:`sort_tags_desc`)."""
    admits = rng._matcher(include_prerelease)
    matching = []
    majors = rng._majors(include_prerelease)
    for tag, major, minor, patch, pre, build in _semver_tags(_tag_lines(tags), variant, majors):
        key = _tag_key(major, minor, patch, pre)
        if admits(key):
            matching.append((_tag_order(key, build, tag), tag))
    matching.sort(reverse=True)
    return [tag for _, tag in matching]


def semver_tags(tags: Iterable[str], *, variant: str | None = None) -> list[str]:
    """The tags that are versions, in the order given (``variant`` as in
    :func:`max_satisfying`); cheaper than :func:`satisfying`: nothing is compared or sorted."""
    return [match[0] for match in _semver_tags(_tag_lines(tags), variant)]


def semver_tags_and_prereleases(
    tags: Iterable[str], *, variant: str | None = None
) -> tuple[list[str], int]:
    """:func:`semver_tags`, and how many of them are prereleases.

    A warm resolve runs this over every tag just to say what was skipped, so the usual
    registry, whose tags are all ``X.Y.Z``, is recognised by two cheap scans; otherwise the
    patterns capture only the whole tag, which costs less than capturing every part.
    """
    lines = _tag_lines(tags)
    count = lines.count("\n") - 1
    if _DIGITS_AND_DOTS.fullmatch(lines) and len(_PLAIN_VERSION.findall(lines)) == count:
        return lines[1:-1].split("\n"), 0  # every tag is a release (no "-" in any)
    if _LONG_NUMBER_RE.search(lines) is not None:  # a number may exceed npm's limit
        matches = _semver_tags(lines, variant)
        return [match[0] for match in matches], sum(1 for match in matches if match[4])
    suffix = re.escape(f"-{variant}") if variant else ""
    versions = _whole_tag_pattern(suffix, prerelease=False).findall(lines)
    return versions, len(_whole_tag_pattern(suffix, prerelease=True).findall(lines))


@functools.lru_cache(maxsize=8)
def _whole_tag_pattern(suffix: str, *, prerelease: bool) -> re.Pattern[str]:
    """A version tag (as :func:`_tag_pattern`), captured whole; with ``prerelease`` only
    those that carry one."""
    pre = f"-{_PRE}" if prerelease else f"(?:-{_PRE})?"
    version = rf"v?(?:{_NUM})\.(?:{_NUM})\.(?:{_NUM}){pre}(?:\+{_BUILD})?"
    return re.compile(rf"\n({version}{suffix})(?=\n)")


def sort_tags_desc(tags: Iterable[str], *, variant: str | None = None) -> list[str]:
    """The semver tags among ``tags``, newest first; other tags are dropped."""
    ordered = [
        (_tag_order(_tag_key(major, minor, patch, pre), build, tag), tag)
        for tag, major, minor, patch, pre, build in _semver_tags(_tag_lines(tags), variant)
    ]
    ordered.sort(reverse=True)
    return [tag for _, tag in ordered]
