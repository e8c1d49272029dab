"""What sindri remembers about the template it built: alias, fingerprint and source.

E2B templates carry no user metadata, so the record lives beside the template definition. No
record means "unknown", which always rebuilds: a stale template is never reused silently.
"""

from __future__ import annotations

import json
from pathlib import Path

import attrs

from sindri_core.plugin import Artifact, OperationError, read_artifact, write_artifact

RECORD_NAME = "template.json"


@attrs.frozen
class TemplateRecord:
    alias: str
    fingerprint: str
    source: str


def read_record(output_dir: Path, alias: str) -> TemplateRecord | None:
    path = output_dir / RECORD_NAME
    try:  # a planted record (a link, a FIFO, garbage) counts as none: no link, no blocking
        data = json.loads(read_artifact(path, limit=64 * 1024) or b"")
        record = TemplateRecord(**data)
    except (OperationError, OSError, ValueError, TypeError):
        return None
    return record if record.alias == alias else None


def write_record(output_dir: Path, record: TemplateRecord) -> None:
    content = json.dumps(attrs.asdict(record), indent=2) + "\n"
    write_artifact(Artifact(path=output_dir / RECORD_NAME, content=content))
