"""A short-lived on-disk cache of registry tag lists and the digests of chosen tags.

``plan`` followed by ``deploy`` (or ``image resolve`` then ``image versions``) would otherwise
list a repository's tags twice within seconds; on registries with thousands of tags and rate
limits that is the slow and costly part. The manifest digest a tag was pinned to is stored
next to the list and lives exactly as long (same TTL, ``--refresh`` bypasses both), so a
resolve inside the TTL sends no request at all. Within those few minutes a tag that was
re-pushed is still pinned to the digest read before: the answer is always a digest the tag
really named, and ``--refresh`` (or ``SINDRI_TAG_CACHE_TTL=0``) reads it live.

Files live in ``<cache root>/tags/<crc32 of registry/repository>.json`` and are replaced
atomically, so concurrent runs never read a half-written list. An unreadable file is a miss.
Each file names its registry and repository and is checked on read, so two repositories
sharing a name cost a re-list, never a wrong answer; CRC-32 (already loaded, unlike hashlib
and its OpenSSL) keeps that out of a warm resolve's start-up.

What the cache holds is trusted as if the registry had said it, for the TTL: so it is used
only where only the user could have written it, as ssh treats ``~/.ssh``. A cache directory
or file not owned by the user, or writable by others, is ignored with a warning (a re-list
costs a few requests; a planted tag list would choose the image). Files are read without
following a link or blocking, at most :data:`MAX_CACHE_BYTES`, with at most :data:`MAX_TAGS`
tags, the registry path's own limit.
"""

from __future__ import annotations

import binascii
import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

import attrs

from sindri_core.cache_dir import cache_root
from sindri_core.errors import UsageError
from sindri_core.image.reference import validate_digest

__all__ = [
    "DEFAULT_TTL",
    "MAX_CACHE_BYTES",
    "MAX_TAGS",
    "TTL_ENV",
    "TagList",
    "cached_tags",
    "pinned_digest",
    "remember_digest",
    "tag_cache_dir",
]


TTL_ENV = "SINDRI_TAG_CACHE_TTL"
DEFAULT_TTL = 300.0
MAX_TAGS = 200_000  # tags in one list, from a registry or from the cache
MAX_CACHE_BYTES = 32 * 1024 * 1024  # MAX_TAGS tags of 128 characters, and digests
_warned: set[str] = set()


@attrs.frozen
class TagList:
    """Tags of one repository and where they came from.

    :param age: seconds since the registry was asked (0 for a fresh listing).
    :param digests: manifest digests read for some of the tags since that listing.
    """

    tags: tuple[str, ...]
    from_cache: bool
    age: float = 0.0
    digests: dict[str, str] = attrs.field(factory=dict, eq=False)

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
    key = binascii.crc32(f"{registry}/{repository}".encode())
    return tag_cache_dir() / f"{key:08x}.json"


def _untrusted(what: Path, info: os.stat_result) -> str | None:
    """Why a cache file or directory may hold what someone else wrote; ``None`` if it cannot."""
    if info.st_uid != os.getuid():
        return f"it belongs to user id {info.st_uid}, not to you"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "others can write to it"
    return None


def _warn_once(what: Path, reason: str) -> None:
    if str(what) in _warned:
        return
    _warned.add(str(what))
    from sindri_core.output import Console

    Console().warn(
        f"ignoring the tag cache {what}: {reason} (make it yours and not writable by others, "
        "or point SINDRI_CACHE_DIR elsewhere); listing the registry instead"
    )


def _trusted_directory(directory: Path) -> bool:
    try:
        info = directory.stat()
    except OSError:
        return True  # nothing there yet: a writer creates it as the user
    reason = _untrusted(directory, info)
    if reason is not None:
        _warn_once(directory, reason)
    return reason is None


