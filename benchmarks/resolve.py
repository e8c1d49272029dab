"""Resolving a version range against a local registry holding 10,000 tags (issues 3 and 18).

Starts a real ``docker-registry`` on loopback (the test fixture's :class:`RegistryServer`),
pushes one tiny image and tags it ``--tags`` times, then measures, round-robin in the same
run after a warm-up:

    sindri image resolve --refresh --json (cold: lists every tag and reads the digest)
    skopeo list-tags --tls-verify=false docker://…   (lists the same tags)

Then the registry is stopped, and the warm path is measured in paired rounds
(``benchmarks/paired.py``), each against ``config validate`` of the same configuration run
just before it:

    sindri config validate                (start-up plus loading the project and plugins)
    sindri image resolve --json           (warm: tag list and digest cached, no request)
    sindri --version                      (the CLI's fixed start-up cost)

Targets: warm ``image resolve`` <= 1.1 x ``config validate`` (issue 29: a warm resolve costs
little more than loading the project), and the in-process resolution of the tags (list +
HEAD, no interpreter start-up) <= 1.5 x ``skopeo list-tags``. Also matching a range over
100,000 tags in-process (target <= 0.3 s; the generator is ``benchmarks/semver_match.py``'s).

    .venv/bin/python benchmarks/resolve.py [--tags 10000] [--runs 9] [--warm-runs 31]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.paired import measure, print_table  # noqa: E402
from benchmarks.semver_match import generate_tags  # noqa: E402
from tests.support.registry import RegistryServer  # noqa: E402

WARM_TARGET = 1.1
IN_PROCESS_TARGET = 1.5
MATCH_TARGET = 0.3
RANGE = "^7.10"
VALIDATE = "sindri config validate"


def sindri_argv() -> list[str]:
    script = Path(sys.executable).with_name("sindri")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sindri_core"]


def run_once(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall time of one run; a failure stops the benchmark with the command's error."""
    start = time.perf_counter()
    completed = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({completed.returncode}): {completed.stderr.decode()}")
    return elapsed


def median_in_process(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def version_tags(count: int) -> list[str]:
    """``count`` distinct X.Y.Z tags: 10 patches per minor, 100 minors per major."""
    return [f"{i // 1000}.{i // 10 % 100}.{i % 10}" for i in range(count)]


def in_process_resolution(project: Path) -> Callable[[], object]:
    from sindri_core.api import Project

    loaded = Project.load(project / "sindri.yaml")
    return lambda: loaded.resolve_image(refresh=True)


def _verdict(ratio: float, target: float, baseline: str) -> str:
    return f"<= {target}x {baseline} " + ("ok" if ratio <= target else "MISSED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--warm-runs", type=int, default=31)
    args = parser.parse_args()
    if shutil.which("skopeo") is None:
        sys.exit("skopeo is not installed; it is the baseline")

    with tempfile.TemporaryDirectory(prefix="sindri-bench-resolve-") as tmp:
        work = Path(tmp)
        registry = RegistryServer(work / "registry")
        try:
            repo = "bench/sindri"
            started = time.perf_counter()
            digest = registry.push_image(repo, ["latest"])
            tags = version_tags(args.tags)
            registry.tag(repo, digest, tags)
            print(f"pushed 1 image and {len(tags):,} tags in {time.perf_counter() - started:.1f}s")

            project = work / "project"
            project.mkdir()
            (project / "sindri.yaml").write_text(
                "version: '3.0'\nname: bench\ndeployment:\n  provider: docker\n"
                f"  image_config:\n    registry: {registry.host}/{repo}\n"
                f"    version: '{RANGE}'\n"
            )
            (work / "docker-config").mkdir()
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env.update(
                SINDRI_CACHE_DIR=str(work / "cache"),
                SINDRI_TAG_CACHE_TTL="3600",  # the warm runs must not see it expire
                DOCKER_CONFIG=str(work / "docker-config"),
                PYTHONPYCACHEPREFIX=str(work / "pycache"),
            )
            # The in-process measurement reads the same settings (and writes nothing to ~).
            os.environ.update({k: env[k] for k in ("SINDRI_CACHE_DIR", "SINDRI_TAG_CACHE_TTL",
                                                   "DOCKER_CONFIG")})  # fmt: skip
            sindri = sindri_argv()
            commands = {
                "sindri image resolve --refresh": [
                    *sindri, "image", "resolve", "--refresh", "--json",
                ],
                "skopeo list-tags": [
                    "skopeo", "list-tags", "--tls-verify=false",
                    f"docker://{registry.host}/{repo}",
                ],
            }  # fmt: skip
            for argv in commands.values():  # warm-up: bytecode, OS cache, registry cache
                run_once(argv, project, env)
                run_once(argv, project, env)
            samples: dict[str, list[float]] = {name: [] for name in commands}
            for _ in range(args.runs):
                for name, argv in commands.items():
                    samples[name].append(run_once(argv, project, env))
            resolve_in_process = median_in_process(in_process_resolution(project), args.runs)
        finally:
            registry.close()

        # The registry is gone: a warm resolve must need nothing from it.
        warm = {
            VALIDATE: ([*sindri, "config", "validate"], {}),
            "sindri image resolve --json (warm)": ([*sindri, "image", "resolve", "--json"], {}),
            "sindri --version": ([*sindri, "--version"], {}),
        }
        warm_samples = measure(warm, args.warm_runs, project, env)

    print(f"{len(tags) + 1:,} tags; range {RANGE!r}")
    print(f"registry stopped, {args.warm_runs} paired rounds:")
    print_table(warm_samples, VALIDATE, {"sindri image resolve --json (warm)": WARM_TARGET})
    print(f"\nregistry running, median of {args.runs} runs:")
    medians = {name: statistics.median(values) for name, values in samples.items()}
    skopeo = medians["skopeo list-tags"]
    print(f"{'command':<40}{'median':>10}{'vs skopeo':>11}  target")
    rows = [*medians.items(), ("resolve in-process (list + HEAD)", resolve_in_process)]
    for name, median in rows:
        verdict = "-"
        if name.startswith("resolve in-process"):
            verdict = _verdict(median / skopeo, IN_PROCESS_TARGET, "skopeo")
        print(f"{name:<40}{median * 1000:>8.1f}ms{median / skopeo:>10.2f}x  {verdict}")

    from sindri_core.image.semver import Range, max_satisfying

    many = generate_tags(100_000)
    rng = Range.parse("^3.1.0")
    seconds = median_in_process(lambda: max_satisfying(many, rng), args.runs)
    verdict = "ok" if seconds <= MATCH_TARGET else "MISSED"
    print(
        f"{'max_satisfying ^3.1.0, 100,000 tags':<36}{seconds * 1000:>8.1f}ms"
        f"{'':>8}  <= {MATCH_TARGET}s {verdict}"
    )


if __name__ == "__main__":
    main()
