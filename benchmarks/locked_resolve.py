"""A warm ``sindri image resolve --locked`` against ``sindri config validate`` (issue 28).

Starts a real ``docker-registry`` on loopback, pushes one image under 1,000 version tags,
writes ``sindri.lock`` with ``sindri image lock``, then **stops the registry** and measures in
pairs, in alternating order, on the same configuration:

    sindri image resolve --locked --json   (the lock answers: no request, no tag cache)
    sindri config validate                 (start-up plus loading the project and plugins)

and, for reference, the same configuration without a lock: its warm resolve (the tag cache
answers; ``benchmarks/resolve.py`` measures it against 10,000 tags) and its ``config
validate`` (which, with a lock present, also reads and checks the lock).

Target: resolve <= 1.1 x validate. On a shared machine the load changes between runs, so each
pair's ratio is computed from two runs made back to back, and the median ratio is reported
with its quartiles and extremes; the medians of each command are printed too.

    .venv/bin/python benchmarks/locked_resolve.py [--runs 41]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.resolve import run_once, sindri_argv, version_tags  # noqa: E402
from tests.support.registry import RegistryServer  # noqa: E402

TARGET = 1.1
RANGE = "^0.50"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=41, help="pairs to measure")
    parser.add_argument("--tags", type=int, default=1_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sindri-bench-locked-") as tmp:
        work = Path(tmp)
        registry = RegistryServer(work / "registry")
        project, unlocked = work / "project", work / "unlocked"
        project.mkdir()
        unlocked.mkdir()
        (work / "docker-config").mkdir()
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(
            SINDRI_CACHE_DIR=str(work / "cache"),
            SINDRI_TAG_CACHE_TTL="3600",  # the unlocked warm runs must not see it expire
            DOCKER_CONFIG=str(work / "docker-config"),
            PYTHONPYCACHEPREFIX=str(work / "pycache"),
        )
        sindri = sindri_argv()
        try:
            repo = "bench/locked"
            digest = registry.push_image(repo, ["latest"])
            registry.tag(repo, digest, version_tags(args.tags))
            (project / "sindri.yaml").write_text(
                "version: '3.0'\nname: bench\ndeployment:\n  provider: docker\n"
                f"  image_config:\n    registry: {registry.host}/{repo}\n"
                f"    version: '{RANGE}'\n"
            )
            (unlocked / "sindri.yaml").write_text((project / "sindri.yaml").read_text())
            run_once([*sindri, "image", "lock"], project, env)
            run_once([*sindri, "image", "resolve"], unlocked, env)  # fills the tag cache
        finally:
            registry.close()  # from here on nothing answers at the registry's address

        resolve = [*sindri, "image", "resolve", "--locked", "--json"]
        validate = [*sindri, "config", "validate"]
        locked = subprocess.run(resolve, cwd=project, env=env, capture_output=True, text=True)
        if locked.returncode != 0 or digest not in locked.stdout:
            sys.exit(f"the locked resolve did not answer from the lock: {locked.stderr}")
        for argv in (resolve, validate, resolve, validate):  # warm-up: bytecode, OS cache
            run_once(argv, project, env)

        resolves: list[float] = []
        validates: list[float] = []
        warm: list[float] = []
        bare: list[float] = []
        started = time.perf_counter()
        for number in range(args.runs):
            order = [(resolve, resolves), (validate, validates)]
            for argv, samples in order if number % 2 == 0 else reversed(order):
                samples.append(run_once(argv, project, env))
            warm.append(run_once([*sindri, "image", "resolve", "--json"], unlocked, env))
            bare.append(run_once(validate, unlocked, env))
        elapsed = time.perf_counter() - started

    ratios = sorted(r / v for r, v in zip(resolves, validates, strict=True))
    quartiles = statistics.quantiles(ratios, n=4)
    median = statistics.median(ratios)
    print(f"{args.runs} pairs in {elapsed:.0f}s; registry stopped; lock of {args.tags:,} tags")
    print(f"{'sindri image resolve --locked':<32}{statistics.median(resolves) * 1000:>8.1f}ms")
    print(f"{'sindri config validate':<32}{statistics.median(validates) * 1000:>8.1f}ms")
    print(f"{'(warm resolve without a lock)':<32}{statistics.median(warm) * 1000:>8.1f}ms")
    print(f"{'(config validate without a lock)':<32}{statistics.median(bare) * 1000:>8.1f}ms")
    against_bare = sorted(r / v for r, v in zip(resolves, bare, strict=True))
    print(f"paired ratio resolve --locked / validate without a lock: median "
          f"{statistics.median(against_bare):.3f}")  # fmt: skip
    print(
        f"paired ratio resolve/validate: median {median:.3f} (quartiles {quartiles[0]:.3f}-"
        f"{quartiles[2]:.3f}, min {ratios[0]:.3f}, max {ratios[-1]:.3f}); target <= {TARGET}: "
        + ("ok" if median <= TARGET else "MISSED")
    )


if __name__ == "__main__":
    main()
