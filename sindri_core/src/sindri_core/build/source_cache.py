"""The on-disk cache of Sindri source checkouts, keyed by repository and commit SHA
(docs/IMAGE_MANAGEMENT.md).

Layout under ``cache_root()/sources/``::

    <slug>-<hash12>/            one directory per repository URL
        index.json              ref -> {commit, kind, resolved_at}; written atomically
        commits/<sha>/          an entry: complete, immutable, trusted when present
            tree/               the commit's files, without .git (the build context)
            meta.json           repository, commit, ref, files digest, size, fetch time
        tmp/<sha>.<random>/     work in progress, renamed to commits/<sha> when complete
        locks/<sha>.lock        flock per entry; locks/index.lock guards index.json

An entry only appears through ``rename(2)`` of a finished temporary directory, so a fetch
that is killed leaves at most a ``tmp/`` directory, which nothing trusts and the next run
removes once the entry's lock shows that its owner is gone. Tags and commit SHAs found in the
index are reused without network: tags are treated as immutable (a moved tag is picked up
with ``--refresh``). Branch resolutions are only a fallback for when the remote cannot be
reached. An entry's modification time is its last use, for ``sindri cache prune --older-than``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from sindri_core.build.locking import exclusive_lock, try_exclusive_lock
from sindri_core.build.refs import RefKind, is_commit_sha, redact_url
from sindri_core.cache_dir import cache_root

__all__ = [
    "CacheEntry",
    "CachedRef",
    "EntryInfo",
    "RepositoryCache",
    "cached_immutable_commit",
    "list_entries",
    "prune",
    "repositories",
    "sources_root",
]

INDEX_FORMAT = 1


def sources_root(root: Path | None = None) -> Path:
    return (root or cache_root()) / "sources"


@attrs.frozen
class CachedRef:
    """The last resolution of a ref: which commit it named, and when."""

    commit: str
    kind: RefKind
    resolved_at: float


@attrs.frozen
class CacheEntry:
    """A complete checkout of one commit."""

    path: Path
    commit: str

    @property
    def tree(self) -> Path:
        return self.path / "tree"

    def meta(self) -> dict[str, Any]:
        try:
            return json.loads((self.path / "meta.json").read_text())
        except (OSError, ValueError):
            return {}

    @property
    def files_digest(self) -> str | None:
        return self.meta().get("files_digest")

    @property
    def last_used(self) -> float:
        return self.path.stat().st_mtime

    def touch(self) -> None:
        with contextlib.suppress(OSError):  # a read-only cache still works, unrecorded
            os.utime(self.path)


class RepositoryCache:
    """The cache directory of one repository URL.

    :param path: the directory.
    :param repository: the URL exactly as configured (it may carry a token: it is hashed into
        the directory name and only its redacted form is written).
    """

    def __init__(self, path: Path, repository: str) -> None:
        self.path = path
        self.repository = repository

    @classmethod
    def for_repository(cls, repository: str, root: Path | None = None) -> RepositoryCache:
        return cls(sources_root(root) / repository_key(repository), repository)

    @classmethod
    def at(cls, path: Path) -> RepositoryCache:
        """The cache at ``path``, for listing and pruning (only the redacted URL is known)."""
        cache = cls(path, path.name)
        cache.repository = cache.index().get("repository", path.name)
        return cache

    # -- the ref index -----------------------------------------------------------------------

    @property
    def index_path(self) -> Path:
        return self.path / "index.json"

    def index(self) -> dict[str, Any]:
        try:
            data = json.loads(self.index_path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) and data.get("format") == INDEX_FORMAT else {}

    def lookup(self, ref: str) -> CachedRef | None:
        record = self.index().get("refs", {}).get(ref)
        try:
            return CachedRef(record["commit"], RefKind(record["kind"]), record["resolved_at"])
        except (TypeError, KeyError, ValueError):
            return None

    def refs(self) -> dict[str, CachedRef]:
        return {
            name: cached
            for name in self.index().get("refs", {})
            if (cached := self.lookup(name)) is not None
        }

    def record(self, ref: str, commit: str, kind: RefKind) -> None:
        """Remember that ``ref`` named ``commit`` now."""
        record = {"commit": commit, "kind": kind.value, "resolved_at": time.time()}
        self._update_refs(lambda refs: {**refs, ref: record})

    def forget(self, commit: str) -> None:
        """Drop the refs that name ``commit`` (its entry is gone)."""
        self._update_refs(lambda refs: {n: r for n, r in refs.items() if r["commit"] != commit})

    def _update_refs(self, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """Read-modify-write of the index under its lock, replaced atomically."""
        with exclusive_lock(self.path / "locks" / "index.lock"):
            data = self.index() or {"format": INDEX_FORMAT, "refs": {}}
            data["repository"] = redact_url(self.repository)
            data["refs"] = change(data.get("refs", {}))
            _write_atomically(self.index_path, json.dumps(data, indent=2, sort_keys=True))

    # -- entries -----------------------------------------------------------------------------

    def entry(self, commit: str) -> CacheEntry | None:
        path = self.path / "commits" / commit
        return CacheEntry(path, commit) if (path / "tree").is_dir() else None

    def entries(self) -> list[CacheEntry]:
        commits = self.path / "commits"
        if not commits.is_dir():
            return []
        return [CacheEntry(p, p.name) for p in sorted(commits.iterdir()) if p.is_dir()]

    @contextlib.contextmanager
    def locked(self, commit: str, *, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold the lock of ``commit``'s entry; leftovers of killed fetches of it are removed
        first (whoever made them cannot be running: we hold their lock)."""
        with exclusive_lock(self._lock_path(commit), on_wait=on_wait):
            for stale in self._temps(commit):
                shutil.rmtree(stale, ignore_errors=True)
            yield

    def new_temp(self, commit: str) -> Path:
        """A fresh work directory; only call it while holding ``locked(commit)``."""
        path = self.path / "tmp" / f"{commit}.{secrets.token_hex(4)}"
        path.mkdir(parents=True)
        return path

    def publish(self, temp: Path, commit: str) -> CacheEntry:
        """Make a finished work directory the entry of ``commit``, atomically."""
        target = self.path / "commits" / commit
        target.parent.mkdir(parents=True, exist_ok=True)
        temp.rename(target)
        return CacheEntry(target, commit)

    def remove(self, entry: CacheEntry) -> None:
        """Delete an entry: renamed out of ``commits/`` first, so it is never half-trusted."""
        with self.locked(entry.commit):
            if not entry.path.is_dir():
                return
            doomed = self.path / "tmp" / f"{entry.commit}.{secrets.token_hex(4)}"
            doomed.parent.mkdir(parents=True, exist_ok=True)
            entry.path.rename(doomed)
            shutil.rmtree(doomed, ignore_errors=True)

    def clean_stale_temps(self) -> list[Path]:
        """Remove work directories whose owner is gone (its entry lock is free)."""
        removed: list[Path] = []
        for commit in sorted({p.name.split(".", 1)[0] for p in self._temps()}):
            with try_exclusive_lock(self._lock_path(commit)) as free:
                if not free:
                    continue
                for stale in self._temps(commit):
                    shutil.rmtree(stale, ignore_errors=True)
                    removed.append(stale)
        return removed

    def _temps(self, commit: str | None = None) -> list[Path]:
        tmp = self.path / "tmp"
        if not tmp.is_dir():
            return []
        prefix = f"{commit}." if commit else ""
        return [path for path in tmp.iterdir() if path.name.startswith(prefix)]

    def _lock_path(self, commit: str) -> Path:
        return self.path / "locks" / f"{commit}.lock"


