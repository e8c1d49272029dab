"""What runs now, compared with what sindri.yaml asks for: ``deploy``'s "up to date" test and
``plan``'s per-resource changes.

The container is up to date when it runs, was created from the desired image reference (a
build's tag carries its content fingerprint, a registry image its digest) and carries the
desired compose file's hash (label ``dev.sindri.config-hash``); the generated files are up to
date when the files on disk hold the same bytes. None of this asks compose anything: an
unchanged deploy costs one ``docker container inspect`` (after the ownership check's two
listings, ``ownership.py``).

``plan`` asks the engine its few questions at once (:func:`read_live`): each ``docker`` command
spends most of its time starting up, so three run concurrently in about the time of one
(docs/adr/0022-fast-paths.md).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from sindri_core.plugin import (
    Artifact,
    Change,
    ChangeAction,
    ProviderContext,
    has_built_image,
    read_artifact,
)
from sindri_providers_docker.compose_file import CONFIG_HASH_LABEL
from sindri_providers_docker.engine import ContainerInfo, inspect_container, list_volumes
from sindri_providers_docker.names import DeploymentNames

__all__ = ["LiveDeployment", "container_change", "file_changes", "read_live", "volume_changes"]


@attrs.frozen
class LiveDeployment:
    """The deployment's container (``None`` when there is none) and volumes on the engine, and
    whether it holds an image built from the sources being planned."""

    container: ContainerInfo | None
    volumes: frozenset[str]
    built: bool = False


def read_live(
    ctx: ProviderContext, names: DeploymentNames, fingerprint: str | None = None
) -> LiveDeployment:
    """Read-only engine queries, run concurrently; with ``fingerprint`` also whether an image
    built from sources with that content fingerprint exists.

    :raises ExternalCommandError: the engine could not answer (the first query's error).
    """
    queries: list[Callable[[], Any]] = [
        lambda: inspect_container(ctx.runner, names.container),
        lambda: list_volumes(ctx.runner, names.labels),
    ]
    if fingerprint is not None:
        queries.append(lambda: has_built_image(ctx.runner, fingerprint))
    info, volumes, *built = _concurrently(queries)
    # Adopted volumes carry the Rust tool's labels; they exist (they were found mounted).
    found = frozenset({*volumes, *names.adopted_volumes})
    return LiveDeployment(info, found, bool(built and built[0]))


def _concurrently(calls: list[Callable[[], Any]]) -> list[Any]:
    """Each call's answer, in order; the calls run in threads, the first here.

    :raises Exception: the exception of the first call (in list order) that raised one. A
        KeyboardInterrupt (or SIGTERM) reaches only this thread and ends the wait at once.
    """
    results: list[Any] = [None] * len(calls)
    errors: list[Exception | None] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            results[index] = calls[index]()
        except Exception as exc:  # handed to the caller's thread below
            errors[index] = exc

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(1, len(calls))]
    for thread in threads:
        thread.start()
    run(0)
    for thread in threads:
        thread.join()
    for error in errors:
        if error is not None:
            raise error
    return results


def container_change(
    names: DeploymentNames, info: ContainerInfo | None, image: str, config_hash: str
) -> Change:
    """The container against the desired image and compose file; the first difference shown."""
    resource = f"container:{names.container}"
    if info is None:
        return Change(ChangeAction.CREATE, resource)
    if info.image != image:
        return Change(ChangeAction.UPDATE, resource, f"image {info.image}", f"image {image}")
    running_hash = info.labels.get(CONFIG_HASH_LABEL)
    if running_hash != config_hash:
        before = f"compose file {running_hash[:12]}" if running_hash else "compose file (unknown)"
        return Change(ChangeAction.UPDATE, resource, before, f"compose file {config_hash[:12]}")
    if not info.running:
        return Change(ChangeAction.UPDATE, resource, info.status, "running")
    return Change(ChangeAction.UNCHANGED, resource)


def file_changes(artifacts: list[Artifact], removed: tuple[Path, ...] = ()) -> list[Change]:
    """Each file deploy writes against the file on disk, and the files it would remove."""
    changes = [_file_change(artifact) for artifact in artifacts]
    changes += [Change(ChangeAction.DELETE, f"file:{path}") for path in removed if path.exists()]
    return changes


def _file_change(artifact: Artifact) -> Change:
    resource = f"file:{artifact.path}"
    on_disk = _read(artifact.path)
    if on_disk is None:
        return Change(ChangeAction.CREATE, resource)
    if on_disk == artifact.content:
        return Change(ChangeAction.UNCHANGED, resource)
    if artifact.mode == 0o600:  # a secret file: never a value, nor a hash of one
        return Change(ChangeAction.UPDATE, resource, "earlier values", "current values")
    return Change(ChangeAction.UPDATE, resource, *changed_lines(on_disk, artifact.content))


SHOWN_LINES = 3


def changed_lines(before: str, after: str) -> tuple[str, str]:
    """The settings that differ, as the lines each side has that the other lacks (``mem_limit:
    128m`` → ``mem_limit: 256m``), at most :data:`SHOWN_LINES` a side; hashes when only the
    order of lines changed."""
    import difflib

    removed: list[str] = []
    added: list[str] = []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if CONFIG_HASH_LABEL in line:  # the hash of the rest: it changes with any setting
            continue
        if line.startswith("- ") and line[2:].strip():
            removed.append(line[2:].strip())
        elif line.startswith("+ ") and line[2:].strip():
            added.append(line[2:].strip())
    if not removed and not added:
        return _sha(before), _sha(after)
    return _some(removed), _some(added)


def _some(lines: list[str]) -> str:
    if not lines:
        return "(nothing)"
    shown = "; ".join(lines[:SHOWN_LINES])
    more = len(lines) - SHOWN_LINES
    return shown + (f"; … {more} more" if more > 0 else "")


def volume_changes(names: tuple[str, ...], live: LiveDeployment) -> list[Change]:
    return [
        Change(
            ChangeAction.UNCHANGED if name in live.volumes else ChangeAction.CREATE,
            f"volume:{name}",
        )
        for name in names
    ]


def _read(path: Path) -> str | None:
    """The file on disk; ``None`` when absent. A link, FIFO or device planted there, or an
    oversized file, is an error naming it (deploy would refuse to write it anyway)."""
    data = read_artifact(path)
    return None if data is None else data.decode("utf-8", errors="replace")


def _sha(text: str) -> str:
    return "sha256 " + hashlib.sha256(text.encode()).hexdigest()[:12]
