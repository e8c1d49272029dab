"""Finding the ``sindri.providers`` entry points, with a small on-disk cache.

Scanning installed distributions with :mod:`importlib.metadata` costs more than the rest of
``sindri config validate`` put together (importing it pulls in the email and zip machinery,
and every distribution's metadata is read). The answer only changes when a distribution is
installed or removed, which changes the modification time of the ``sys.path`` directory it
lives in; so the scan result is kept together with the ``sys.path`` entries and their
modification times, and reused while they are unchanged. Any problem with the cache file means
a fresh scan; the cache is never required.

Each ``sys.path`` gets a file of its own, ``<cache>/plugins/<crc32 of the entries>.cache``:
several interpreters sharing one cache directory (two venvs, ``python -m``, a ``PYTHONPATH``
entry, CI jobs) each keep their answer instead of evicting each other's at every run. The
interpreter's path is not part of the key: ``bin/python`` and ``bin/python3`` of one venv see
the same ``sys.path`` and share a file. The file holds the whole fingerprint, checked on read,
so two ``sys.path`` lists sharing a CRC cost a re-scan, never a wrong answer. At most
:data:`MAX_CACHE_FILES` are kept; writing another removes the oldest.

The file holds one Python literal, read with :func:`ast.literal_eval`: as readable as JSON,
and ``ast`` is loaded already (click imports it), while importing :mod:`json` would be the
largest part of reading the cache.
"""

from __future__ import annotations

import ast
import binascii
import contextlib
import importlib
import os
import sys
from pathlib import Path
from typing import Any, NamedTuple

from sindri_core.cache_dir import cache_root

__all__ = ["PluginEntry", "cache_file", "find_entry_points", "import_object"]

CACHE_DIRECTORY = "plugins"
MAX_CACHE_FILES = 16
_CACHE_FORMAT = 3


class PluginEntry(NamedTuple):
    """One entry point: its name, what it loads, and the distribution that declares it.

    A named tuple rather than an attrs class: every command creates this class at start-up,
    and a named tuple costs a fraction of one (docs/adr/0022-fast-paths.md).
    """

    name: str
    value: str  # "package.module" or "package.module:attribute"
    distribution: str | None = None
    version: str | None = None

    def load(self) -> object:
        """Import the module (and look up the attribute) the entry point names."""
        return import_object(self.value)


def import_object(value: str) -> object:
    """Import ``"package.module"`` or look up ``"package.module:attribute.path"``."""
    module_name, _, attribute = value.partition(":")
    obj: object = importlib.import_module(module_name.strip())
    for part in filter(None, attribute.strip().split(".")):
        obj = getattr(obj, part)
    return obj


def find_entry_points(group: str) -> list[PluginEntry]:
    """The entry points of ``group``, each name once (the first on ``sys.path`` wins)."""
    fingerprint = _fingerprint(group)
    path = _cache_path(fingerprint)
    cached = _read_cache(path, fingerprint)
    if cached is not None:
        return cached
    entries = _scan(group)
    _write_cache(path, fingerprint, entries)
    return entries


def cache_file(group: str) -> Path:
    """The cache file of ``group`` for this interpreter's ``sys.path``."""
    return _cache_path(_fingerprint(group))


def _cache_path(fingerprint: dict[str, Any]) -> Path:
    key = "\0".join([fingerprint["group"], *(path for path, _ in fingerprint["paths"])])
    return cache_root() / CACHE_DIRECTORY / f"{binascii.crc32(key.encode()):08x}.cache"


def _scan(group: str) -> list[PluginEntry]:
    from importlib.metadata import entry_points

    entries: dict[str, PluginEntry] = {}
    for ep in entry_points(group=group):
        if ep.name in entries:  # the same dist-info reachable twice on sys.path
            continue
        dist = ep.dist
        entries[ep.name] = PluginEntry(
            name=ep.name,
            value=ep.value,
            distribution=dist.name if dist is not None else None,
            version=dist.version if dist is not None else None,
        )
    return list(entries.values())


def _fingerprint(group: str) -> dict[str, Any]:
    paths = []
    for entry in sys.path:
        where = Path(entry or ".").absolute()  # "" is the working directory
        try:
            mtime = where.stat().st_mtime_ns
        except OSError:
            mtime = None
        paths.append([str(where), mtime])
    return {"format": _CACHE_FORMAT, "group": group, "paths": paths}


def _read_cache(path: Path, fingerprint: dict[str, Any]) -> list[PluginEntry] | None:
    try:
        data = ast.literal_eval(path.read_text(encoding="utf-8"))
        if data["fingerprint"] != fingerprint:
            return None
        return [PluginEntry(**entry) for entry in data["entries"]]
    except (OSError, ValueError, KeyError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _write_cache(path: Path, fingerprint: dict[str, Any], entries: list[PluginEntry]) -> None:
    data = {"fingerprint": fingerprint, "entries": [e._asdict() for e in entries]}
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(repr(data), encoding="utf-8")
        temporary.replace(path)  # atomic: readers never see half a file
        _remove_oldest(path.parent)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def _remove_oldest(directory: Path) -> None:
    """Keep the :data:`MAX_CACHE_FILES` most recently written files (a miss re-scans)."""
    files = sorted(directory.glob("*.cache"), key=_written, reverse=True)
    for stale in files[MAX_CACHE_FILES:]:
        with contextlib.suppress(OSError):
            stale.unlink()


def _written(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:  # removed meanwhile by another process
        return 0
