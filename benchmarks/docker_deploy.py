"""``sindri deploy`` of an already-built image next to plain compose (issue 5).

Builds a static-busybox image once (not through sindri), writes a project whose
``deployment.image`` is that image, lets sindri generate the compose file, and then measures,
round-robin in the same run after a warm-up, the median wall time of:

    sindri deploy                         a fresh process: config, chain, prerequisites,
                                          compose file, `compose up`, wait until running
    docker compose up -d --wait           the same generated compose file, same project

Each timed deploy is followed by an untimed teardown (``sindri destroy --yes`` /
``docker compose down``), so every run starts from the same state (home volume kept).
Target: sindri <= 1.3 x compose.

The no-op case (issue 17): with the deployment running and nothing changed, alternately

    sindri deploy                         finds the container up to date: no compose call
    docker compose up -d --wait           on sindri's own compose file, same project

Target: sindri <= 1.0 x compose. Also printed for orientation: ``sindri deploy --no-wait``
(no wait for a steady running state), ``sindri plan`` (the CLI's fixed cost: start-up,
plugins, configuration, image chain; no docker command) and ``sindri --version``
(interpreter start-up alone). Bytecode is compiled once into a temporary
``PYTHONPYCACHEPREFIX`` (as after a pip install), even when ``PYTHONDONTWRITEBYTECODE`` is set
in the calling environment, so no run pays for compiling every module from source.

    .venv/bin/python benchmarks/docker_deploy.py [--runs 9]
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
import uuid
from collections.abc import Callable
from pathlib import Path

RATIO_TARGET = 1.3
NOOP_RATIO_TARGET = 1.0
DOCKERFILE = """\
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1 & wait $!; done"]
"""
CONFIG = """\
version: "3.0"
name: {name}
deployment:
  provider: docker
  image: {image}
  resources: {{memory: 128MB, cpus: 1}}
  volumes: {{workspace: {{path: /workspace}}}}
"""


def sindri_argv() -> list[str]:
    return [str(Path(sys.executable).with_name("sindri"))]


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> None:
    completed = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({completed.returncode}): {completed.stderr}")


def timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    bench_id = uuid.uuid4().hex[:8]
    name, image = f"bench-{bench_id}", f"sindri-bench-busybox:{bench_id}"
    work = Path(tempfile.mkdtemp(prefix="sindri-bench-deploy-"))
    context, project = work / "context", work / "project"
    context.mkdir()
    project.mkdir()
    shutil.copy("/bin/busybox", context / "busybox")
    (context / "Dockerfile").write_text(DOCKERFILE)
    (project / "sindri.yaml").write_text(CONFIG.format(name=name, image=image))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    sindri = sindri_argv()
    baseline_file = work / "compose.yaml"
    compose = ["docker", "compose", "-p", f"sindri-{name}", "-f", str(baseline_file)]
    try:
        run(["docker", "build", "-q", "-t", image, str(context)], work, env)
        # Warm-up: caches, and the compose file sindri generates (the baseline's input).
        run([*sindri, "deploy"], project, env)
        shutil.copy(project / ".sindri" / "docker" / "compose.yaml", baseline_file)
        run([*sindri, "destroy", "--yes"], project, env)

        samples: dict[str, list[float]] = {
            "sindri deploy": [],
            "docker compose up -d --wait": [],
            "sindri deploy --no-wait": [],
            "sindri plan": [],
            "sindri --version": [],
        }
        for _ in range(args.runs):
            samples["sindri deploy"].append(timed(lambda: run([*sindri, "deploy"], project, env)))
            run([*sindri, "destroy", "--yes"], project, env)
            samples["docker compose up -d --wait"].append(
                timed(lambda: run([*compose, "up", "-d", "--wait"], work, env))
            )
            run([*compose, "down"], work, env)
            samples["sindri deploy --no-wait"].append(
                timed(lambda: run([*sindri, "deploy", "--no-wait"], project, env))
            )
            run([*sindri, "destroy", "--yes"], project, env)
            samples["sindri plan"].append(timed(lambda: run([*sindri, "plan"], project, env)))
            samples["sindri --version"].append(
                timed(lambda: run([*sindri, "--version"], project, env))
            )
        noop = noop_samples(args.runs, sindri, project, env, name)
    finally:
        subprocess.run(
            [*sindri, "destroy", "--yes", "--volumes"],
            cwd=project,
            env=env,
            check=False,
            capture_output=True,
        )
        subprocess.run(["docker", "rmi", "-f", image], check=False, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)

    medians = {label: statistics.median(values) for label, values in samples.items()}
    print(f"docker deploy of an already-built image, median of {args.runs} runs")
    for label, value in medians.items():
        print(f"  {label:<30} {value:7.3f} s")
    report_ratio(medians["sindri deploy"], medians["docker compose up -d --wait"], RATIO_TARGET)
    noop_medians = {label: statistics.median(values) for label, values in noop.items()}
    print(f"no-op deploy of the running, unchanged project, median of {args.runs} runs")
    for label, value in noop_medians.items():
        print(f"  {label:<30} {value:7.3f} s")
    labels = list(noop_medians)
    report_ratio(noop_medians[labels[0]], noop_medians[labels[1]], NOOP_RATIO_TARGET)


def noop_samples(
    runs: int, sindri: list[str], project: Path, env: dict[str, str], name: str
) -> dict[str, list[float]]:
    """Both sides against the same running deployment, which neither changes."""
    compose_file = project / ".sindri" / "docker" / "compose.yaml"
    compose = ["docker", "compose", "-p", f"sindri-{name}", "-f", str(compose_file)]
    run([*sindri, "deploy"], project, env)
    samples: dict[str, list[float]] = {
        "sindri deploy (no-op)": [],
        "docker compose up -d --wait": [],
    }
    for _ in range(runs):
        samples["sindri deploy (no-op)"].append(
            timed(lambda: run([*sindri, "deploy"], project, env))
        )
        samples["docker compose up -d --wait"].append(
            timed(lambda: run([*compose, "up", "-d", "--wait"], project, env))
        )
    return samples


def report_ratio(sindri: float, compose: float, target: float) -> None:
    ratio = sindri / compose
    verdict = "OK" if ratio <= target else "ABOVE TARGET"
    print(f"  ratio sindri / compose        {ratio:7.2f} x   (target <= {target} x: {verdict})")


if __name__ == "__main__":
    main()
