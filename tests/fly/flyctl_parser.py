"""A model of how ``flyctl secrets import`` reads its stdin, to check what sindri writes.

Written from superfly/flyctl ``ad0172f`` (2026-08-21): ``internal/command/secrets/parser.go``
(``parseSecrets``) and ``import.go`` (its caller), and Go's ``bufio.Scanner`` with
``ScanLines`` (64 KiB token limit). Works on bytes as Go strings do. Facts modelled:

* lines split at ``\\n``; one ``\\r`` before the ``\\n`` (or at end of input) is dropped;
* a line longer than the token limit stops the scan; ``parseSecrets`` never looks at the
  scanner's error, so the secrets read so far are returned as if the input had ended;
* single-line state: lines starting with ``#`` or blank after trimming are skipped; a line
  without ``=`` is an error; key trimmed of white space, value of leading spaces only; if the
  text before the value's first ``#`` holds an even number of ``"``, the value is cut there and
  trailing spaces trimmed; ``\"\"\"x\"\"\"`` (6 bytes or more) is ``x``; a value starting with
  ``\"\"\"`` opens a multi-line value (its rest plus ``\\n``); otherwise one pair of ``"…"`` or
  ``'…'`` around the value is removed (a one-byte ``"`` or ``'`` makes Go panic on the slice);
* multi-line state: a line ending in ``\"\"\"`` closes the value with the text before it; any
  other line is added with ``\\n``. Input ending inside a multi-line value drops that value.
"""

from __future__ import annotations

from tests.support.go_scanner import scan_lines


class FlyctlParseError(Exception):
    """What flyctl reports (exit 1) instead of importing."""


def _strip_quotes(value: bytes) -> bytes:
    for quote in (b'"', b"'"):
        if value.startswith(quote) and value.endswith(quote):
            if len(value) < 2:
                raise FlyctlParseError("panic: slice bounds out of range")
            return value[1:-1]
    return value


def parse_secrets(stdin: bytes) -> dict[str, bytes]:
    """The secrets flyctl would set from ``stdin``, values as bytes."""
    secrets: dict[str, bytes] = {}
    multi_key: bytes | None = None
    multi_value = b""
    for line in scan_lines(stdin):
        if multi_key is not None:
            if line.endswith(b'"""'):
                secrets[multi_key.decode()] = multi_value + line[:-3]
                multi_key, multi_value = None, b""
            else:
                multi_value += line + b"\n"
            continue
        if line.startswith(b"#") or not line.strip():
            continue
        key, eq, value = line.partition(b"=")
        if not eq:
            raise FlyctlParseError("Secrets must be provided as NAME=VALUE pairs")
        key, value = key.strip(), value.lstrip(b" ")
        before, hash_, _ = value.partition(b"#")
        if hash_ and before.count(b'"') % 2 == 0:
            value = before.rstrip(b" ")
        if value.startswith(b'"""') and value.endswith(b'"""') and len(value) >= 6:
            secrets[key.decode()] = value[3:-3]
        elif value.startswith(b'"""'):
            multi_key, multi_value = key, value[3:] + b"\n"
        else:
            secrets[key.decode()] = _strip_quotes(value)
    return secrets
