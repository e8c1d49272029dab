"""``sindri cache``: see and clean the build-context and tag-list caches.

Neither command needs a ``sindri.yaml``: the caches belong to the user, not to a project.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from sindri_core.cli.main import emit_json, json_option

SECONDS_PER_DAY = 86400


@click.group("cache")
def cache() -> None:
    """See and clean sindri's caches (Sindri source checkouts, registry tag lists)."""


@cache.command("list")
@json_option
def list_command(as_json: bool) -> None:
    """List cached source checkouts and tag lists."""
    from sindri_core.build.source_cache import list_entries
    from sindri_core.cache_dir import cache_root

    sources = list_entries()
    tags = _tag_lists()
    if as_json:
        emit_json(
            {
                "root": str(cache_root()),
                "sources": [info.to_json() for info in sources],
                "tag_lists": [{k: v for k, v in t.items() if k != "file"} for t in tags],
            }
        )
        return
    click.echo(f"Cache: {cache_root()}")
    if not sources and not tags:
        click.echo("  (empty)")
    for info in sources:
        refs = ", ".join(info.refs) or "no ref (prunable)"
        click.echo(f"  source  {info.repository} {info.commit[:12]}  [{refs}]  {_size(info.size)}")
    for tag_list in tags:
        click.echo(
            f"  tags    {tag_list['registry']}/{tag_list['repository']}  "
            f"{tag_list['count']} tags, listed {tag_list['age_seconds']:.0f}s ago"
        )


@cache.command("prune")
@click.option("--all", "everything", is_flag=True, help="Remove everything cached.")
@click.option(
    "--older-than",
    type=click.FloatRange(min=0),
    metavar="DAYS",
    help="Remove source checkouts not used for DAYS days.",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@json_option
def prune_command(everything: bool, older_than: float | None, dry_run: bool, as_json: bool) -> None:
    """Remove cached checkouts and tag lists.

    By default: source checkouts no ref names any more (a branch moved on), tag lists past
    their time to live, and leftovers of interrupted fetches.
    """
    from sindri_core.build.source_cache import prune
    from sindri_core.errors import UsageError
    from sindri_core.image.tag_cache import ttl

    if everything and older_than is not None:
        raise UsageError("--all and --older-than exclude each other")
    unused_for = older_than * SECONDS_PER_DAY if older_than is not None else None
    removed = prune(everything=everything, unused_for=unused_for, dry_run=dry_run)
    max_age = unused_for if unused_for is not None else ttl()
    stale_tags = [t for t in _tag_lists() if everything or t["age_seconds"] > max_age]
    if not dry_run:
        for tag_list in stale_tags:
            Path(tag_list["file"]).unlink(missing_ok=True)
    if as_json:
        emit_json(
            {
                "dry_run": dry_run,
                "sources": [info.to_json() for info in removed],
                "tag_lists": [{k: v for k, v in t.items() if k != "file"} for t in stale_tags],
            }
        )
        return
    verb = "would remove" if dry_run else "removed"
    for info in removed:
        click.echo(f"{verb} source {info.repository} {info.commit[:12]} ({_size(info.size)})")
    for tag_list in stale_tags:
        click.echo(f"{verb} tag list {tag_list['registry']}/{tag_list['repository']}")
    if not removed and not stale_tags:
        click.echo("nothing to remove")


def _tag_lists() -> list[dict[str, Any]]:
    """The registry tag-list cache files (``sindri_core.image.tag_cache``); unreadable ones
    are listed with an unknown name so that prune still removes them."""
    from sindri_core.image.tag_cache import tag_cache_dir

    directory = tag_cache_dir()
    if not directory.is_dir():
        return []
    lists = []
    for path in sorted(directory.glob("*.json")):
        try:
            document = json.loads(path.read_text())
            fetched = float(document["fetched_at"])
            registry, repository = document["registry"], document["repository"]
            count = len(document["tags"])
        except (OSError, ValueError, KeyError, TypeError):
            fetched, registry, repository, count = 0.0, "?", path.stem, 0
        lists.append(
            {
                "registry": registry,
                "repository": repository,
                "count": count,
                "age_seconds": round(time.time() - fetched, 1),
                "file": str(path),
            }
        )
    return lists


def _size(size: int | None) -> str:
    if size is None:
        return "size unknown"
    return f"{size / 1048576:.1f} MiB" if size >= 1048576 else f"{size / 1024:.1f} KiB"


COMMANDS = [cache]
