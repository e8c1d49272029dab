"""Go's ``bufio.Scanner`` with ``bufio.ScanLines`` (Go 1.22+), as the tools' line parsers use it.

Lines end at ``\\n``; one ``\\r`` before the end of a line is dropped; a line that does not fit
the 64 KiB buffer (``bufio.MaxScanTokenSize``, the newline included) stops the scan with
``ErrTooLong``. flyctl's and devpod's parsers never look at that error, so for them the input
simply ends there.
"""

from __future__ import annotations

MAX_TOKEN = 64 * 1024  # bufio.MaxScanTokenSize


def scan_lines(data: bytes) -> list[bytes]:
    """The lines a scanner yields before it stops."""
    lines = []
    rest = data
    while rest:
        newline = rest.find(b"\n")
        end = len(rest) if newline < 0 else newline
        if end + (newline >= 0) > MAX_TOKEN:
            break
        lines.append(rest[:end].removesuffix(b"\r"))
        rest = rest[end + 1 :]
    return lines
