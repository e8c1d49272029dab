"""Fetching the Sindri sources with ``git`` into the source cache (docs/IMAGE_MANAGEMENT.md).

Unlike the tool this replaces, a branch is re-resolved on every fetch (``git ls-remote``), a
commit SHA is fetched by SHA and never swapped for another ref, a missing ref is an error
unless a fallback ref is configured (and then the fallback is reported and cached under its
own commit), and a fetch is built in a temporary directory and published by ``rename`` under
a per-entry lock, so concurrent and killed fetches leave the cache consistent.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import attrs

from sindri_core.build.fingerprint import context_digest
from sindri_core.build.refs import (
    FALLBACK_FIELD,
    REF_FIELD,
    RefKind,
    is_commit_sha,
    redact_url,
)
from sindri_core.build.source_cache import CachedRef, CacheEntry, RepositoryCache
from sindri_core.errors import ConfigError, ExternalCommandError, OperationError
from sindri_core.output import Console
from sindri_core.runner import CommandResult, CommandRunner

__all__ = ["SOURCE_DOCKERFILE", "FetchedSource", "GitFetcher"]

SOURCE_DOCKERFILE = "v3/Dockerfile"
GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",  # fail instead of asking for a password nobody will type
    "GIT_ALLOW_PROTOCOL": "file:git:http:https:ssh",  # never ext:: or other helpers
}
LS_REMOTE_TIMEOUT = 60.0
FETCH_TIMEOUT = 900.0
LOCAL_TIMEOUT = 60.0
MOVE_RETRIES = 3
_ABBREVIATED_SHA = re.compile(r"[0-9a-f]{4,39}")


@attrs.frozen
class FetchedSource:
    """A checkout in the cache and how it was obtained.

    :param requested_ref: the configured ref.
    :param ref: the ref actually used (the fallback ref when the requested one is missing).
    :param reused: no clone was needed (an existing entry).
    """

    repository: str
    requested_ref: str
    ref: str
    kind: RefKind
    commit: str
    entry: CacheEntry
    reused: bool

    @property
    def fell_back(self) -> bool:
        return self.ref != self.requested_ref


class _Moved(Exception):
    """The branch moved between ``ls-remote`` and the clone: resolve again."""


class GitFetcher:
    """Resolves refs and materialises commits of one repository in the cache."""

    def __init__(
        self,
        repository: str,
        *,
        runner: CommandRunner,
        console: Console,
        root: Path | None = None,
    ) -> None:
        self.repository = repository
        self.shown = redact_url(repository)
        self.runner = runner
        self.console = console
        self.cache = RepositoryCache.for_repository(repository, root)

    def fetch(
        self, ref: str, *, fallback_ref: str | None = None, refresh: bool = False
    ) -> FetchedSource:
        """The checkout of ``ref``, from the cache when allowed, else fetched.

        :param refresh: re-resolve tags too (tags are otherwise trusted to never move).
        :raises ConfigError: the ref (and the fallback) does not exist in the repository, or
            the checkout has no ``v3/Dockerfile``.
        :raises OperationError: git failed or the repository cannot be reached.
        """
        self.cache.clean_stale_temps()
        fetched = self._fetch_ref(ref, refresh)
        if fetched is not None:
            return fetched
        if fallback_ref is None:
            what = "commit" if is_commit_sha(ref) else "git ref"
            hint = f"use an existing branch, tag or full commit SHA, or set {FALLBACK_FIELD}"
            if _ABBREVIATED_SHA.fullmatch(ref):
                hint = "a commit SHA must be written in full (40 hex digits)"
            raise ConfigError(
                f"{what} {ref!r} does not exist in {self.shown}", path=REF_FIELD, hint=hint
            )
        self.console.warn(
            f"git ref {ref!r} does not exist in {self.shown}; using {FALLBACK_FIELD} "
            f"{fallback_ref!r} instead"
        )
        fetched = self._fetch_ref(fallback_ref, refresh)
        if fetched is None:
            raise ConfigError(
                f"neither git ref {ref!r} nor the fallback {fallback_ref!r} exists in {self.shown}",
                path=FALLBACK_FIELD,
            )
        return attrs.evolve(fetched, requested_ref=ref)

    # -- resolution ----------------------------------------------------------------------------

    def _fetch_ref(self, ref: str, refresh: bool) -> FetchedSource | None:
        if is_commit_sha(ref):
            return self._by_commit(ref)
        cached = self.cache.lookup(ref)
        if cached is not None and cached.kind is RefKind.TAG and not refresh:
            entry = self.cache.entry(cached.commit)
            if entry is not None:  # no network, no git, no write
                return self._reuse(ref, cached.kind, entry)
        for _ in range(MOVE_RETRIES):
            try:
                remote = self._ls_remote(ref)
            except ExternalCommandError as exc:
                return self._offline(ref, cached, exc)
            if remote is None:
                return None
            kind, commit = remote
            entry = self.cache.entry(commit)
            if entry is not None:
                return self._done(ref, kind, entry, True)
            try:
                made = self._materialise(commit, ref, kind)
            except _Moved:
                continue
            assert made is not None  # only commit fetches can find nothing
            return self._done(ref, kind, *made)
        raise OperationError(
            f"{ref!r} in {self.shown} moved {MOVE_RETRIES} times while it was being fetched; "
            "try again"
        )

    def _by_commit(self, commit: str) -> FetchedSource | None:
        entry = self.cache.entry(commit)
        if entry is not None:
            return self._reuse(commit, RefKind.COMMIT, entry)
        made = self._materialise(commit, commit, RefKind.COMMIT)
        return None if made is None else self._done(commit, RefKind.COMMIT, *made)

    def _offline(
        self, ref: str, cached: CachedRef | None, error: ExternalCommandError
    ) -> FetchedSource:
        entry = self.cache.entry(cached.commit) if cached is not None else None
        if cached is None or entry is None:
            raise OperationError(str(error), hint=f"check that {self.shown} is reachable")
        when = dt.datetime.fromtimestamp(cached.resolved_at).isoformat(timespec="seconds")
        self.console.warn(
            f"cannot reach {self.shown} to re-resolve {cached.kind.value} {ref!r}; using the "
            f"cached commit {entry.commit[:12]} it named at {when}"
        )
        return self._reuse(ref, cached.kind, entry)

    def _done(self, ref: str, kind: RefKind, entry: CacheEntry, reused: bool) -> FetchedSource:
        """A resolution from the remote: remembered in the index."""
        self.cache.record(ref, entry.commit, kind)
        return self._reuse(ref, kind, entry, reused)

    def _reuse(
        self, ref: str, kind: RefKind, entry: CacheEntry, reused: bool = True
    ) -> FetchedSource:
        entry.touch()
        return FetchedSource(self.repository, ref, ref, kind, entry.commit, entry, reused)

    def _ls_remote(self, ref: str) -> tuple[RefKind, str] | None:
        """``(kind, commit)`` of a branch or tag; a branch wins over a tag of the same name,
        as ``git clone --branch`` decides. Annotated tags are peeled to their commit."""
        heads, tags = f"refs/heads/{ref}", f"refs/tags/{ref}"
        result = self._git(
            ["ls-remote", "--", self.repository, heads, tags, tags + "^{}"],
            LS_REMOTE_TIMEOUT,
            f"git ls-remote {self.shown}",
        )
        found: dict[str, str] = {}
        for line in result.stdout.splitlines():
            commit, _, name = line.partition("\t")
            found[name] = commit
        if heads in found:
            return RefKind.BRANCH, found[heads]
        tag = found.get(tags + "^{}") or found.get(tags)
        return (RefKind.TAG, tag) if tag else None

    # -- materialising an entry ------------------------------------------------------------------

    def _materialise(self, commit: str, ref: str, kind: RefKind) -> tuple[CacheEntry, bool] | None:
        """Clone ``commit`` into the cache under its lock: ``(entry, reused)``, where reused
        means another process made it while we waited; ``None`` if a SHA does not exist."""
        with self.cache.locked(commit, on_wait=lambda: self._waiting(ref)):
            entry = self.cache.entry(commit)
            if entry is not None:
                return entry, True
            temp = self.cache.new_temp(commit)
            try:
                tree = temp / "tree"
                self.console.step(f"Fetching {self.shown}@{ref}")
                if kind is RefKind.COMMIT:
                    if not self._fetch_commit(commit, tree):
                        return None
                else:
                    self._clone(ref, tree)
                head = self._git(["rev-parse", "HEAD"], LOCAL_TIMEOUT, "git rev-parse", cwd=tree)
                if head.stdout.strip() != commit:
                    raise _Moved()
                self._finish(tree, commit, ref, kind)
                return self.cache.publish(temp, commit), False
            finally:
                if temp.exists():
                    shutil.rmtree(temp, ignore_errors=True)

    def _waiting(self, ref: str) -> None:
        self.console.info(
            f"waiting for another sindri process fetching {self.shown}@{ref} to finish"
        )

    def _clone(self, ref: str, tree: Path) -> None:
        self._git(
            # `clone -c` applies to the checkout the clone makes: no detached-HEAD advice.
            [
                "clone",
                "-c",
                "advice.detachedHead=false",
                "--quiet",
                "--depth",
                "1",
                "--branch",
                ref,
                "--",
                self.repository,
                str(tree),
            ],
            FETCH_TIMEOUT,
            f"git clone {self.shown}@{ref}",
        )

    def _fetch_commit(self, commit: str, tree: Path) -> bool:
        """Fetch exactly ``commit``; ``False`` when the repository answers but lacks it."""
        object_format = "sha256" if len(commit) == 64 else "sha1"
        self._git(
            ["init", "--quiet", f"--object-format={object_format}", str(tree)],
            LOCAL_TIMEOUT,
            "git init",
        )
        what = f"git fetch {self.shown} {commit}"
        try:
            self._git(
                ["fetch", "--quiet", "--depth", "1", "--", self.repository, commit],
                FETCH_TIMEOUT,
                what,
                cwd=tree,
            )
        except ExternalCommandError:
            # A missing commit, or an unreachable repository? Only the latter fails ls-remote.
            self._git(["ls-remote", "--", self.repository, "HEAD"], LS_REMOTE_TIMEOUT, what)
            return False
        self._git(
            ["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit],
            LOCAL_TIMEOUT,
            "git checkout",
            cwd=tree,
        )
        return True

    def _finish(self, tree: Path, commit: str, ref: str, kind: RefKind) -> None:
        dockerfile = tree / SOURCE_DOCKERFILE
        if not dockerfile.is_file():
            raise ConfigError(
                f"{self.shown}@{ref} (commit {commit[:12]}) has no {SOURCE_DOCKERFILE}",
                path=REF_FIELD,
                hint="point gitRef and repository at the Sindri v3 sources",
            )
        # The commit's files are the context; .git would make the fingerprint depend on how
        # the commit was fetched.
        shutil.rmtree(tree / ".git")
        meta = {
            "repository": self.shown,
            "commit": commit,
            "ref": ref,
            "kind": kind.value,
            "fetched_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "files_digest": context_digest(tree, dockerfile),
            "bytes": sum(p.lstat().st_size for p in tree.rglob("*")),
        }
        (tree.parent / "meta.json").write_text(json.dumps(meta, indent=2))

    # -- running git -------------------------------------------------------------------------------

    def _git(
        self, args: list[str], timeout: float, what: str, *, cwd: Path | None = None
    ) -> CommandResult:
        try:
            result = self.runner.run(
                ["git", *args], timeout=timeout, env=GIT_ENV, cwd=cwd, check=False
            )
        except ExternalCommandError as exc:  # git missing, or timed out
            raise ExternalCommandError(self._clean(f"{what}: {exc}")) from None
        if not result.ok:
            raise ExternalCommandError(self._clean(f"{what} failed: {result.last_lines()}"))
        return result

    def _clean(self, text: str) -> str:
        """Error text without the repository's credentials."""
        return text.replace(self.repository, self.shown)
