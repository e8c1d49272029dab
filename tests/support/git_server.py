"""A real ``git daemon`` on loopback serving bare repositories the tests build, and a ``git``
wrapper that records what the code under test runs.

Fixtures (re-exported by ``tests.support.fixtures``):

``git_server``
    A :class:`GitServer`: ``git daemon`` on ``127.0.0.1:<free port>`` for this test, with
    ``uploadpack.packObjectsHook`` pointing at a script that counts every pack sent (a clone
    or fetch that transfers objects; ``ls-remote`` sends none) and, while
    :meth:`GitServer.pause_packs` is on, holds each transfer mid-clone. ``stop()``/``start()``
    take it off the network and back on the same port.
``sindri_sources``
    A :class:`SourceRepo` named ``sindri`` on ``git_server`` shaped like the Sindri
    repository (``v3/Dockerfile``). ``marks["first"]`` is a commit reachable only by SHA (no
    ref points at it); tags ``v3.0.0`` (lightweight) and ``v3.1.0`` (annotated) point at
    ``marks["tagged"]``; branch ``v3`` points at ``marks["tip"]``; branch ``no-dockerfile``
    has no ``v3/Dockerfile``. ``commit(files, branch=...)`` moves a branch.
``git_calls``
    A :class:`GitCalls`: a ``git`` first on ``PATH`` that logs its arguments and runs the
    real git, so a test can assert that no git process ran at all.

Repositories are also reachable as ``file://`` URLs (:attr:`SourceRepo.file_url`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = [
    "GitCalls",
    "GitServer",
    "SourceRepo",
    "git_calls",
    "git_server",
    "install_git_wrapper",
    "sindri_sources",
]

REAL_GIT = shutil.which("git") or "/usr/bin/git"
IDENTITY = {
    "GIT_AUTHOR_NAME": "Sindri Tests",
    "GIT_AUTHOR_EMAIL": "tests@sindri.invalid",
    "GIT_COMMITTER_NAME": "Sindri Tests",
    "GIT_COMMITTER_EMAIL": "tests@sindri.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}
STARTUP_DEADLINE = 10.0

_PACK_HOOK = """#!/bin/sh
# uploadpack.packObjectsHook: count the pack, hold it while the pause file exists.
echo pack >> "{control}/packs.log"
if [ -e "{control}/pause" ]; then
    : > "{control}/paused"
    while [ -e "{control}/pause" ]; do sleep 0.02; done
fi
exec "$@"
"""

_GIT_WRAPPER = """#!/bin/sh
for arg in "$@"; do printf '%s\\037' "$arg"; done >> "{log}"
printf '\\n' >> "{log}"
exec "{git}" "$@"
"""


def _git(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, **IDENTITY}
    done = subprocess.run(
        [REAL_GIT, *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, what: str, deadline: float = STARTUP_DEADLINE) -> None:  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until it is true; fail the test after ``deadline`` seconds."""
    end = time.monotonic() + deadline
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


