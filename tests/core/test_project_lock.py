"""The per-project lock: one file per project (however the path is spelled), the holder named
to whoever waits, a bounded wait."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sindri_core.errors import OperationError, UsageError
from sindri_core.project_lock import lock_path, project_lock


def test_one_lock_file_per_project_however_it_is_reached(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "link").symlink_to(project)
    assert lock_path(tmp_path / "link") == lock_path(project)
    assert lock_path(tmp_path / "other") != lock_path(project)
    assert lock_path(project).parent == Path(os.environ["SINDRI_CACHE_DIR"]) / "locks"


def test_a_second_holder_is_refused_naming_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SINDRI_LOCK_WAIT", "0")
    waits: list[str] = []
    # flock locks belong to the open file, so a second open in this process contends.
    with (
        project_lock(tmp_path, "deploy", on_wait=waits.append),
        pytest.raises(OperationError) as caught,
        project_lock(tmp_path, "stop", on_wait=waits.append),
    ):
        pass
    assert str(caught.value).startswith(
        f"another sindri process (pid {os.getpid()}, deploy) is working on the project {tmp_path}"
    )
    with project_lock(tmp_path, "stop", on_wait=waits.append):  # released: free again
        assert lock_path(tmp_path).read_text() == f"{os.getpid()} stop\n"
    assert lock_path(tmp_path).read_text() == ""


@pytest.mark.parametrize("value", ["-1", "soon", "1e9"])
def test_an_invalid_wait_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SINDRI_LOCK_WAIT", value)
    with (
        pytest.raises(UsageError, match="SINDRI_LOCK_WAIT"),
        project_lock(tmp_path, "deploy", on_wait=print),
    ):
        pass
