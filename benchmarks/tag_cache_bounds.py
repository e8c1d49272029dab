"""A planted tag cache (issue 24): time and peak memory of reading one cache file.

Each case writes a cache file for ``r.example/a/b`` into a fresh ``SINDRI_CACHE_DIR`` and
runs one ``tag_cache.cached_tags`` in a fresh process; the fetch stands in for the registry
and answers one tag. Prints whether the cache was used. Peak RSS is read by the child itself
(``getrusage``).

    .venv/bin/python benchmarks/tag_cache_bounds.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

READ = """
from sindri_core.image import tag_cache
hit = tag_cache.cached_tags("r.example", "a/b", lambda: ["1.0.0"])
import resource
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{peak:.0f}", "cache used" if hit.from_cache else "cache ignored: registry listed")
"""


def _write_document(path: Path, tags: int) -> None:
    """Written piece by piece: this process stays small, and a child forked from it does not
    inherit a large peak (Linux keeps the high-water mark across fork and exec)."""
    head = {"registry": "r.example", "repository": "a/b", "fetched_at": time.time()}
    with path.open("w") as out:
        out.write(json.dumps(head)[:-1] + ', "tags": [')
        for n in range(tags):
            out.write(f'{", " if n else ""}"1.0.{n}"')
        out.write("]}")


def _plant(directory: Path, case: str) -> None:
    tags = directory / "tags"
    tags.mkdir(parents=True)
    path = tags / "225f9961.json"  # crc32("r.example/a/b")
    if case == "1,000,000 tags":
        _write_document(path, 1_000_000)
    elif case == "200,000 tags (the limit)":
        _write_document(path, 200_000)
    elif case == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    elif case == "FIFO":
        os.mkfifo(path)
    elif case == "world-writable directory":
        _write_document(path, 10)
        tags.chmod(0o777)


CASES = (
    "200,000 tags (the limit)",
    "1,000,000 tags",
    "link to /dev/zero",
    "FIFO",
    "world-writable directory",
)


def main() -> None:
    print(f"{'case':<26} {'peak MB':>8} {'seconds':>8}  outcome")
    for case in CASES:
        with tempfile.TemporaryDirectory() as scratch:
            _plant(Path(scratch), case)
            env = {**os.environ, "SINDRI_CACHE_DIR": scratch, "PYTHONPATH": str(ROOT)}
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-c", READ],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                timeout=120,
            )
            seconds = time.monotonic() - started
            peak, _, outcome = done.stdout.strip().partition(" ")
            print(f"{case:<26} {peak:>8} {seconds:>8.2f}  {outcome}")


if __name__ == "__main__":
    main()