class GitServer:
    """``git daemon`` serving ``<base>/repos``; ``<base>/control`` holds the pack hook's state."""

    def __init__(self, base: Path) -> None:
        self.repos = base / "repos"
        self.control = base / "control"
        self.repos.mkdir(parents=True)
        self.control.mkdir()
        self.hook = self.control / "pack-hook"
        self.hook.write_text(_PACK_HOOK.format(control=self.control))
        self.hook.chmod(0o755)
        self.port = _free_port()
        self.log = base / "daemon.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None

    def start(self) -> None:
        argv = [
            REAL_GIT,
            "-c",
            f"uploadpack.packObjectsHook={self.hook}",
            "daemon",
            "--reuseaddr",
            "--listen=127.0.0.1",
            f"--port={self.port}",
            f"--base-path={self.repos}",
            "--export-all",
            "--informative-errors",
            "--verbose",
            str(self.repos),
        ]
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(argv, stdout=log, stderr=log)
        wait_for(self._accepts, f"git daemon on port {self.port}")

    def _accepts(self) -> bool:
        assert self._process is not None
        if self._process.poll() is not None:
            raise AssertionError(f"git daemon exited: {self.log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.send_signal(signal.SIGTERM)
        self._process.wait(timeout=10)
        self._process = None

    def url(self, name: str) -> str:
        return f"git://127.0.0.1:{self.port}/{name}.git"

    # -- observing and holding transfers ------------------------------------------------------

    def packs(self) -> int:
        """Packs sent so far (clones and fetches; ls-remote sends none)."""
        log = self.control / "packs.log"
        return len(log.read_text().splitlines()) if log.exists() else 0

    def pause_packs(self) -> None:
        (self.control / "paused").unlink(missing_ok=True)
        (self.control / "pause").touch()

    def wait_paused(self) -> None:
        """Block until a transfer is being held (a client is mid-clone)."""
        wait_for((self.control / "paused").exists, "a clone to reach the server")

    def resume_packs(self) -> None:
        (self.control / "pause").unlink(missing_ok=True)

    def create_repo(self, name: str, *, template: SourceRepo | None = None) -> SourceRepo:
        """A new bare repository, empty or a copy of ``template`` (with its marks)."""
        return SourceRepo(self, name, template=template)


class SourceRepo:
    """A bare repository on the server and a work tree that pushes to it."""

    def __init__(self, server: GitServer, name: str, *, template: SourceRepo | None = None) -> None:
        self.server = server
        self.name = name
        self.bare = server.repos / f"{name}.git"
        self.work = server.repos.parent / "work" / name
        if template is None:
            _git("init", "--quiet", "--bare", str(self.bare))
        else:
            shutil.copytree(template.bare, self.bare, symlinks=True)
        self.work.mkdir(parents=True)
        _git("init", "--quiet", str(self.work))
        self.marks: dict[str, str] = dict(template.marks) if template else {}
        """Commits a fixture named, e.g. ``marks["first"]``."""

    @property
    def url(self) -> str:
        return self.server.url(self.name)

    @property
    def file_url(self) -> str:
        return self.bare.as_uri()

    def commit(self, files: dict[str, str], *, branch: str = "v3", message: str = "change") -> str:
        """Commit ``files`` (path → content) on ``branch``, on top of that branch's tip when
        it exists, and push it. Returns the SHA."""
        _git("clean", "-fdq", cwd=self.work)
        heads = _git("ls-remote", "--heads", str(self.bare), branch)
        if heads:
            _git("fetch", "--quiet", str(self.bare), branch, cwd=self.work)
            _git("checkout", "--quiet", "--force", "-B", branch, "FETCH_HEAD", cwd=self.work)
        else:
            _git("checkout", "--quiet", "--orphan", branch, cwd=self.work)
            _git("rm", "-r", "--quiet", "--cached", "--ignore-unmatch", ".", cwd=self.work)
        for path, content in files.items():
            target = self.work / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        _git("add", "--all", *files, cwd=self.work)
        _git("commit", "--quiet", "--allow-empty", "-m", message, cwd=self.work)
        _git(
            "push", "--quiet", "--force", str(self.bare), f"HEAD:refs/heads/{branch}", cwd=self.work
        )
        return _git("rev-parse", "HEAD", cwd=self.work)

    def tag(self, name: str, commit: str, *, annotated: bool = False) -> None:
        """Create or move (as a re-pushed tag would) tag ``name`` in the bare repository."""
        message = ["-a", "-m", name] if annotated else []
        _git("--git-dir", str(self.bare), "tag", "--force", *message, name, commit)


class GitCalls:
    """The ``git`` invocations of the code under test, in order."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def __call__(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [line.split("\x1f")[:-1] for line in self.log.read_text().splitlines()]

    def subcommands(self) -> list[str]:
        return [next(a for a in argv if not a.startswith("-") and "=" not in a) for argv in self()]


@pytest.fixture
def git_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitServer]:
    server = GitServer(tmp_path_factory.mktemp("git-server"))
    server.start()
    try:
        yield server
    finally:
        server.resume_packs()
        server.stop()


DOCKERFILE_V1 = "FROM scratch\nARG DISTRO\nARG SINDRI_VERSION\nCOPY v3/README /README\n"


@pytest.fixture(scope="session")
def _sindri_sources_template(tmp_path_factory: pytest.TempPathFactory) -> SourceRepo:
    """Built once per session (never served); each test serves its own copy."""
    repo = GitServer(tmp_path_factory.mktemp("git-template")).create_repo("sindri")
    first = {"v3/Dockerfile": DOCKERFILE_V1, "v3/README": "first\n"}
    repo.marks["first"] = repo.commit(first, message="first")
    repo.marks["tagged"] = repo.commit({"v3/README": "tagged\n"}, message="release")
    repo.tag("v3.0.0", repo.marks["tagged"])
    repo.tag("v3.1.0", repo.marks["tagged"], annotated=True)
    repo.marks["tip"] = repo.commit({"v3/README": "tip\n"}, message="tip")
    repo.marks["no-dockerfile"] = repo.commit({"README.md": "no v3 here\n"}, branch="no-dockerfile")
    return repo


@pytest.fixture
def sindri_sources(git_server: GitServer, _sindri_sources_template: SourceRepo) -> SourceRepo:
    return git_server.create_repo("sindri", template=_sindri_sources_template)


def install_git_wrapper(bin_dir: Path) -> GitCalls:
    """Write a logging ``git`` into ``bin_dir`` (put it first on ``PATH`` to use it)."""
    log = bin_dir / "git-calls.log"
    wrapper = bin_dir / "git"
    wrapper.write_text(_GIT_WRAPPER.format(log=log, git=REAL_GIT))
    wrapper.chmod(0o755)
    return GitCalls(log)


@pytest.fixture
def git_calls(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> GitCalls:
    bin_dir = tmp_path_factory.mktemp("git-wrapper")
    calls = install_git_wrapper(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return calls
