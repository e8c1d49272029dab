"""``plan`` asks the engine its questions concurrently (docs/adr/0022-fast-paths.md).

A runner stands in for the engine: each query waits at a barrier until all of them have
started, which only concurrent queries can pass. No sleeps: the barrier is the
synchronisation, and its timeout turns one-after-another into a failure.
"""

from __future__ import annotations

import json
import threading
import types
from pathlib import Path

import pytest

from sindri_core.errors import ExternalCommandError
from sindri_core.runner import CommandResult
from sindri_providers_docker.live import read_live
from sindri_providers_docker.names import DeploymentNames

NAMES = DeploymentNames("live-queries", Path("/nonexistent/.sindri/docker"))
FINGERPRINT = "f" * 64


class BarrierRunner:
    """Answers docker's three plan-time queries, each only once all of them are running."""

    def __init__(self, parties: int, fail: str | None = None) -> None:
        self.barrier = threading.Barrier(parties, timeout=20)
        self.fail = fail
        self.threads: set[int] = set()

    def run(self, argv: list[str], **kwargs: object) -> CommandResult:
        self.threads.add(threading.get_ident())
        self.barrier.wait()  # BrokenBarrierError when the queries run one after another
        command = " ".join(argv[1:3])
        if command == self.fail:
            raise ExternalCommandError(f"`docker {command}` failed")
        answers = {
            "container inspect": (0, json.dumps([_container()]), ""),
            "volume ls": (0, "sindri-live-queries-home\n", ""),
            "images --filter": (0, "sha256:" + "a" * 64 + "\n", ""),
        }
        code, out, err = answers[command]
        return CommandResult(tuple(argv), code, out, err)


def _container() -> dict[str, object]:
    return {
        "Id": "c" * 64,
        "Name": "/live-queries",
        "State": {"Status": "running", "Running": True},
        "Config": {"Image": "sindri:3.2.0-ffffffffffff", "Labels": {}},
        "Image": "sha256:" + "b" * 64,
    }


def _ctx(runner: BarrierRunner) -> types.SimpleNamespace:
    return types.SimpleNamespace(runner=runner)


def test_the_container_volumes_and_built_image_are_asked_for_at_once() -> None:
    runner = BarrierRunner(parties=3)
    live = read_live(_ctx(runner), NAMES, FINGERPRINT)  # type: ignore[arg-type]
    assert live.container is not None and live.container.running
    assert live.volumes == frozenset({"sindri-live-queries-home"})
    assert live.built is True
    assert len(runner.threads) == 3


def test_without_a_build_two_queries_run_and_nothing_is_built() -> None:
    live = read_live(_ctx(BarrierRunner(parties=2)), NAMES)  # type: ignore[arg-type]
    assert live.built is False
    assert live.volumes == frozenset({"sindri-live-queries-home"})


@pytest.mark.parametrize("failing", ["container inspect", "volume ls", "images --filter"])
def test_a_query_that_fails_fails_the_reading_with_its_own_error(failing: str) -> None:
    runner = BarrierRunner(parties=3, fail=failing)
    with pytest.raises(ExternalCommandError, match=f"docker {failing}"):
        read_live(_ctx(runner), NAMES, FINGERPRINT)  # type: ignore[arg-type]
