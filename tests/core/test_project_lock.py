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


def test_two_directories_naming_one_deployment_take_turns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SINDRI_LOCK_WAIT", "0")
    first, second = tmp_path / "a", tmp_path / "b"
    with (
        project_lock(first, "deploy", on_wait=print, deployment="docker/box"),
        pytest.raises(OperationError, match="working on the deployment docker/box"),
        project_lock(second, "deploy", on_wait=print, deployment="docker/box"),
    ):
        pass
    with (
        project_lock(first, "deploy", on_wait=print, deployment="docker/box"),
        project_lock(second, "deploy", on_wait=print, deployment="docker/other"),
    ):
        pass  # another name: no wait


def test_a_link_at_the_lock_path_is_refused_and_its_target_kept(tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    path = lock_path(tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(precious)
    with (
        pytest.raises(OperationError, match=f"refusing to use the lock file {path}: it is a sym"),
        project_lock(tmp_path, "deploy", on_wait=print),
    ):
        pass
    assert precious.read_text() == "keep me\n"


@pytest.mark.parametrize("cache", ["a-file", "read-only"])
def test_an_unusable_cache_directory_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: str
) -> None:
    root = tmp_path / "cache"
    if cache == "a-file":
        root.write_text("not a directory\n")
    else:
        root.mkdir(mode=0o500)
        if os.access(root, os.W_OK):  # root ignores modes
            pytest.skip("the directory is writable whatever its mode (running as root)")
    monkeypatch.setenv("SINDRI_CACHE_DIR", str(root))
    with (
        pytest.raises(OperationError) as caught,
        project_lock(tmp_path, "deploy", on_wait=print),
    ):
        pass
    assert f"cannot create the lock file in {root / 'locks'}" in str(caught.value)
    assert "SINDRI_CACHE_DIR" in str(caught.value)
