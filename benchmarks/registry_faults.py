"""Hostile registries (issue 16): peak memory and wall time of ``sindri image resolve``.

Each scenario of ``tests/support/hostile_registry.py`` is served on loopback and a fresh
``sindri image resolve`` process runs against it with the default limits (registry deadline
120 s unless ``--deadline`` is given). Prints one line per scenario: exit status, peak RSS
(from ``wait4``), wall time, and the error sindri printed. The documented bound is 300 MB.

    .venv/bin/python benchmarks/registry_faults.py [--deadline SECONDS] [scenario ...]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.hostile_registry import (  # noqa: E402
    SCENARIOS,
    HostileRegistry,
    resolve_measured,
    write_project,
)

PEAK_BOUND_MB = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadline", type=float, help="SINDRI_REGISTRY_DEADLINE (default: unset)")
    parser.add_argument("scenarios", nargs="*", help=f"some of: {', '.join(SCENARIOS)}")
    args = parser.parse_args()
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario {', '.join(sorted(unknown))}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINDRI_REGISTRY_")}
    if args.deadline is not None:
        env["SINDRI_REGISTRY_DEADLINE"] = str(args.deadline)
    with tempfile.TemporaryDirectory() as scratch:
        env["SINDRI_CACHE_DIR"] = str(Path(scratch) / "cache")
        print(f"{'scenario':<18} {'exit':>4} {'peak MB':>8} {'seconds':>8}  error")
        worst = 0.0
        for scenario in args.scenarios or SCENARIOS:
            with HostileRegistry(scenario) as server:
                project = write_project(Path(scratch) / scenario, server.host)
                run = resolve_measured(project, env)
            worst = max(worst, run.peak_mb)
            error = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ""
            error = error.replace(server.host, "HOST")
            figures = f"{run.exit_code:>4} {run.peak_mb:>8.0f} {run.seconds:>8.1f}"
            print(f"{scenario:<18} {figures}  {error}")
        verdict = "within" if worst < PEAK_BOUND_MB else "OVER"
        print(f"peak memory {worst:.0f} MB: {verdict} the {PEAK_BOUND_MB} MB bound")


if __name__ == "__main__":
    main()
