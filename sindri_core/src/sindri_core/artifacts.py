"""Writing generated files under ``<project>/.sindri/<provider>/``.

Files are written atomically (temporary file, then rename) with an explicit mode, so a
crash never leaves half a compose file, and secret files are never world-readable, not even
for an instant.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from sindri_core.lifecycle import Artifact

__all__ = ["remove_artifacts", "write_artifact", "write_artifacts"]


def write_artifact(artifact: Artifact) -> Path:
    import tempfile  # here, not at the top: providers import this module at startup

    path = artifact.path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, artifact.mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(artifact.content)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_artifacts(artifacts: Iterable[Artifact]) -> list[Path]:
    return [write_artifact(artifact) for artifact in artifacts]


def remove_artifacts(directory: Path) -> None:
    """Remove a provider's generated directory (``destroy``); other files are untouched."""
    if not directory.is_dir():
        return
    for path in sorted(directory.rglob("*"), reverse=True):
        if path.is_dir():
            path.rmdir()
        else:
            path.unlink()
    directory.rmdir()
    parent = directory.parent
    if parent.name == ".sindri" and not any(parent.iterdir()):
        parent.rmdir()
