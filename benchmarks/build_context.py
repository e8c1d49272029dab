"""Build contexts: fetching the Sindri sources and fingerprinting a context (issue 4).

Serves a repository shaped like the Sindri sources (``v3/Dockerfile`` and ``--files`` files,
tag ``v3.1.0``) from a real ``git daemon`` on loopback and prints the median wall time of:

    cold fetch        fetch_build_context of the tag into an empty cache (ls-remote + clone)
    warm fetch        the same tag again (the cache: no network, no git process)
    fingerprint       the content fingerprint of a local ``--files``-file context
    sindri image resolve --json   vs   sindri config validate
                      fresh processes, on a config whose build source is the cached tag;
                      target <= 1.3 x, and no git process at all during the resolves

    .venv/bin/python benchmarks/build_context.py [--files 2000] [--runs 9]
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.resolve import run_once, sindri_argv  # noqa: E402
from benchmarks.semver_match import median_seconds  # noqa: E402
from tests.support.fetch_driver import fetch_sources  # noqa: E402
from tests.support.git_server import (  # noqa: E402
    DOCKERFILE_V1,
    GitServer,
    install_git_wrapper,
)

RATIO_TARGET = 1.3


def context_files(count: int) -> dict[str, str]:
    """``count`` small source-like files in nested directories (0.5-4 KiB each)."""
    return {
        f"v3/src/mod{i // 100:02d}/pkg{i // 10 % 10}/file{i}.py": f"# file {i}\n"
        + "x = 1\n" * (80 + i % 600)
        for i in range(count)
    }


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sindri-bench-build-") as tmp:
        work = Path(tmp)
        os.environ["SINDRI_CACHE_DIR"] = str(work / "cache-warm")
        server = GitServer(work / "git")
        server.start()
        try:
            repo = server.create_repo("sindri")
            files = {"v3/Dockerfile": DOCKERFILE_V1, "v3/README": "bench\n"}
            commit = repo.commit({**files, **context_files(args.files)}, message="bench")
            repo.tag("v3.1.0", commit, annotated=True)

            cold_runs = itertools.count()

            def cold() -> None:
                os.environ["SINDRI_CACHE_DIR"] = str(work / f"cache-cold-{next(cold_runs)}")
                fetch_sources(repo.url, "v3.1.0")

            cold_fetch = median_seconds(cold, args.runs)
            os.environ["SINDRI_CACHE_DIR"] = str(work / "cache-warm")
            fetch_sources(repo.url, "v3.1.0")
            warm_fetch = median_seconds(lambda: fetch_sources(repo.url, "v3.1.0"), args.runs)
            cli = compare_cli(work, repo.url, args.runs)
        finally:
            server.stop()

        local = work / "local"
        write_files(local, {"Dockerfile": "FROM scratch\nCOPY . /src\n"})
        write_files(local, context_files(args.files))
        (local / ".dockerignore").write_text("**/*.pyc\n.git\n")
        from sindri_core.build.fingerprint import fingerprint

        build_args = {"DISTRO": "ubuntu", "SINDRI_VERSION": "3.2.0"}
        digest = median_seconds(
            lambda: fingerprint(local, local / "Dockerfile", build_args), args.runs
        )

    report(args, cold_fetch, warm_fetch, digest, cli)


def compare_cli(work: Path, url: str, runs: int) -> dict[str, float | int]:
    """``image resolve --json`` and ``config validate`` as fresh processes, round-robin,
    with a logging ``git`` first on PATH to prove the resolves run none."""
    project = work / "project"
    project.mkdir()
    (project / "sindri.yaml").write_text(
        "version: '3.0'\nname: bench\ndeployment:\n  provider: docker\n"
        f"  buildFromSource:\n    repository: {url}\n    gitRef: v3.1.0\n"
    )
    bin_dir = work / "bin"
    bin_dir.mkdir()
    git_calls = install_git_wrapper(bin_dir)
    (work / "docker-config").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        SINDRI_CACHE_DIR=str(work / "cache-warm"),
        DOCKER_CONFIG=str(work / "docker-config"),
        PYTHONPYCACHEPREFIX=str(work / "pycache"),
    )
    sindri = sindri_argv()
    commands = {
        "sindri image resolve --json": [*sindri, "image", "resolve", "--json"],
        "sindri config validate": [*sindri, "config", "validate"],
    }
    for argv in commands.values():  # warm-up: bytecode, OS cache
        run_once(argv, project, env)
        run_once(argv, project, env)
    resolved = subprocess.run(
        commands["sindri image resolve --json"], cwd=project, env=env, capture_output=True
    )
    if b"-SOURCE" in resolved.stdout:
        sys.exit(f"the cached tag was not used: {resolved.stdout.decode()}")
    git_calls.log.unlink(missing_ok=True)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            samples[name].append(run_once(argv, project, env))
    calls = len(git_calls())
    result: dict[str, float | int] = {n: statistics.median(v) for n, v in samples.items()}
    result["git processes"] = calls
    shutil.rmtree(work / "pycache", ignore_errors=True)
    return result


def report(args, cold, warm, digest, cli) -> None:  # type: ignore[no-untyped-def]
    """In-process measures are ``(wall, cpu)`` medians: CPU time shows the cost when the
    machine is busy; a fetch's wall time also includes git and the daemon."""
    print(f"Sindri-like sources with {args.files:,} files; median of {args.runs} runs")
    print(f"{'measure':<36}{'wall':>10}{'cpu':>10}  target")
    for name, (wall, cpu) in (
        ("cold fetch (ls-remote + clone)", cold),
        ("warm fetch (cached tag)", warm),
        (f"fingerprint, {args.files:,}-file context", digest),
    ):
        print(f"{name:<36}{wall * 1000:>8.1f}ms{cpu * 1000:>8.1f}ms  -")
    baseline = cli["sindri config validate"]
    resolve = cli["sindri image resolve --json"]
    ratio = resolve / baseline
    verdict = "ok" if ratio <= RATIO_TARGET and cli["git processes"] == 0 else "MISSED"
    print(f"{'sindri config validate':<36}{baseline * 1000:>8.1f}ms{'':>10}  baseline")
    print(
        f"{'sindri image resolve --json':<36}{resolve * 1000:>8.1f}ms{'':>10}"
        f"  {ratio:.2f}x (<= {RATIO_TARGET}x, no git) {verdict}"
    )
    print(f"{'git processes during the resolves':<36}{cli['git processes']:>10}")


if __name__ == "__main__":
    main()
