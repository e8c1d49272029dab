"""Git refs and repository URLs of the Sindri sources: what kind a ref is, and checks that keep
a configured value from being read by ``git`` as an option or from leaking credentials.
"""

from __future__ import annotations

import enum
import re
from urllib.parse import urlsplit, urlunsplit

from sindri_core.errors import ConfigError

__all__ = [
    "FALLBACK_FIELD",
    "REF_FIELD",
    "REPOSITORY_FIELD",
    "RefKind",
    "is_commit_sha",
    "redact_url",
    "sindri_version_for",
    "validate_ref",
    "validate_repository",
]

REF_FIELD = "deployment.buildFromSource.gitRef"
FALLBACK_FIELD = "deployment.buildFromSource.fallbackRef"
REPOSITORY_FIELD = "deployment.buildFromSource.repository"

_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1 and SHA-256 object names
_VERSION_TAG = re.compile(
    r"v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?"
)
# git check-ref-format, minus what cannot occur once the leading '-' and whitespace are refused.
_BAD_REF = re.compile(r"\.\.|@\{|[\x00-\x20\x7f~^:?*\[\\]|//|/\.|^\.|\.lock$|/$|\.$|^@$")


class RefKind(str, enum.Enum):
    """What a ref named; decides whether a cached resolution may be reused offline."""

    BRANCH = "branch"  # moves: re-resolved on every fetch
    TAG = "tag"  # immutable by policy: reused without network
    COMMIT = "commit"  # immutable: reused without network


def is_commit_sha(ref: str) -> bool:
    """A full (40- or 64-hex) commit SHA: fetched by SHA, never looked up as a name."""
    return _SHA.fullmatch(ref) is not None


def validate_ref(ref: str, field: str = REF_FIELD) -> str:
    """Refuse refs git would reject, and any ref that could be read as a command-line option.

    :raises ConfigError: names the field and the value.
    """
    if not ref or ref.startswith("-") or _BAD_REF.search(ref):
        raise ConfigError(
            f"{ref!r} is not a valid git branch, tag or full commit SHA",
            path=field,
            hint="use a name such as v3 or v3.1.4, or a 40-hex commit SHA",
        )
    return ref


def validate_repository(url: str, field: str = REPOSITORY_FIELD) -> str:
    """Refuse empty URLs and values starting with ``-`` (git would take them as options).

    :raises ConfigError: names the field and the (redacted) value.
    """
    if not url.strip() or url.startswith("-") or any(c in url for c in "\r\n\0"):
        raise ConfigError(
            f"{redact_url(url)!r} is not a git repository URL",
            path=field,
            hint="use an https://, ssh://, git:// or file:// URL",
        )
    return url


def redact_url(url: str) -> str:
    """``url`` without a password or token, for messages, ``--json`` and the cache index."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None and not (parts.username and parts.scheme in ("http", "https")):
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, parts.fragment))


def sindri_version_for(ref: str | None, kind: RefKind | None, cli_version: str) -> str:
    """``SINDRI_VERSION``: the tag without a leading ``v`` when the sources are a version tag
    (``v3.1.4`` → ``3.1.4``), else the CLI's version."""
    if ref is not None and kind is RefKind.TAG and _VERSION_TAG.fullmatch(ref):
        return ref.removeprefix("v")
    return cli_version
