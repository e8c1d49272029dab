"""What runs now, compared with what sindri.yaml asks for: ``deploy``'s "up to date" test and
``plan``'s per-resource changes.

The container is up to date when it runs, was created from the desired image reference (a
build's tag carries its content fingerprint, a registry image its digest) and carries the
desired compose file's hash (label ``dev.sindri.config-hash``); the generated files are up to
date when the files on disk hold the same bytes. None of this asks compose anything: an
unchanged deploy costs one ``docker container inspect``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import attrs

from sindri_core.plugin import (
    Artifact,
    Change,
    ChangeAction,
    ContainerInfo,
    ProviderContext,
    inspect_container,
    list_volumes,
)
from sindri_providers_docker.compose_file import CONFIG_HASH_LABEL
from sindri_providers_docker.names import DeploymentNames

__all__ = ["LiveDeployment", "container_change", "file_changes", "read_live", "volume_changes"]


@attrs.frozen
class LiveDeployment:
    """The deployment's container (``None`` when there is none) and volumes on the engine."""

    container: ContainerInfo | None
    volumes: frozenset[str]


def read_live(ctx: ProviderContext, names: DeploymentNames) -> LiveDeployment:
    """Read-only engine queries.

    :raises ExternalCommandError: the engine could not answer.
    """
    info = inspect_container(ctx.runner, names.container)
    # Adopted volumes carry the Rust tool's labels; they exist (they were found mounted).
    volumes = {*list_volumes(ctx.runner, names.labels), *names.adopted_volumes}
    return LiveDeployment(info, frozenset(volumes))


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
    return Change(ChangeAction.UPDATE, resource, _sha(on_disk), _sha(artifact.content))


def volume_changes(names: tuple[str, ...], live: LiveDeployment) -> list[Change]:
    return [
        Change(
            ChangeAction.UNCHANGED if name in live.volumes else ChangeAction.CREATE,
            f"volume:{name}",
        )
        for name in names
    ]


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:  # absent, or not a readable file: deploy writes it anew
        return None


def _sha(text: str) -> str:
    return "sha256 " + hashlib.sha256(text.encode()).hexdigest()[:12]
