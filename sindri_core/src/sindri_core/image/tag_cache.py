"""A short-lived on-disk cache of registry tag lists.

``plan`` followed by ``deploy`` (or ``image resolve`` then ``image versions``) would otherwise
list a repository's tags twice within seconds; on registries with thousands of tags and rate
limits that is the slow and costly part. Tag lists change rarely and the digest is always
read live, so a few minutes of staleness cannot pin a wrong image: at worst a tag published
in the last minutes is not seen until ``--refresh`` or expiry.

Files live in ``<cache root>/tags/<sha256 of registry/repository>.json`` and are replaced
atomically, so concurrent runs never read a half-written list. An unreadable file is a miss.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import attrs

from sindri_core.cache_dir import cache_root
from sindri_core.errors import UsageError

__all__ = ["DEFAULT_TTL", "TTL_ENV", "TagList", "cached_tags", "tag_cache_dir"]

log = logging.getLogger(__name__)

TTL_ENV = "SINDRI_TAG_CACHE_TTL"
DEFAULT_TTL = 300.0


@attrs.frozen
class TagList:
    """Tags of one repository and where they came from.

    :param age: seconds since the registry was asked (0 for a fresh listing).
    """

    tags: tuple[str, ...]
    from_cache: bool
    age: float = 0.0

    def describe(self) -> str:
        if self.from_cache:
            return f"tag list from the cache (listed {self.age:.0f}s ago)"
        return "tag list fetched from the registry"


def tag_cache_dir() -> Path:
    return cache_root() / "tags"


def ttl() -> float:
    """``SINDRI_TAG_CACHE_TTL`` seconds (``0`` disables the cache), default 300."""
    value = os.environ.get(TTL_ENV)
    if value is None or value == "":
        return DEFAULT_TTL
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if seconds < 0:
        raise UsageError(f"{TTL_ENV}={value!r}: expected a number of seconds >= 0")
    return seconds


def _path(registry: str, repository: str) -> Path:
    key = hashlib.sha256(f"{registry}/{repository}".encode()).hexdigest()
    return tag_cache_dir() / f"{key}.json"


def _read(path: Path, registry: str, repository: str, max_age: float) -> TagList | None:
    try:
        document = json.loads(path.read_text())
        fetched = float(document["fetched_at"])
        tags = document["tags"]
        same = (document["registry"], document["repository"]) == (registry, repository)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    age = time.time() - fetched
    if not same or not isinstance(tags, list) or not 0 <= age <= max_age:
        return None
    return TagList(tuple(str(t) for t in tags), from_cache=True, age=age)


def _write(path: Path, registry: str, repository: str, tags: tuple[str, ...]) -> None:
    document = {
        "registry": registry,
        "repository": repository,
        "fetched_at": time.time(),
        "tags": list(tags),
    }
    # A read-only or full cache directory costs a re-list next time, nothing more.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tags-", suffix=".tmp")
    except OSError as exc:
        log.debug("cannot write tag cache %s: %s", path, exc)
        return
    try:
        with os.fdopen(descriptor, "w") as handle:
            json.dump(document, handle)
        Path(temporary).replace(path)
    except OSError as exc:
        log.debug("cannot write tag cache %s: %s", path, exc)
        Path(temporary).unlink(missing_ok=True)


def cached_tags(
    registry: str,
    repository: str,
    fetch: Callable[[], list[str]],
    *,
    refresh: bool = False,
) -> TagList:
    """The tags of ``registry/repository``: from the cache when younger than the TTL and
    ``refresh`` is false, else from ``fetch()`` (and then cached)."""
    max_age = ttl()
    path = _path(registry, repository)
    if max_age > 0 and not refresh:
        hit = _read(path, registry, repository, max_age)
        if hit is not None:
            return hit
    tags = tuple(fetch())
    if max_age > 0:
        _write(path, registry, repository, tags)
    return TagList(tags, from_cache=False)
