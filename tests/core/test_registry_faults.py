"""Hostile registries on loopback against a real ``sindri image resolve`` process: every case
ends with one line naming the registry and the request, exit 1, within the memory bound.

The wall times are printed by ``benchmarks/registry_faults.py``; these tests assert behaviour
(the error, the exit status, peak memory under the documented 300 MB), not timings.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.hostile_registry import HostileRegistry, resolve_measured, write_project

pytestmark = pytest.mark.slow  # fresh sindri processes against loopback servers; no docker-registry

PEAK_MB = 300

CASES = [
    ("endless_body", "GET /v2/hostile/dev/tags/list failed: the answer is larger than 4 MiB"),
    ("two_million_tags", "GET /v2/hostile/dev/tags/list failed: the answer is larger than 4 MiB"),
    ("huge_token", "token request to http://{host}/token failed: the answer is larger than 1 MiB"),
    (
        "trickle",
        "GET /v2/hostile/dev/tags/list failed: no complete answer within the registry "
        "deadline of 2s (SINDRI_REGISTRY_DEADLINE)",
    ),
    ("storm_429", "GET /v2/ failed: 429 Too Many Requests"),
    ("endless_redirect", "GET /v2/hostile/dev/tags/list failed: more than 10 redirects"),
    ("token_unavailable", "token request to http://{host}/token failed: 503"),
]


@pytest.mark.parametrize(("scenario", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_registry_gives_one_line_within_bounds(
    tmp_path: Path, scenario: str, expected: str
) -> None:
    env = {**os.environ, "SINDRI_REGISTRY_DEADLINE": "2", "SINDRI_REGISTRY_TIMEOUT": "1"}
    with HostileRegistry(scenario) as server:
        project = write_project(tmp_path / "project", server.host)
        run = resolve_measured(project, env)
    assert run.exit_code == 1, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith(f"error: registry {server.host}: "), lines[0]
    assert expected.format(host=server.host) in lines[0]
    assert "internal error" not in lines[0]
    assert run.peak_mb < PEAK_MB, f"{scenario}: peak {run.peak_mb:.0f} MB"


def test_a_retry_after_beyond_the_deadline_fails_at_once(tmp_path: Path) -> None:
    env = {**os.environ, "SINDRI_REGISTRY_DEADLINE": "5"}
    with HostileRegistry("storm_429") as server:
        project = write_project(tmp_path / "project", server.host)
        run = resolve_measured(project, env)
        asked = len(server.requests)
    assert run.exit_code == 1
    assert asked == 1  # no retry waits 29 s that the deadline does not have
    assert "stopped by the registry deadline of 5s" in run.stderr
