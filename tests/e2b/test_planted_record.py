"""A template record planted in `.sindri/e2b/` counts as none, without being waited on
(issue 24, item 3)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sindri_providers_e2b.state import RECORD_NAME, read_record


@pytest.mark.parametrize(
    "plant",
    [os.mkfifo, Path.mkdir, lambda p: p.symlink_to("/dev/zero"), lambda p: p.write_text("[]")],
    ids=["fifo", "directory", "link-to-dev-zero", "not-a-record"],
)
def test_a_planted_template_record_counts_as_none(tmp_path: Path, plant) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "project" / ".sindri" / "e2b"
    output.mkdir(parents=True)
    plant(output / RECORD_NAME)
    assert read_record(output, "alias") is None
