"""The loopback guard of the test session (a pytest plugin, loaded by the repository's
``conftest.py``; docs/adr/0016-pinned-oracles-and-loopback-guard.md).

``network_guard.c``, built by ``scripts/build-network-guard`` into ``.tools/lib``, is preloaded
into the pytest process and every dynamically linked process it starts: a connect or datagram
to anything outside loopback, a DNS query, or a host name ``/etc/hosts`` does not know is
refused before any packet leaves, whatever ``*_PROXY``/``NO_PROXY`` say. A process's preloads
are fixed when it starts, so a pytest started without the guard starts itself again with it.

Every refusal is one line in the session's log; a test whose setup, call or teardown caused
one fails, naming what it tried. A test that means to try (to see where something *would*
go) takes the refusals itself with the ``network_refusals`` fixture.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
LIBRARY = REPOSITORY / ".tools" / "lib" / "network-guard.so"
SOURCE = Path(__file__).with_name("network_guard.c")
BUILD = REPOSITORY / "scripts" / "build-network-guard"
LOG_VARIABLE = "SINDRI_TEST_NETWORK_LOG"
OWNER_VARIABLE = "SINDRI_TEST_NETWORK_LOG_OWNER"  # the pid that removes the log at the end

__all__ = ["LIBRARY", "Refusal", "RefusalLog", "guard_loaded"]


class Refusal(NamedTuple):
    """One refused attempt: the process, the call (``connect``, ``lookup``, …), the target."""

    pid: int
    call: str
    target: str

    def __str__(self) -> str:
        return f"{self.call} {self.target} (pid {self.pid})"

    @property
    def host_name(self) -> str | None:
        """The name a refused lookup or DNS query asked for (``None`` for other refusals)."""
        if self.call == "lookup" or "res_" in self.call:  # getaddrinfo, res_query, …
            return self.target
        _, query, rest = self.call.partition("(dns-query=")
        return rest.removesuffix(")") if query else None


class RefusalLog:
    """The session's log file, read from where the last reader stopped."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = path.stat().st_size if path.exists() else 0

    def take(self) -> list[Refusal]:
        """The refusals logged since the last ``take``."""
        try:
            if self.path.stat().st_size <= self._offset:
                return []
        except FileNotFoundError:
            return []
        with self.path.open("rb") as log:
            log.seek(self._offset)
            data = log.read()
        complete = data[: data.rfind(b"\n") + 1]  # a line still being written waits
        self._offset += len(complete)
        return [_parse(line) for line in complete.decode(errors="replace").splitlines()]


def _parse(line: str) -> Refusal:
    pid, call, target = [*line.split(" ", 2), "", ""][:3]
    return Refusal(int(pid) if pid.isdigit() else 0, call, target)


def guard_loaded() -> bool:
    """Whether this process runs with the guard preloaded."""
    return str(LIBRARY) in Path("/proc/self/maps").read_text()


def _ensure_built() -> None:
    if LIBRARY.exists() and LIBRARY.stat().st_mtime >= SOURCE.stat().st_mtime:
        return
    built = subprocess.run(["bash", str(BUILD)], capture_output=True, text=True, check=False)
    if built.returncode != 0:
        raise pytest.UsageError(
            f"the loopback guard {LIBRARY} could not be built ({built.stderr.strip()}); "
            "run scripts/bootstrap"
        )


def _restart_with_guard(config: pytest.Config) -> None:
    """Start this pytest again with the guard preloaded and a fresh log (never returns)."""
    if str(LIBRARY) in os.environ.get("LD_PRELOAD", ""):
        raise pytest.UsageError(f"LD_PRELOAD names {LIBRARY} but the loader did not load it")
    _ensure_built()
    preload = ":".join(filter(None, [str(LIBRARY), os.environ.get("LD_PRELOAD")]))
    environment = {**os.environ, "LD_PRELOAD": preload, **_new_log()}
    capture = config.pluginmanager.get_plugin("capturemanager")
    if capture is not None:
        capture.stop_global_capturing()  # the new process writes to the real stdout/stderr
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, sys.orig_argv, environment)  # noqa: S606 (the same argv)


def _new_log() -> dict[str, str]:
    handle, log = tempfile.mkstemp(prefix="sindri-network-guard-", suffix=".log")
    os.close(handle)
    return {LOG_VARIABLE: log, OWNER_VARIABLE: str(os.getpid())}  # execve keeps the pid


_log: RefusalLog | None = None


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    global _log
    if not guard_loaded():
        _restart_with_guard(config)
    if not os.environ.get(LOG_VARIABLE):  # preloaded by hand: a log of our own
        os.environ.update(_new_log())
    _log = RefusalLog(Path(os.environ[LOG_VARIABLE]))


def pytest_unconfigure(config: pytest.Config) -> None:
    if _log is not None and os.environ.get(OWNER_VARIABLE) == str(os.getpid()):
        for refusal in _log.take():  # after the last test: no test to blame
            sys.stderr.write(f"loopback guard: refused after the last test: {refusal}\n")
        _log.path.unlink(missing_ok=True)


def _checked(phase: str) -> Iterator[None]:
    """A hook wrapper's body: the phase fails when it caused a refusal."""
    failure: BaseException | None = None
    try:
        yield
    except BaseException as error:
        failure = error
    refused = _log.take() if _log is not None else []
    if refused:
        listed = "; ".join(str(refusal) for refusal in refused)
        also = f" (and it failed: {failure!r})" if failure is not None else ""
        pytest.fail(f"reached beyond loopback during {phase}: {listed}{also}", pytrace=False)
    if failure is not None:
        raise failure


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    return (yield from _checked("setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    return (yield from _checked("the test"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    return (yield from _checked("teardown"))


@pytest.fixture
def network_refusals() -> RefusalLog:
    """The guard's log, for a test that means to be refused: ``take()`` returns the attempts
    refused since the last take, and a taken refusal no longer fails the test."""
    assert _log is not None, "the loopback guard is not installed"
    return _log
