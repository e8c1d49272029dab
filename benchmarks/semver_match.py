"""Matching a version range over 100,000 tags in-process (issue 3: target <= 0.3 s).

Generates a deterministic repository-like tag list -- releases with and without ``v``,
prereleases, distro-suffixed tags and non-semver tags (``latest``, ``3.1``, ``sha256-….sig``)
-- and prints the median wall time of ``max_satisfying`` for a few ranges, with and without
``include_prerelease``, plus ``satisfying`` and ``sort_tags_desc``. The baseline is the bare
cost of running the version regex once over every tag in the same run. CPU time is printed
next to wall time because a busy machine inflates wall time; the target is on wall time.

    .venv/bin/python benchmarks/semver_match.py [--tags 100000] [--runs 9]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections.abc import Callable

from sindri_core.image.semver import (
    _VERSION,
    Range,
    max_satisfying,
    satisfying,
    sort_tags_desc,
)

TARGET_SECONDS = 0.3


def generate_tags(count: int, seed: int = 3) -> list[str]:
    rnd = random.Random(seed)
    tags: set[str] = {"latest", "stable", "main", "3.1", "v3", "edge"}
    while len(tags) < count:
        version = f"{rnd.randrange(40)}.{rnd.randrange(60)}.{rnd.randrange(120)}"
        kind = rnd.random()
        if kind < 0.60:
            tags.add(version)
        elif kind < 0.72:
            tags.add("v" + version)
        elif kind < 0.84:
            tags.add(f"{version}-{rnd.choice(['alpha', 'beta', 'rc'])}.{rnd.randrange(12)}")
        elif kind < 0.92:
            tags.add(f"{version}-{rnd.choice(['fedora', 'opensuse'])}")
        elif kind < 0.96:
            tags.add(f"sha256-{rnd.getrandbits(256):064x}.sig")
        else:
            tags.add(version.rsplit(".", 1)[0])
    ordered = sorted(tags)
    rnd.shuffle(ordered)
    return ordered


def median_seconds(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of ``action``."""
    action()  # warm-up
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    tags = generate_tags(args.tags)
    fullmatch = re.compile(_VERSION).fullmatch
    cases: dict[str, Callable[[], object]] = {
        "baseline: regex over every tag": lambda: [fullmatch(tag) for tag in tags],
    }
    for text in ("^3.1.0", "~5.2", ">=1.2.3 <4.0.0 || 10.x", "*", "1.2 - 20.3"):
        rng = Range.parse(text)
        for include_prerelease in (False, True):
            name = f"max_satisfying {text!r}" + (" +pre" if include_prerelease else "")
            cases[name] = lambda rng=rng, p=include_prerelease: max_satisfying(tags, rng, p)
    cases["max_satisfying '^3' variant=fedora"] = lambda: max_satisfying(
        tags, Range.parse("^3"), variant="fedora"
    )
    cases["satisfying '^3.1.0' (all, sorted)"] = lambda: satisfying(tags, Range.parse("^3.1.0"))
    cases["sort_tags_desc (all)"] = lambda: sort_tags_desc(tags)

    print(f"{len(tags):,} tags, median of {args.runs} runs (Python {sys.version.split()[0]})")
    print(f"{'':<44}{'wall':>9}{'cpu':>11}{'ratio':>7}  target (wall)")
    baseline = None
    for name, action in cases.items():
        seconds, cpu = median_seconds(action, args.runs)
        baseline = baseline or seconds
        verdict = ""
        if name.startswith("max_satisfying"):
            verdict = f"<= {TARGET_SECONDS}s " + ("ok" if seconds <= TARGET_SECONDS else "MISSED")
        print(
            f"{name:<44}{seconds * 1000:>7.1f}ms{cpu * 1000:>9.1f}ms"
            f"{seconds / baseline:>7.2f}x  {verdict}"
        )


if __name__ == "__main__":
    main()
