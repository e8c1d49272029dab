"""Value rules a pattern cannot state, checked while the configuration is validated.

A field names its rule with ``setting(check=...)``; :func:`~sindri_core.config.schema.check`
calls it with the field's value and the plain data of the mapping that holds it, after the
type and pattern checks, and turns a :class:`ConfigError` it raises into one located at the
value (file:line:column). So ``config validate`` rejects exactly what ``plan`` and ``deploy``
would: the rules call the same parsers those commands use (image references, semver ranges,
tags), imported only when a field that needs them is present.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from sindri_core.errors import ConfigError

__all__ = [
    "MAX_CPUS",
    "MAX_MEMORY_MB",
    "MIN_MEMORY_MB",
    "container_path",
    "image_reference",
    "memory_size",
    "repository",
    "version_for_strategy",
]

MIN_MEMORY_MB = 6  # the smallest memory limit the Docker engine accepts
MAX_MEMORY_MB = 1024 * 1024  # 1 TiB: beyond any machine a dev environment runs on
MAX_CPUS = 512

# The ranges most configurations hold (^3.1.0, ~3.1, >=3.2, 3.1.4): one operator and up to
# three numbers, none with a leading zero and each below 2**53 even after ^ or ~ raises it.
# Every such text is a range image.semver accepts (tests/core/test_config_properties.py), so
# validation need not import that parser, and compile its patterns, to know it.
_PLAIN_RANGE = re.compile(
    r"(?:<=|>=|[~^=<>])?(?:0|[1-9][0-9]{0,14})(?:\.(?:0|[1-9][0-9]{0,14})){0,2}"
)


def image_reference(value: str, siblings: Mapping[str, Any]) -> None:
    from sindri_core.image.reference import ImageReference

    ImageReference.parse(value)


def repository(value: str, siblings: Mapping[str, Any]) -> None:
    from sindri_core.image.reference import ImageReference

    ImageReference.parse_repository(value)


def version_for_strategy(value: str, siblings: Mapping[str, Any]) -> None:
    """``version`` is a semver range for ``semver`` and the tag itself for ``explicit``;
    unused (and unchecked, as by ``plan``) when a digest or tag_override wins over it."""
    if siblings.get("digest") or siblings.get("tag_override"):
        return
    strategy = siblings.get("resolution_strategy", "semver")
    if strategy == "explicit":
        from sindri_core.image.reference import validate_tag

        problem = validate_tag(value)
        if problem:
            raise ConfigError(f"{problem} (explicit: the version is the tag)")
    elif strategy == "semver":
        if value.strip().lower() in _NOT_RANGES:
            # The Rust tool's habit: `version: latest` meant the newest image.
            raise ConfigError(
                f"{value!r} is not a version range",
                hint="for the newest release write resolution_strategy: latest-stable (version "
                "is then not needed), or a range such as '^3.2' or '*'",
            )
        if _PLAIN_RANGE.fullmatch(value):
            return
        from sindri_core.image.semver import Range

        Range.parse(value)


_NOT_RANGES = ("latest", "stable", "latest-stable", "newest")


def container_path(value: str, siblings: Mapping[str, Any]) -> None:
    """An absolute path inside the environment, other than ``/``, without ``..`` or control
    characters (a newline would split the line a provider writes it into)."""
    if any(ord(c) < 32 or c == "\x7f" for c in value):
        raise ConfigError(f"{value!r} contains a control character")
    path = PurePosixPath(value)
    if not path.is_absolute():
        raise ConfigError(f"{value!r} is not an absolute path; write it from / on")
    if path == PurePosixPath("/"):
        raise ConfigError("'/' is the whole file system; name a directory below it")
    if ".." in path.parts:
        raise ConfigError(f"{value!r} contains '..'; write the path without it")


def memory_size(value: str, siblings: Mapping[str, Any]) -> None:
    from sindri_core.config.model import size_to_mb

    megabytes = size_to_mb(value)
    if not MIN_MEMORY_MB <= megabytes <= MAX_MEMORY_MB:
        raise ConfigError(
            f"{value!r} is out of range; allowed: {MIN_MEMORY_MB}MB to {MAX_MEMORY_MB // 1024}GB"
        )
