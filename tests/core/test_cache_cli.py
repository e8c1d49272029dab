"""``sindri cache list|prune`` over real cached checkouts (fetched from a local git daemon) and
tag-list files."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from sindri_core.build.source_cache import RepositoryCache
from tests.support.fetch_driver import fetch_sources

DAY = 86400


def _tag_list(name: str, age: float) -> Path:
    directory = Path(os.environ["SINDRI_CACHE_DIR"]) / "tags"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    document = {"registry": "ghcr.io", "repository": name, "fetched_at": time.time() - age}
    path.write_text(json.dumps({**document, "tags": ["1.0.0", "1.1.0"]}))
    return path


@pytest.fixture
def moved_branch(sindri_sources):
    """Entries for v3 before and after it moved (the old one is named by no ref), and v3.1.0."""
    old = fetch_sources(sindri_sources.url, "v3")
    sindri_sources.commit({"v3/README": "moved\n"})
    new = fetch_sources(sindri_sources.url, "v3")
    tag = fetch_sources(sindri_sources.url, "v3.1.0")
    return old, new, tag


def test_list_shows_each_checkout_with_the_refs_that_name_it(moved_branch, sindri_cli):
    old, new, tag = moved_branch

    listed = sindri_cli("cache", "list", "--json")
    text = sindri_cli("cache", "list")

    assert listed.exit_code == 0, listed.stderr
    refs = {entry["commit"]: entry["refs"] for entry in listed.json()["sources"]}
    assert refs == {old.commit: [], new.commit: ["v3"], tag.commit: ["v3.1.0"]}
    entry = next(e for e in listed.json()["sources"] if e["commit"] == tag.commit)
    assert entry["path"] == str(tag.context_dir) and entry["bytes"] > 0
    assert f"{old.commit[:12]}  [no ref (prunable)]" in text.stdout


def test_prune_removes_checkouts_no_ref_names_and_dry_run_removes_nothing(moved_branch, sindri_cli):
    old, new, tag = moved_branch

    dry = sindri_cli("cache", "prune", "--dry-run", "--json")
    assert [e["commit"] for e in dry.json()["sources"]] == [old.commit]
    assert old.context_dir.exists()

    pruned = sindri_cli("cache", "prune")

    assert pruned.exit_code == 0, pruned.stderr
    assert f"removed source {old.source.shown_repository} {old.commit[:12]}" in pruned.stdout
    assert not old.context_dir.exists()
    assert new.context_dir.exists() and tag.context_dir.exists()


def test_prune_older_than_removes_checkouts_unused_for_that_long(moved_branch, sindri_cli):
    old, _, tag = moved_branch
    long_ago = time.time() - 10 * DAY
    os.utime(tag.context_dir.parent, (long_ago, long_ago))

    pruned = sindri_cli("cache", "prune", "--older-than", "7", "--json")

    assert [e["commit"] for e in pruned.json()["sources"]] == [tag.commit]
    assert not tag.context_dir.exists() and old.context_dir.exists()
    assert RepositoryCache.for_repository(tag.source.repository).lookup("v3.1.0") is None


def test_a_pruned_tag_is_fetched_again(moved_branch, sindri_cli, sindri_sources):
    _, _, tag = moved_branch
    sindri_cli("cache", "prune", "--all")

    again = fetch_sources(sindri_sources.url, "v3.1.0")

    assert again.commit == tag.commit and not again.reused
    assert (again.context_dir / "v3" / "README").read_text() == "tagged\n"


def test_prune_all_removes_every_checkout_and_tag_list(moved_branch, sindri_cli):
    fresh = _tag_list("fresh", age=0)

    pruned = sindri_cli("cache", "prune", "--all", "--json")
    listed = sindri_cli("cache", "list", "--json").json()

    assert len(pruned.json()["sources"]) == 3 and not fresh.exists()
    assert listed["sources"] == [] and listed["tag_lists"] == []


def test_prune_removes_tag_lists_past_their_time_to_live(sindri_cli):
    stale, fresh = _tag_list("stale", age=3600), _tag_list("fresh", age=0)

    listed = sindri_cli("cache", "list", "--json").json()["tag_lists"]
    pruned = sindri_cli("cache", "prune")

    assert {t["repository"] for t in listed} == {"stale", "fresh"}
    assert "removed tag list ghcr.io/stale" in pruned.stdout
    assert not stale.exists() and fresh.exists()


def test_all_and_older_than_exclude_each_other(sindri_cli):
    result = sindri_cli("cache", "prune", "--all", "--older-than", "3")

    assert result.exit_code == 2 and "exclude each other" in result.stderr


def test_an_empty_cache_lists_as_empty(sindri_cli):
    result = sindri_cli("cache", "list")

    assert result.exit_code == 0
    assert result.stdout.splitlines() == [f"Cache: {os.environ['SINDRI_CACHE_DIR']}", "  (empty)"]
