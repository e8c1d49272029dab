"""Hostile configuration files (issue 16): how long ``sindri config validate`` takes to refuse
each, next to a valid file, as fresh processes (median of ``--runs``).

    valid                  a small valid sindri.yaml (the baseline: start-up and validation)
    flow list 32,000 deep  refused at level 65 (before: SIGSEGV)
    block lists 1,500 deep refused at level 65 (before: internal error RecursionError)
    block mapping 300 deep refused at level 65
    50 MB of keys          refused by size before parsing (before: 106 s and 5.3 GB)
    keys up to the limit   just under the size limit: parsed, first unknown key reported

Each must exit 2 with one line; the script prints the exit status, the median wall time, the
median ratio to the valid file's run in the same round, and the start of the error.

    .venv/bin/python benchmarks/config_bounds.py [--runs 9]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sindri_core.config.loader import MAX_CONFIG_BYTES  # noqa: E402

HEAD = "version: '3.0'\nname: bench\ndeployment:\n  provider: docker\n  image: busybox:1.36\n"


def _keys(size: int) -> str:
    lines, total = [], len(HEAD)
    for index in range(size):
        line = f"key{index}: {index}\n"
        if total + len(line) > size:
            break
        lines.append(line)
        total += len(line)
    return "".join(lines)


CASES = {
    "valid": "",
    "flow list 32,000 deep": "x: " + "[" * 32_000 + "]" * 32_000 + "\n",
    "block lists 1,500 deep": "x:\n  " + "- " * 1_500 + "a\n",
    "block mapping 300 deep": "".join(" " * i + f"k{i}:\n" for i in range(300)) + "v: 1\n",
    "50 MB of keys": _keys(50 * 1024 * 1024),
    "keys up to the limit": _keys(MAX_CONFIG_BYTES),
}


def _run(directory: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "sindri_core", "config", "validate"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        directories = {}
        for name, body in CASES.items():
            directory = Path(scratch) / name.replace(" ", "-").replace(",", "")
            directory.mkdir()
            (directory / "sindri.yaml").write_text(HEAD + body)
            directories[name] = directory
            _run(directory)  # warm-up
        # Round-robin, each case against the valid file's run in the same round, so the
        # machine's load drifting between rounds cancels out of the ratio.
        seconds: dict[str, list[float]] = {name: [] for name in CASES}
        ratios: dict[str, list[float]] = {name: [] for name in CASES}
        last: dict[str, subprocess.CompletedProcess[str]] = {}
        for _ in range(args.runs):
            for name, directory in directories.items():
                elapsed, last[name] = _run(directory)
                seconds[name].append(elapsed)
                ratios[name].append(elapsed / seconds["valid"][-1])
        print(f"{'case':<24} {'bytes':>9} {'exit':>4} {'median s':>8} {'x valid':>7}  error")
        for name, directory in directories.items():
            size = (directory / "sindri.yaml").stat().st_size
            result = last[name]
            median = statistics.median(seconds[name])
            ratio = statistics.median(ratios[name])
            error = result.stderr.strip()[:60]
            print(
                f"{name:<24} {size:>9} {result.returncode:>4} {median:>8.2f} {ratio:>7.2f}  {error}"
            )


if __name__ == "__main__":
    main()
