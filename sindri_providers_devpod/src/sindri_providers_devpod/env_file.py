"""The file given to ``devpod up --workspace-env-file``: every value arrives intact, or none
is sent.

devpod reads it with ``ParseKeyValueFile`` (loft-sh/devpod v0.7.0-alpha.34,
``pkg/devcontainer/config/parse.go``): one ``KEY=VALUE`` per line, split at the first ``=``,
nothing quoted or unescaped. So a value is written as it is, and these are refused (exit 2,
naming the secret) because no spelling carries them:

* an empty value (devpod rejects the whole file);
* a value with a line break (a value cannot span lines);
* a value ending in ``\\r`` (Go's line scanner drops it);
* a line over 65,535 bytes (the scanner stops there and devpod never checks its error, so
  every later variable would be dropped without a word).
"""

from __future__ import annotations

from collections.abc import Mapping

from sindri_core.plugin import ConfigError

__all__ = ["MAX_LINE_BYTES", "encode_env_file"]

MAX_LINE_BYTES = 64 * 1024 - 1  # bufio.MaxScanTokenSize holds a line and its newline


def _problem(line: str, value: str) -> str | None:
    if not value:
        return "devpod rejects an empty value"
    if "\n" in value:
        return "devpod reads one line per variable, and the value has a line break"
    if value.endswith("\r"):
        return "devpod drops a carriage return at the end of a value"
    if len(line.encode()) > MAX_LINE_BYTES:
        return f"devpod reads at most {MAX_LINE_BYTES} bytes per line"
    return None


def encode_env_file(values: Mapping[str, str]) -> str:
    """``KEY=VALUE`` lines devpod reads back exactly, in name order.

    :raises ConfigError: a value devpod's env file cannot carry (named, never shown).
    """
    lines = []
    for name, value in sorted(values.items()):
        line = f"{name}={value}"
        problem = _problem(line, value)
        if problem:
            raise ConfigError(
                f"secret {name} cannot be passed to devpod intact: {problem}",
                hint="give it a single-line, non-empty value (or remove it from secrets)",
            )
        lines.append(line + "\n")
    return "".join(lines)