def repository_key(repository: str) -> str:
    """``<readable slug>-<hash12>`` of a URL; the slug never contains credentials."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", redact_url(repository).split("://", 1)[-1])
    slug = slug.replace("***@", "").strip("-.")[:48] or "repository"
    digest = hashlib.sha256(repository.encode()).hexdigest()[:12]
    return f"{slug}-{digest}"


def repositories(root: Path | None = None) -> list[RepositoryCache]:
    """Every repository cache under ``root`` (default: the user's cache)."""
    base = sources_root(root)
    if not base.is_dir():
        return []
    return [RepositoryCache.at(p) for p in sorted(base.iterdir()) if p.is_dir()]


def cached_immutable_commit(repository: str, ref: str, root: Path | None = None) -> str | None:
    """The commit a tag or commit SHA names, if it is cached: no network, no git process."""
    cache = RepositoryCache.for_repository(repository, root)
    if is_commit_sha(ref):
        return ref if cache.entry(ref) is not None else None
    cached = cache.lookup(ref)
    if cached is None or cached.kind is not RefKind.TAG or cache.entry(cached.commit) is None:
        return None
    return cached.commit


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    temp.write_text(text)
    temp.replace(path)


# -- seeing and cleaning the cache (`sindri cache list|prune`) -----------------------------------


@attrs.frozen
class EntryInfo:
    """One cached checkout, as ``sindri cache list`` shows it."""

    repository: str
    commit: str
    refs: tuple[str, ...]
    path: Path
    size: int | None
    fetched_at: str | None
    last_used: float

    def to_json(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            "commit": self.commit,
            "refs": list(self.refs),
            "path": str(self.path),
            "bytes": self.size,
            "fetched_at": self.fetched_at,
            "last_used": _iso(self.last_used),
        }


def list_entries(root: Path | None = None) -> list[EntryInfo]:
    """Every cached checkout, with the refs that last resolved to it."""
    infos: list[EntryInfo] = []
    for cache in repositories(root):
        refs = cache.refs()
        for entry in cache.entries():
            meta = entry.meta()
            infos.append(
                EntryInfo(
                    repository=cache.repository,
                    commit=entry.commit,
                    refs=tuple(sorted(n for n, r in refs.items() if r.commit == entry.commit)),
                    path=entry.tree,
                    size=meta.get("bytes"),
                    fetched_at=meta.get("fetched_at"),
                    last_used=entry.last_used,
                )
            )
    return infos


def prune(
    *,
    everything: bool = False,
    unused_for: float | None = None,
    dry_run: bool = False,
    root: Path | None = None,
) -> list[EntryInfo]:
    """Remove cached checkouts; returns what was (with ``dry_run``: would be) removed.

    :param everything: every checkout.
    :param unused_for: checkouts not used for this many seconds.
    Neither: checkouts no ref names any more (a branch moved on). Leftovers of killed fetches
    are always removed (never with ``dry_run``).
    """
    now = time.time()
    doomed = [
        info
        for info in list_entries(root)
        if everything
        or (unused_for is not None and now - info.last_used > unused_for)
        or (unused_for is None and not info.refs)
    ]
    if dry_run:
        return doomed
    caches = {cache.path: cache for cache in repositories(root)}
    for info in doomed:
        entry = CacheEntry(info.path.parent, info.commit)  # info.path is <entry>/tree
        cache = caches[entry.path.parent.parent]  # <repository>/commits/<entry>
        cache.remove(entry)
        cache.forget(info.commit)
    for cache in caches.values():
        cache.clean_stale_temps()
    return doomed


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds")
