"""The deploy record (what the last deploy applied) and Plan's comparison helpers."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from sindri_core.plugin import (
    Change,
    ChangeAction,
    DeployRecord,
    Plan,
    PlannedAction,
    config_change,
    sha256_text,
    write_artifacts,
)


def _output_dir(tmp_path: Path) -> Path:
    (tmp_path / "project").mkdir(exist_ok=True)  # the project exists; .sindri/ is written
    return tmp_path / "project" / ".sindri" / "fake"


def test_a_record_is_read_back_for_its_target_only(tmp_path: Path) -> None:
    out = _output_dir(tmp_path)
    record = DeployRecord("app-a", "img@sha256:1", sha256_text("config"))
    write_artifacts([record.artifact(out)])
    assert DeployRecord.read(out, "app-a") == record
    assert DeployRecord.read(out, "app-b") is None


def test_a_missing_or_malformed_record_is_none(tmp_path: Path) -> None:
    out = _output_dir(tmp_path)
    assert DeployRecord.read(out, "app-a") is None
    out.mkdir(parents=True)
    (out / "deployed.json").write_text('{"target": "app-a"}')
    assert DeployRecord.read(out, "app-a") is None
    (out / "deployed.json").write_text("not json")
    assert DeployRecord.read(out, "app-a") is None


def test_config_change_compares_the_hash() -> None:
    record = DeployRecord("t", "r", sha256_text("old"))
    assert config_change("file:x", None, "new").action is ChangeAction.CREATE
    assert config_change("file:x", record, "old").action is ChangeAction.UNCHANGED
    change = config_change("file:x", record, "new")
    assert change.action is ChangeAction.UPDATE
    assert (change.before, change.after) == (
        f"sha256 {sha256_text('old')[:12]}",
        f"sha256 {sha256_text('new')[:12]}",
    )


def test_compared_drops_the_actions_only_when_nothing_changes() -> None:
    plan = Plan(actions=(PlannedAction("run", "x:y", "d"),), notes=("n",))
    same = plan.compared([Change(ChangeAction.UNCHANGED, "x:y")])
    assert same.up_to_date and same.actions == ()
    assert same.notes == ("n", "up to date: deploy changes nothing")
    changed = plan.compared([Change(ChangeAction.CREATE, "x:y")])
    assert changed.actions == plan.actions and not changed.up_to_date


def test_uncompared_keeps_the_desired_state_and_says_why() -> None:
    plan = Plan(actions=(PlannedAction("run", "x:y", "d"),))
    result = plan.uncompared("tool missing")
    assert result.not_compared == "tool missing" and result.actions == plan.actions
    assert result.notes == ("could not compare: tool missing",)


def _read_within(out: Path, seconds: float) -> object:
    """``DeployRecord.read`` in a thread: its answer, or ``"blocked"`` after ``seconds``
    (then a writer is connected to a FIFO so the thread can end)."""
    answer: list[object] = []
    reader = threading.Thread(target=lambda: answer.append(DeployRecord.read(out, "app-a")))
    reader.start()
    reader.join(seconds)
    if reader.is_alive():  # today's code waits in open() for a writer: give it one
        with DeployRecord.path(out).open("wb"):
            pass
        reader.join()
        return "blocked"
    return answer[0]


@pytest.mark.parametrize(
    "plant",
    [os.mkfifo, Path.mkdir, lambda p: p.symlink_to("/dev/zero"), lambda p: p.write_text("{]")],
    ids=["fifo", "directory", "link-to-dev-zero", "corrupt"],
)
def test_a_planted_record_counts_as_none_and_never_blocks(tmp_path: Path, plant: Any) -> None:
    out = _output_dir(tmp_path)
    out.mkdir(parents=True)
    plant(DeployRecord.path(out))
    assert _read_within(out, 5) is None
