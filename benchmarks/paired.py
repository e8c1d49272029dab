"""Paired, interleaved wall-time measurement of CLI commands, for the benchmarks here.

Every command runs as a fresh process, round-robin: one round runs each command once, and a
command's ratio to the baseline is taken within the round (against the baseline run just
before it), which cancels the machine speeding up or slowing down between rounds. What is
printed per command: the median wall time, the median of the paired ratios, and their spread
(the 25th and 75th percentile), so a noisy run shows as one.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["Row", "measure", "print_table", "run_once"]

Command = tuple[Sequence[str], Mapping[str, str]]  # argv, extra environment


def run_once(command: Command, cwd: Path, env: Mapping[str, str]) -> float:
    """Wall time of one run; a failure stops the benchmark with the command's error."""
    argv, extra = command
    start = time.perf_counter()
    completed = subprocess.run(
        list(argv), cwd=cwd, env={**env, **extra}, capture_output=True, check=False
    )
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({completed.returncode}): {completed.stderr.decode()}")
    return elapsed


def measure(
    commands: Mapping[str, Command], runs: int, cwd: Path, env: Mapping[str, str], warmup: int = 2
) -> dict[str, list[float]]:
    """``runs`` rounds after ``warmup`` untimed ones; the wall times of each command."""
    for _ in range(warmup):  # bytecode, OS caches, sindri's caches
        for command in commands.values():
            run_once(command, cwd, env)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(run_once(command, cwd, env))
    return samples


class Row:
    """One command's figures against a baseline measured in the same rounds."""

    def __init__(self, values: list[float], baseline: list[float]) -> None:
        self.median = statistics.median(values)
        ratios = sorted(v / b for v, b in zip(values, baseline, strict=True))
        self.paired = statistics.median(ratios)
        quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
        self.low, self.high = quartiles[0], quartiles[2]


def print_table(
    samples: Mapping[str, list[float]], baseline: str, targets: Mapping[str, float]
) -> bool:
    """Each command's median, paired ratio to ``baseline`` and its spread, and the verdict
    for those with a target; whether every target was met."""
    base = samples[baseline]
    met = True
    print(f"baseline: {baseline} (median {statistics.median(base) * 1000:.1f}ms)")
    print(f"{'command':<40}{'median':>10}{'paired':>8}  {'p25-p75':<13} target")
    for name, values in samples.items():
        row = Row(values, base)
        target = targets.get(name)
        verdict = "-"
        if target is not None:
            ok = row.paired <= target
            met = met and ok
            verdict = f"<= {target}x " + ("ok" if ok else "MISSED")
        spread = f"{row.low:.2f}-{row.high:.2f}x"
        print(f"{name:<40}{row.median * 1000:>8.1f}ms{row.paired:>7.2f}x  {spread:<13} {verdict}")
    return met
