"""``sindri plan`` of the docker demo next to ``sindri config validate`` (issue 29).

Copies ``examples/demo`` (its Dockerfile builds a static busybox, ``/bin/busybox`` here)
under a unique deployment name (the Docker engine may be shared), then measures in paired
rounds (``benchmarks/paired.py``), each plan against ``config validate`` of the same
configuration run just before it, on the real engine:

    nothing deployed          plan: image fingerprint, compose file, three engine queries
    deployed and unchanged    the same after ``sindri deploy``: the queries find everything

Targets: plan <= 1.5 x validate with nothing deployed, <= 1.6 x once deployed and unchanged.
At the end the deployment, its volume and the image built for it are removed (by the
benchmark's own label), whatever happened.

    .venv/bin/python benchmarks/plan.py [--runs 31]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.paired import measure, print_table  # noqa: E402

DEMO = ROOT / "examples" / "demo"
BUSYBOX = Path("/bin/busybox")
VALIDATE = "sindri config validate"
PLAN = "sindri plan"
TARGETS = {"nothing deployed": 1.5, "deployed and unchanged": 1.6}
LABEL = "dev.sindri.benchmark"


def sindri_argv() -> list[str]:
    script = Path(sys.executable).with_name("sindri")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sindri_core"]


def write_project(project: Path, name: str, run_id: str) -> None:
    project.mkdir()
    config = (DEMO / "sindri.yaml").read_text().replace("name: demo", f"name: {name}")
    (project / "sindri.yaml").write_text(config)
    dockerfile = (DEMO / "Dockerfile").read_text() + f"LABEL {LABEL}={run_id}\n"
    (project / "Dockerfile").write_text(dockerfile)
    shutil.copy(BUSYBOX, project / "busybox")


def clean_up(sindri: list[str], project: Path, env: dict[str, str], run_id: str) -> None:
    subprocess.run(
        [*sindri, "-q", "destroy", "--yes", "--volumes"], cwd=project, env=env, check=False
    )
    images = subprocess.run(
        ["docker", "images", "--quiet", "--filter", f"label={LABEL}={run_id}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    if images:
        subprocess.run(["docker", "rmi", "--force", *set(images)], capture_output=True, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=31)
    args = parser.parse_args()
    if shutil.which("docker") is None or not BUSYBOX.exists():
        sys.exit("needs the docker CLI, a running engine and a static /bin/busybox")

    run_id = uuid.uuid4().hex[:10]
    sindri = sindri_argv()
    with tempfile.TemporaryDirectory(prefix="sindri-bench-plan-") as tmp:
        work = Path(tmp)
        project = work / "project"
        write_project(project, f"bench-plan-{run_id}", run_id)
        (work / "docker-config").mkdir()
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(
            SINDRI_CACHE_DIR=str(work / "cache"),
            DOCKER_CONFIG=str(work / "docker-config"),
            PYTHONPYCACHEPREFIX=str(work / "pycache"),
            # Compose v2 where docker has no plugin, as for the tests and the demo
            PATH=f"{ROOT / '.tools' / 'compose'}{os.pathsep}{os.environ['PATH']}",
        )
        commands = {
            VALIDATE: ([*sindri, "config", "validate"], {}),
            PLAN: ([*sindri, "plan"], {}),
        }
        results = {}
        try:
            results["nothing deployed"] = measure(commands, args.runs, project, env)
            subprocess.run([*sindri, "-q", "deploy"], cwd=project, env=env, check=True)
            results["deployed and unchanged"] = measure(commands, args.runs, project, env)
        finally:
            clean_up(sindri, project, env, run_id)

    print(f"docker demo, {args.runs} paired rounds each (Python {sys.version.split()[0]})")
    for state, samples in results.items():
        print(f"\n{state}:")
        print_table(samples, VALIDATE, {PLAN: TARGETS[state]})


if __name__ == "__main__":
    main()
