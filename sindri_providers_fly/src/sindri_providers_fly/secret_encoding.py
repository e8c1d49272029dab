"""The stdin of ``flyctl secrets import``: every value arrives byte for byte, or none is sent.

flyctl reads it line by line with its own parser (superfly/flyctl ``ad0172f``,
``internal/command/secrets/parser.go``), which never unescapes anything. What it does do:

* cuts each line at the first ``=``; drops spaces before the value;
* drops everything from the first ``#`` when the text before it holds an even number of
  ``"`` (then trims trailing spaces);
* takes a one-line ``\"\"\"…\"\"\"`` value from inside the triple quotes, and a value opening
  with ``\"\"\"`` as the start of a multi-line value that ends at the first line ending in
  ``\"\"\"``;
* otherwise removes one pair of surrounding ``"…"`` or ``'…'``;
* reads lines with Go's ``bufio.Scanner``: ``\\r`` before a line end is dropped, and a line
  longer than 65,535 bytes silently ends the input (the error is never checked).

So each one-line value is written in the first of four forms the parser reads back unchanged
(bare, ``"…"``, ``\"\"\"…\"\"\"``, ``'…'``; one of the last two always fits). A multi-line value
has one form, and values that form cannot carry are refused before anything is staged
(ADR 0010).
"""

from __future__ import annotations

from collections.abc import Mapping

from sindri_core.plugin import ConfigError

__all__ = ["MAX_LINE_BYTES", "encode_secrets"]

# bufio.MaxScanTokenSize (64 KiB) holds one line and its newline.
MAX_LINE_BYTES = 64 * 1024 - 1
TRIPLE = '"""'
MULTI_LINE_HINT = "store it in a file and use a file secret (source: file, mountPath)"


def _comment_cut(text: str) -> bool:
    """Whether flyctl takes a ``#`` in ``text`` (a value as written) as a comment."""
    before, hash_, _ = text.partition("#")
    return bool(hash_) and before.count('"') % 2 == 0


def _bare_reads_back(value: str) -> bool:
    wrapped = len(value) >= 1 and value[0] == value[-1] and value[0] in "\"'"
    return not (
        value.startswith((" ", TRIPLE)) or wrapped or value.endswith("\r") or _comment_cut(value)
    )


def _one_line(value: str) -> str:
    if _bare_reads_back(value):
        return value
    quoted = f'"{value}"'
    if not quoted.startswith(TRIPLE) and not _comment_cut(quoted):
        return quoted
    # A '#' after an even number of '"' is safe behind three quotes, after an odd number
    # behind one single quote: one of the two always reads back.
    if not _comment_cut(TRIPLE + value):
        return TRIPLE + value + TRIPLE
    return f"'{value}'"


def _multi_line_problem(value: str) -> str | None:
    """Why the multi-line form cannot carry ``value``, or ``None`` if it can."""
    *inner, _last = value.split("\n")
    if _comment_cut(TRIPLE + inner[0]):
        return "its first line has a '#' that flyctl would read as a comment"
    for line in inner:
        if line.endswith(TRIPLE):
            return 'a line other than the last ends in """, which ends the value early'
        if line.endswith("\r"):
            return "it has Windows (CRLF) line endings, which flyctl drops"
    return None


def _encode(name: str, value: str) -> str:
    if "\n" in value:
        problem = _multi_line_problem(value)
        if problem:
            raise ConfigError(
                f"secret {name} cannot be passed to flyctl secrets import intact: {problem}",
                hint=MULTI_LINE_HINT,
            )
        line = f"{name}={TRIPLE}{value}{TRIPLE}"
    else:
        line = f"{name}={_one_line(value)}"
    if any(len(part.encode()) > MAX_LINE_BYTES for part in line.split("\n")):
        raise ConfigError(
            f"secret {name} is too long for flyctl secrets import: a line may hold at most "
            f"{MAX_LINE_BYTES} bytes, and flyctl silently drops the rest of its input after one "
            "that is longer",
            hint="keep secret values (and files given as file secrets) under 48 KiB",
        )
    return line


def encode_secrets(values: Mapping[str, str]) -> str:
    """``NAME=VALUE`` lines for ``flyctl secrets import`` that flyctl reads back exactly.

    :raises ConfigError: a value flyctl's parser cannot carry (named, never shown).
    """
    return "".join(_encode(name, value) + "\n" for name, value in values.items())
