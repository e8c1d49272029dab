"""Hostile configuration files (issue 16): how long ``sindri config validate`` takes to refuse
each, next to a valid file, as fresh processes (median of ``--runs``).

    valid                  a small valid sindri.yaml (the baseline: start-up and validation)
    flow list 32,000 deep  refused at level 65 (before: SIGSEGV)
    block lists 1,500 deep refused at level 65 (before: internal error RecursionError)
    block mapping 300 deep refused at level 65
    50 MB of keys          refused by size before parsing (before: 106 s and 5.3 GB)
    keys up to the limit   just under the size limit: parsed, first unknown key reported

Each must exit 2 with one line; the script prints the exit status, the median wall time and
the first 70 characters of the error.

    .venv/bin/python benchmarks/config_bounds.py [--runs 5]
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
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        print(f"{'case':<24} {'bytes':>9} {'exit':>4} {'median s':>8}  error")
        for name, body in CASES.items():
            directory = Path(scratch) / name.replace(" ", "-").replace(",", "")
            directory.mkdir()
            (directory / "sindri.yaml").write_text(HEAD + body)
            _run(directory)  # warm-up
            runs = [_run(directory) for _ in range(args.runs)]
            result = runs[-1][1]
            error = result.stderr.strip()[:70]
            median = statistics.median(seconds for seconds, _ in runs)
            size = len(HEAD + body)
            print(f"{name:<24} {size:>9} {result.returncode:>4} {median:>8.2f}  {error}")


if __name__ == "__main__":
    main()
