"""The Sindri source fetcher against a real ``git daemon`` on loopback (and ``file://``).

Each ref kind, the cache's reuse rules (tags and SHAs offline and without any git process,
branches re-resolved, offline fallback with a warning), errors, fallback refs, and the
concurrency and interruption guarantees (two processes, one clone; SIGKILL mid-clone).
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sindri_core import __version__
from sindri_core.build.refs import RefKind
from sindri_core.build.source_cache import RepositoryCache, cached_immutable_commit
from sindri_core.errors import ConfigError, OperationError
from sindri_core.output import Console
from tests.support.fetch_driver import fetch_sources
from tests.support.git_server import wait_for

REPO_ROOT = Path(__file__).resolve().parents[2]


def _console() -> tuple[Console, io.StringIO]:
    stream = io.StringIO()
    return Console(progress=False, stream=stream), stream


def _clones(git_calls) -> list[list[str]]:
    return [argv for argv in git_calls() if "clone" in argv or "fetch" in argv]


# -- each ref kind ------------------------------------------------------------------------------


def test_a_branch_is_shallow_cloned_and_tagged_by_its_commit(sindri_sources, git_calls):
    context = fetch_sources(sindri_sources.url, "v3", distro="fedora")

    tip = sindri_sources.marks["tip"]
    assert (context.commit, context.ref_kind) == (tip, "branch")
    assert context.tag == f"sindri:{__version__}-{tip[:7]}"
    assert context.build_args == {"DISTRO": "fedora", "SINDRI_VERSION": __version__}
    assert context.dockerfile == context.context_dir / "v3" / "Dockerfile"
    assert (context.context_dir / "v3" / "README").read_text() == "tip\n"
    assert not (context.context_dir / ".git").exists()
    [clone] = _clones(git_calls)
    assert clone[clone.index("--depth") + 1] == "1"
    assert clone[clone.index("--branch") + 1] == "v3"


@pytest.mark.parametrize("tag", ["v3.0.0", "v3.1.0"])  # lightweight, annotated
def test_a_tag_resolves_to_the_tagged_commit_and_sets_sindri_version(sindri_sources, tag):
    context = fetch_sources(sindri_sources.url, tag)

    assert (context.commit, context.ref_kind) == (sindri_sources.marks["tagged"], "tag")
    assert context.build_args["SINDRI_VERSION"] == tag.removeprefix("v")
    assert (context.context_dir / "v3" / "README").read_text() == "tagged\n"


def test_a_commit_reachable_only_by_sha_is_fetched_by_that_sha(sindri_sources, git_calls):
    first = sindri_sources.marks["first"]

    context = fetch_sources(sindri_sources.url, first)

    assert (context.commit, context.ref_kind, context.source.ref) == (first, "commit", first)
    assert (context.context_dir / "v3" / "README").read_text() == "first\n"
    assert context.build_args["SINDRI_VERSION"] == __version__
    [fetch] = _clones(git_calls)
    assert fetch[fetch.index("fetch") :][-1] == first and "--branch" not in fetch
    assert "ls-remote" not in git_calls.subcommands()  # a SHA is never looked up as a name


def test_a_file_url_repository_works_like_a_remote_one(sindri_sources):
    context = fetch_sources(sindri_sources.file_url, "v3.0.0")

    assert context.commit == sindri_sources.marks["tagged"]
    assert context.to_json()["origin"]["repository"] == sindri_sources.file_url


# -- what is reused, and when --------------------------------------------------------------------


def test_a_moved_branch_is_picked_up(sindri_sources):
    before = fetch_sources(sindri_sources.url, "v3")
    moved = sindri_sources.commit({"v3/README": "moved\n"}, message="move v3")

    after = fetch_sources(sindri_sources.url, "v3")

    assert before.commit == sindri_sources.marks["tip"]
    assert after.commit == moved and not after.reused
    assert (after.context_dir / "v3" / "README").read_text() == "moved\n"
    assert after.tag != before.tag and after.fingerprint != before.fingerprint


def test_an_unmoved_branch_is_re_resolved_but_not_cloned_again(sindri_sources, git_calls):
    first = fetch_sources(sindri_sources.url, "v3")
    again = fetch_sources(sindri_sources.url, "v3")

    assert again.context_dir == first.context_dir and again.reused
    assert git_calls.subcommands().count("ls-remote") == 2
    assert len(_clones(git_calls)) == 1


@pytest.mark.parametrize("mark", ["v3.1.0", "first"])
def test_tags_and_shas_are_reused_with_the_server_stopped_and_no_git_process(
    sindri_sources, git_calls, mark
):
    ref = sindri_sources.marks.get(mark, mark)
    fetched = fetch_sources(sindri_sources.url, ref)
    calls_after_fetch = len(git_calls())
    sindri_sources.server.stop()

    reused = fetch_sources(sindri_sources.url, ref)

    assert reused.reused and reused.context_dir == fetched.context_dir
    assert reused.fingerprint == fetched.fingerprint and reused.tag == fetched.tag
    assert len(git_calls()) == calls_after_fetch  # not a single git process
    assert cached_immutable_commit(sindri_sources.url, ref) == fetched.commit


def test_reusing_a_cached_tag_writes_nothing_but_the_last_use(sindri_sources):
    fetched = fetch_sources(sindri_sources.url, "v3.1.0")
    cache = RepositoryCache.for_repository(sindri_sources.url)
    index = cache.index_path.read_bytes(), cache.index_path.stat().st_mtime_ns
    os.utime(fetched.context_dir.parent, (1, 1))

    fetch_sources(sindri_sources.url, "v3.1.0")

    assert (cache.index_path.read_bytes(), cache.index_path.stat().st_mtime_ns) == index
    assert fetched.context_dir.parent.stat().st_mtime > 1  # last use, for prune --older-than


def test_a_tag_is_trusted_until_refresh(sindri_sources):
    cached = fetch_sources(sindri_sources.url, "v3.0.0")
    sindri_sources.tag("v3.0.0", sindri_sources.marks["tip"])  # a re-pushed tag

    trusted = fetch_sources(sindri_sources.url, "v3.0.0")
    refreshed = fetch_sources(sindri_sources.url, "v3.0.0", refresh=True)

    assert trusted.commit == cached.commit == sindri_sources.marks["tagged"]
    assert refreshed.commit == sindri_sources.marks["tip"]


def test_an_unreachable_server_falls_back_to_the_cached_branch_commit_with_a_warning(
    sindri_sources,
):
    fetched = fetch_sources(sindri_sources.url, "v3")
    sindri_sources.server.stop()
    console, messages = _console()

    offline = fetch_sources(sindri_sources.url, "v3", console=console)

    assert offline.commit == fetched.commit and offline.reused
    warning = messages.getvalue()
    assert warning.startswith("warning: cannot reach ") and sindri_sources.url in warning
    assert "branch 'v3'" in warning and fetched.commit[:12] in warning


def test_an_unreachable_server_with_nothing_cached_is_an_operation_error(sindri_sources):
    sindri_sources.server.stop()

    with pytest.raises(OperationError) as failure:
        fetch_sources(sindri_sources.url, "v3")

    assert failure.value.exit_code == 1
    assert f"git ls-remote {sindri_sources.url} failed" in str(failure.value)
    assert "\n" not in str(failure.value)


# -- errors and fallbacks ------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["v9.9.9", "feature/none", "0" * 40])
def test_a_ref_that_does_not_exist_is_a_config_error_naming_ref_and_repository(sindri_sources, ref):
    with pytest.raises(ConfigError) as failure:
        fetch_sources(sindri_sources.url, ref)

    message = str(failure.value)
    assert failure.value.exit_code == 2
    assert f"{ref!r} does not exist in {sindri_sources.url}" in message
    assert message.startswith("deployment.buildFromSource.gitRef: ")
    assert "fallbackRef" in message
    cache = RepositoryCache.for_repository(sindri_sources.url)
    assert cache.entries() == [] and cache.lookup(ref) is None
    assert not (cache.path / "tmp").exists() or not list((cache.path / "tmp").iterdir())


def test_an_abbreviated_sha_is_told_to_be_written_in_full(sindri_sources):
    with pytest.raises(ConfigError) as failure:
        fetch_sources(sindri_sources.url, sindri_sources.marks["first"][:7])

    assert "must be written in full (40 hex digits)" in str(failure.value)


def test_a_configured_fallback_ref_is_used_reported_and_cached_under_its_own_name(
    sindri_sources,
):
    console, messages = _console()

    context = fetch_sources(sindri_sources.url, "v9", fallback="v3.0.0", console=console)

    assert context.commit == sindri_sources.marks["tagged"]
    assert (context.source.ref, context.requested_ref) == ("v3.0.0", "v9")
    assert context.build_args["SINDRI_VERSION"] == "3.0.0"
    assert "'v9' does not exist" in context.source.reason and "fallbackRef" in context.source.reason
    origin = context.to_json()["origin"]
    assert (origin["ref"], origin["requested_ref"]) == ("v3.0.0", "v9")
    assert "warning: git ref 'v9' does not exist" in messages.getvalue()
    cache = RepositoryCache.for_repository(sindri_sources.url)
    assert cache.lookup("v9") is None  # never cached under the name that did not exist
    assert cache.lookup("v3.0.0").commit == context.commit


def test_a_missing_fallback_ref_is_an_error_too(sindri_sources):
    with pytest.raises(ConfigError) as failure:
        fetch_sources(sindri_sources.url, "v9", fallback="v8")

    assert "neither git ref 'v9' nor the fallback 'v8' exists" in str(failure.value)
    assert str(failure.value).startswith("deployment.buildFromSource.fallbackRef: ")


def test_sources_without_v3_dockerfile_are_refused_and_not_cached(sindri_sources):
    with pytest.raises(ConfigError) as failure:
        fetch_sources(sindri_sources.url, "no-dockerfile")

    assert "has no v3/Dockerfile" in str(failure.value)
    assert RepositoryCache.for_repository(sindri_sources.url).entries() == []


def test_credentials_in_the_repository_url_never_reach_messages_or_the_cache(
    sindri_sources, tmp_path
):
    closed_port = sindri_sources.server.port
    sindri_sources.server.stop()
    url = f"https://sindri-bot:s3cr3t-t0ken@127.0.0.1:{closed_port}/sindri.git"

    with pytest.raises(OperationError) as failure:
        fetch_sources(url, "v3")
    RepositoryCache.for_repository(url).record("v3", "a" * 40, RefKind.BRANCH)

    assert "s3cr3t-t0ken" not in str(failure.value)
    assert f"https://***@127.0.0.1:{closed_port}/sindri.git" in str(failure.value)
    cache_root = Path(os.environ["SINDRI_CACHE_DIR"])
    written = [str(p) for p in cache_root.rglob("*")]
    written += [p.read_text() for p in cache_root.rglob("*.json")]
    assert any("https://***@127.0.0.1" in text for text in written)
    assert not any("s3cr3t" in text for text in written)


# -- concurrency and interruption ---------------------------------------------------------------


def _start_fetch(url: str, ref: str, stderr: Path) -> subprocess.Popen[str]:
    """``fetch_sources`` in its own process (and session, so it can be killed as a group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.fetch_driver", url, ref],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=stderr.open("w"),
        text=True,
        start_new_session=True,
    )


