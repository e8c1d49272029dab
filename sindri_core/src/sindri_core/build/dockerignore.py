"""``.dockerignore`` with Docker's semantics, so the fingerprint covers exactly the files a
``docker build`` of the same context receives.

Follows moby's ``ignorefile.ReadAll`` (comments only when ``#`` is the first character, trimmed
lines, ``path.Clean``, a leading ``/`` stripped, ``!`` exceptions) and ``patternmatcher``
(``*``/``?`` never cross ``/``, ``**`` crosses any number of directories, a pattern that matches
a parent directory excludes everything below it, the last matching pattern wins, and an
excluded directory is only entered when an exception pattern starts with its path).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from pathlib import Path

import attrs

from sindri_core.errors import ConfigError

__all__ = ["IgnoreRules", "Pattern", "read_patterns"]

_ESCAPED = set(".+()|{}$")  # regex specials that are literal in filepath patterns
_BOM = "\ufeff"


def read_patterns(text: str) -> list[str]:
    """The patterns of a ``.dockerignore`` file, normalised as Docker normalises them."""
    patterns: list[str] = []
    for number, raw in enumerate(text.splitlines()):
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
        patterns.append("!" + pattern if invert else pattern)
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
        text = raw.strip()
        exclusion = text.startswith("!")
        if exclusion:
            text = text[1:]
            if not text:
                raise ConfigError(f"{source}: illegal exclusion pattern: '!'")
        text = posixpath.normpath(text) if text else text
        regex, kind = _translate(text)
        compiled = None
        if kind == "regexp":
            try:
                compiled = re.compile(regex)
            except re.error as exc:
                raise ConfigError(
                    f"{source}: invalid pattern {raw!r}: {exc}",
                    hint="see https://docs.docker.com/build/concepts/context/#dockerignore-files",
                ) from None
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

    def __init__(self, patterns: Iterable[str], source: str = ".dockerignore") -> None:
        self.patterns = [Pattern.compile(p, source) for p in patterns if p.strip()]
        self.has_exclusions = any(p.exclusion for p in self.patterns)

    @classmethod
    def for_context(cls, context_dir: Path) -> IgnoreRules:
        path = context_dir / ".dockerignore"
        try:
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
        except FileNotFoundError:
            return cls([])
        return cls(read_patterns(text), source=str(path))

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