def _read_bytes(path: Path) -> bytes | None:
    """The cache file's bytes: a regular file of the user's, read without following a link or
    blocking, at most :data:`MAX_CACHE_BYTES`; ``None`` otherwise."""
    if not _trusted_directory(path.parent):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        reason = _untrusted(path, info)
        if reason is not None:
            _warn_once(path, reason)
            return None
        data = handle.read(MAX_CACHE_BYTES + 1)
    return data if len(data) <= MAX_CACHE_BYTES else None


def _load(path: Path, registry: str, repository: str, max_age: float) -> dict | None:
    """The cache document of ``registry/repository`` while younger than ``max_age``."""
    try:
        document = json.loads(_read_bytes(path) or b"")
        age = time.time() - float(document["fetched_at"])
        same = (document["registry"], document["repository"]) == (registry, repository)
        valid = (
            isinstance(document["tags"], list)
            and len(document["tags"]) <= MAX_TAGS
            and isinstance(document.setdefault("digests", {}), dict)
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not same or not valid or not 0 <= age <= max_age:
        return None
    return document


def _read(path: Path, registry: str, repository: str, max_age: float) -> TagList | None:
    document = _load(path, registry, repository, max_age)
    if document is None:
        return None
    digests = {
        str(tag): digest
        for tag, digest in document["digests"].items()
        if isinstance(digest, str) and validate_digest(digest) is None
    }
    age = time.time() - float(document["fetched_at"])
    return TagList(tuple(map(str, document["tags"])), True, age, digests)


def _write(path: Path, registry: str, repository: str, tags: tuple[str, ...]) -> None:
    _store(
        path,
        {
            "registry": registry,
            "repository": repository,
            "fetched_at": time.time(),
            "tags": list(tags),
            "digests": {},
        },
    )


def _unwritable(path: Path, exc: OSError) -> None:
    import logging  # here: only a failed write logs, and a warm resolve writes nothing

    logging.getLogger(__name__).debug("cannot write tag cache %s: %s", path, exc)


def _store(path: Path, document: dict) -> None:
    import tempfile  # here: a warm resolve only reads the cache

    # A read-only or full cache directory costs a re-list next time, nothing more.
    if not _trusted_directory(path.parent):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tags-", suffix=".tmp")
    except OSError as exc:
        _unwritable(path, exc)
        return
    try:
        with os.fdopen(descriptor, "w") as handle:
            json.dump(document, handle)
        Path(temporary).replace(path)
    except OSError as exc:
        _unwritable(path, exc)
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


def remember_digest(registry: str, repository: str, tag: str, digest: str) -> None:
    """Store the digest ``tag`` was read to name, next to the tag list it was chosen from.

    It expires with that list (its ``fetched_at`` is kept); without a fresh list nothing is
    stored, so a digest never outlives the listing that made its tag the answer.
    """
    max_age = ttl()
    path = _path(registry, repository)
    document = _load(path, registry, repository, max_age) if max_age > 0 else None
    if document is None:
        return
    document["digests"][tag] = digest
    _store(path, document)


def pinned_digest(
    registry: str, repository: str, tag: str, read: Callable[[], str], *, refresh: bool = False
) -> tuple[str, float | None]:
    """The digest ``tag`` names, for a tag chosen without a listing (``tag_override``): from
    the cache when it was read within the TTL and ``refresh`` is false, with its age in
    seconds; else ``read()`` (then cached), with ``None``.

    It has a file of its own, keyed by ``repository:tag``: no tag list backs it.
    """
    max_age = ttl()
    key = f"{repository}:{tag}"
    path = _path(registry, key)
    if max_age > 0 and not refresh:
        document = _load(path, registry, key, max_age)
        digest = document["digests"].get(tag) if document is not None else None
        if isinstance(digest, str) and validate_digest(digest) is None:
            assert document is not None
            return digest, time.time() - float(document["fetched_at"])
    digest = read()
    if max_age > 0:
        document = {"registry": registry, "repository": key, "fetched_at": time.time()}
        _store(path, {**document, "tags": [], "digests": {tag: digest}})
    return digest, None