def _result(process: subprocess.Popen[str], stderr: Path) -> dict:
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, stderr.read_text()
    return json.loads(out)


def test_two_processes_fetching_the_same_entry_both_succeed_with_one_clone(
    sindri_sources, tmp_path
):
    server = sindri_sources.server
    server.pause_packs()
    first = _start_fetch(sindri_sources.url, "v3.1.0", tmp_path / "first.err")
    server.wait_paused()  # the first is mid-clone, holding the entry's lock
    second_err = tmp_path / "second.err"
    second = _start_fetch(sindri_sources.url, "v3.1.0", second_err)
    wait_for(
        lambda: "waiting for another sindri process" in second_err.read_text(),
        "the second fetch to wait for the first",
    )
    server.resume_packs()

    one, two = _result(first, tmp_path / "first.err"), _result(second, second_err)

    assert one["context"] == two["context"]
    assert one["origin"]["commit"] == two["origin"]["commit"] == sindri_sources.marks["tagged"]
    assert (one["origin"]["cached"], two["origin"]["cached"]) == (False, True)
    assert server.packs() == 1
    assert (Path(one["context"]) / "v3" / "README").read_text() == "tagged\n"


def test_a_fetch_killed_mid_clone_leaves_a_cache_the_next_run_uses(sindri_sources, tmp_path):
    server = sindri_sources.server
    tagged = sindri_sources.marks["tagged"]
    cache = RepositoryCache.for_repository(sindri_sources.url)
    server.pause_packs()
    victim = _start_fetch(sindri_sources.url, "v3.1.0", tmp_path / "victim.err")
    server.wait_paused()

    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    server.resume_packs()

    assert victim.returncode == -signal.SIGKILL
    assert cache.entry(tagged) is None and cache.lookup("v3.1.0") is None
    leftovers = list((cache.path / "tmp").iterdir())
    assert [p.name.split(".")[0] for p in leftovers] == [tagged]

    context = fetch_sources(sindri_sources.url, "v3.1.0")

    assert context.commit == tagged and not context.reused
    assert (context.context_dir / "v3" / "README").read_text() == "tagged\n"
    assert not any(p.exists() for p in leftovers)
    assert server.packs() == 2  # the killed clone, then the one that finished
    assert cache.lookup("v3.1.0").kind is RefKind.TAG


def test_stale_work_directories_are_removed_only_when_their_owner_is_gone(tmp_path):
    cache = RepositoryCache.for_repository("git://example.invalid/sindri.git", tmp_path)
    with cache.locked("a" * 40):
        alive = cache.new_temp("a" * 40)
        with cache.locked("b" * 40):
            dead_owner = cache.new_temp("b" * 40)
        removed = cache.clean_stale_temps()

    assert removed == [dead_owner] and alive.exists() and not dead_owner.exists()
