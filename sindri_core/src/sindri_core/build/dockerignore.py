"""``.dockerignore`` with Docker's semantics, so the fingerprint covers exactly the files a
``docker build`` of the same context receives.

Follows moby's ``ignorefile.ReadAll`` (comments only when ``#`` is the first character, trimmed
lines, ``path.Clean``, a leading ``/`` stripped, ``!`` exceptions) and ``patternmatcher``
(``*``/``?`` never cross ``/``, ``**`` crosses any number of directories, a pattern that matches
a parent directory excludes everything below it, the last matching pattern wins, and an
excluded directory is only entered when an exception pattern starts with its path).

A pattern Docker refuses is a :class:`ConfigError` naming the file, the line and the pattern:
``patternmatcher.New`` runs Go's ``filepath.Match`` on every pattern for its syntax error
(``[]a]``, ``[-]``, ``[x-]``, ``[-x]``, ``[a-b-c]``, an unclosed ``[``, a trailing backslash),
and its regexp compile refuses what Go's regexp refuses (``[Local-Only]``).
moby/patternmatcher's own test vectors run in tests/core.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from sindri_core.errors import ConfigError

__all__ = ["IgnoreRules", "Pattern", "read_numbered_patterns", "read_patterns"]

_ESCAPED = set(".+()|{}$")  # regex specials that are literal in filepath patterns
_BOM = "\ufeff"


def read_patterns(text: str) -> list[str]:
    """The patterns of a ``.dockerignore`` file, normalised as Docker normalises them."""
    return [pattern for _, pattern in read_numbered_patterns(text)]


def read_numbered_patterns(text: str) -> list[tuple[int, str]]:
    """``(line number, pattern)`` for each pattern, numbered from 1 as editors do."""
    patterns: list[tuple[int, str]] = []
    # Go's line scanner splits at "\n" only (a "\r" before it goes with the trimming).
    for number, raw in enumerate(text.split("\n")):
        line = raw.removeprefix(_BOM) if number == 0 else raw
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = posixpath.normpath(pattern)
            if pattern.startswith("//"):  # normpath keeps two leading slashes, Clean does not
                pattern = "/" + pattern.lstrip("/")
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        patterns.append((number + 1, "!" + pattern if invert else pattern))
    return patterns


@attrs.frozen
class Pattern:
    """One compiled pattern: ``kind`` is exact, prefix, suffix or regexp, as in moby."""

    text: str
    exclusion: bool
    kind: str
    regexp: re.Pattern[str] | None = None

    @classmethod
    def compile(cls, raw: str, source: str = ".dockerignore") -> Pattern:
        """Compile one pattern; ``source`` names where it came from (``file:line``)."""
        text = raw.strip()
        exclusion = text.startswith("!")
        if exclusion:
            text = text[1:]
            if not text:
                raise ConfigError(f"{source}: illegal exclusion pattern: '!'")
        text = posixpath.normpath(text) if text else text
        problem = _syntax_error(text)
        regex, kind = _translate(text)
        compiled = None
        if problem is None and kind == "regexp":
            try:
                compiled = re.compile(regex)
            except re.error as exc:
                problem = str(exc)
        if problem is not None:
            raise ConfigError(
                f"{source}: invalid pattern {raw!r}: {problem}",
                hint="see https://docs.docker.com/build/concepts/context/#dockerignore-files",
            )
        return cls(text, exclusion, kind, compiled)

    def match(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text[:-2])
        if self.kind == "suffix":
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
        assert self.regexp is not None
        return self.regexp.fullmatch(path) is not None


def _syntax_error(pattern: str) -> str | None:
    """Why Go's ``filepath.Match`` refuses ``pattern`` (Unix rules), or ``None``.

    Go checks every chunk between unbracketed ``*`` whatever the name, so the pattern is
    valid exactly when each chunk is (go/src/path/filepath/match.go, scanChunk/matchChunk).
    """
    for chunk in _chunks(pattern):
        i = 0
        while i < len(chunk):
            if chunk[i] == "\\":
                if i + 1 == len(chunk):
                    return "a trailing '\\' escapes nothing"
                i += 2
            elif chunk[i] == "[":
                i = _class_end(chunk, i + 1)
                if i < 0:
                    return "malformed character class"
            else:
                i += 1
    return None


def _chunks(pattern: str) -> list[str]:
    """The pattern split at ``*`` outside brackets (Go's scanChunk)."""
    chunks, current, in_range, i = [], [], False, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            current.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == "*" and not in_range:
            chunks.append("".join(current))
            current = []
        else:
            in_range = True if ch == "[" else False if ch == "]" else in_range
            current.append(ch)
        i += 1
    chunks.append("".join(current))
    return chunks


def _class_end(chunk: str, i: int) -> int:
    """The index after the ``[...]`` class whose body starts at ``i``, or -1 if malformed:
    at least one item; an item is a character or ``lo-hi``; ``-`` and ``]`` only escaped."""
    if chunk[i : i + 1] == "^":
        i += 1
    items = 0
    while True:
        if chunk[i : i + 1] == "]" and items:
            return i + 1
        i = _class_char(chunk, i)
        if i < 0:
            return -1
        if chunk[i] == "-":
            i = _class_char(chunk, i + 1)
            if i < 0:
                return -1
        items += 1


def _class_char(chunk: str, i: int) -> int:
    """Go's getEsc: the index after one class character; -1 if there is none, if it is an
    unescaped ``-`` or ``]``, or if nothing follows it (the class is unclosed)."""
    if i >= len(chunk) or chunk[i] in "-]":
        return -1
    if chunk[i] == "\\":
        i += 1
        if i >= len(chunk):
            return -1
    return i + 1 if i + 1 < len(chunk) else -1


def _translate(pattern: str) -> tuple[str, str]:
    """moby's ``Pattern.compile``: the regex and the match kind of ``pattern``."""
    out = []
    kind = "exact"
    i = 0
    index = 0  # tokens consumed, as moby counts them: "**/" is one token
    while i < len(pattern):
        ch = pattern[i]
        i += 1
        if ch == "*":
            if i < len(pattern) and pattern[i] == "*":
                i += 1
                if i < len(pattern) and pattern[i] == "/":
                    i += 1
                if i == len(pattern):
                    if kind == "exact":
                        kind = "prefix"
                    else:
                        out.append(".*")
                        kind = "regexp"
                else:
                    out.append("(.*/)?")
                    kind = "regexp"
                if index == 0:
                    kind = "suffix"
            else:
                out.append("[^/]*")
                kind = "regexp"
        elif ch == "?":
            out.append("[^/]")
            kind = "regexp"
        elif ch in _ESCAPED:
            out.append("\\" + ch)
        elif ch == "\\":
            if i < len(pattern):
                out.append("\\" + pattern[i])
                i += 1
                kind = "regexp"
            else:
                out.append("\\")
        elif ch in "[]":
            out.append(ch)
            kind = "regexp"
        else:
            out.append(ch)  # as moby: other characters go into the regex unchanged
        index += 1
    return "".join(out), kind


class IgnoreRules:
    """The compiled patterns of one context; ``IgnoreRules([])`` ignores nothing."""

    def __init__(
        self,
        patterns: Iterable[str],
        source: str = ".dockerignore",
        lines: Sequence[int] | None = None,
    ) -> None:
        """:param lines: the line number of each pattern in ``source``, for errors."""
        patterns = list(patterns)
        numbers = lines if lines is not None else [None] * len(patterns)
        self.patterns = [
            Pattern.compile(p, source if n is None else f"{source}:{n}")
            for p, n in zip(patterns, numbers, strict=True)
            if p.strip()
        ]
        self.has_exclusions = any(p.exclusion for p in self.patterns)

    @classmethod
    def for_context(cls, context_dir: Path) -> IgnoreRules:
        path = context_dir / ".dockerignore"
        try:
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
        except FileNotFoundError:
            return cls([])
        numbered = read_numbered_patterns(text)
        return cls(
            [pattern for _, pattern in numbered],
            source=str(path),
            lines=[number for number, _ in numbered],
        )

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def ignored(self, path: str) -> bool:
        """Whether the slash-separated context-relative ``path`` is excluded
        (moby ``MatchesOrParentMatches``)."""
        hits = self.no_hits()
        parts = path.split("/")
        for depth in range(1, len(parts)):
            hits = self.hits("/".join(parts[:depth]), hits)
        return self.decide(self.hits(path, hits))

    def no_hits(self) -> tuple[bool, ...]:
        return (False,) * len(self.patterns)

    def hits(self, path: str, parent_hits: tuple[bool, ...]) -> tuple[bool, ...]:
        """Which patterns match ``path`` or one of its parent directories, given the answer
        for its parent (so a walker tests each directory once, not once per file below it)."""
        return tuple(
            parent or pattern.match(path)
            for parent, pattern in zip(parent_hits, self.patterns, strict=True)
        )

    def decide(self, hits: tuple[bool, ...]) -> bool:
        """Excluded or not: the last matching pattern wins."""
        matched = False
        for hit, pattern in zip(hits, self.patterns, strict=True):
            if hit:
                matched = not pattern.exclusion
        return matched

    def may_descend(self, directory: str) -> bool:
        """Whether an excluded ``directory`` must still be walked: an exception pattern could
        re-include something below it (Docker's walker makes the same test)."""
        prefix = directory + "/"
        return any(p.exclusion and (p.text + "/").startswith(prefix) for p in self.patterns)
