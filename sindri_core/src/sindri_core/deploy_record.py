"""What the last successful deploy applied, recorded next to the files it wrote.

Providers whose backend cannot carry sindri's own label or annotation (Fly machines,
DevPod workspaces) remember, per target, the reference deploy ran and the sha256 of the
generated configuration. The next ``deploy`` and ``plan`` compare the configuration they
would write with the recorded hash and the image with what runs (docs/adr/0015). Only
hashes of generated files are recorded, never secret values nor a hash of one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import attrs

from sindri_core.artifacts import read_artifact
from sindri_core.errors import OperationError
from sindri_core.lifecycle import Artifact, Change, ChangeAction

__all__ = ["DeployRecord", "config_change", "sha256_text"]

RECORD_NAME = "deployed.json"
RECORD_LIMIT = 64 * 1024  # a record is a few hundred bytes


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@attrs.frozen
class DeployRecord:
    """``target`` (app, workspace, ...) ran ``reference`` with configuration ``config_sha256``."""

    target: str
    reference: str
    config_sha256: str

    @staticmethod
    def path(output_dir: Path) -> Path:
        return output_dir / RECORD_NAME

    @classmethod
    def read(cls, output_dir: Path, target: str) -> DeployRecord | None:
        """The record for ``target``; none when absent, unreadable or for another target.

        A record planted in its place (a link, a FIFO, a directory, garbage) counts as none:
        the deploy that follows compares with the live state and writes a real one.
        """
        try:
            data = json.loads(read_artifact(cls.path(output_dir), limit=RECORD_LIMIT) or b"")
            record = cls(
                target=str(data["target"]),
                reference=str(data["reference"]),
                config_sha256=str(data["config_sha256"]),
            )
        except (OperationError, OSError, ValueError, KeyError, TypeError):
            return None
        return record if record.target == target else None

    def artifact(self, output_dir: Path) -> Artifact:
        """The record as a file for :func:`sindri_core.artifacts.write_artifacts`."""
        return Artifact(self.path(output_dir), json.dumps(attrs.asdict(self), indent=2) + "\n")


def config_change(resource: str, record: DeployRecord | None, config: str) -> Change:
    """The generated configuration against the one the last deploy applied."""
    desired = sha256_text(config)
    if record is None:
        return Change(ChangeAction.CREATE, resource)
    if record.config_sha256 == desired:
        return Change(ChangeAction.UNCHANGED, resource)
    return Change(
        ChangeAction.UPDATE,
        resource,
        f"sha256 {record.config_sha256[:12]}",
        f"sha256 {desired[:12]}",
    )
