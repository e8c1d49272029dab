"""A model of how ``devpod up --workspace-env-file`` reads the file, to check what sindri writes.

Written from loft-sh/devpod v0.7.0-alpha.34 (7b38607): ``pkg/devcontainer/config/parse.go``
(``ParseKeyValueFile``) and its caller ``cmd/up.go`` (``mergeEnvFromFiles``), with Go's
``bufio.Scanner``/``ScanLines`` (64 KiB token limit). Facts modelled, on bytes:

* lines split at ``\\n``, one ``\\r`` before it dropped; a line too long for the scanner ends
  the scan and the error is never checked (the rest of the file is ignored);
* a line that is not valid UTF-8 is an error;
* empty lines and lines starting with ``#`` are skipped;
* ``KEY=VALUE`` split at the first ``=``; an empty key or one containing a space is an error,
  and so is an empty value (which includes a line without ``=``);
* the line is kept as it is: no quoting, no escapes, no trimming.
"""

from __future__ import annotations

from tests.support.go_scanner import scan_lines


class DevpodEnvFileError(Exception):
    """What devpod reports (``devpod up`` fails) instead of starting the workspace."""


def parse_key_value_file(data: bytes) -> dict[str, str]:
    """The variables devpod puts into the workspace from the file's bytes."""
    variables: dict[str, str] = {}
    for number, raw in enumerate(scan_lines(data), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise DevpodEnvFileError(f"invalid utf8 bytes in line {number}") from None
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        if not key or " " in key:
            raise DevpodEnvFileError(f"invalid variable key in line {number}")
        if not value:
            raise DevpodEnvFileError(f"invalid variable value in line {number}")
        variables[key] = value
    return variables
