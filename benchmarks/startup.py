"""Startup time of the ``sindri`` CLI next to ``python -c "import click"``.

Every command is run as a fresh process, round-robin, ``--runs`` times after a warm-up; the
script prints the median wall time of each and its ratio to the ``import click`` baseline
measured in the same run, next to the target from issue 2. Two ratios are shown: the ratio
of the medians, and the median of the ratios within each round (each command against the
baseline run just before it), which cancels the machine speeding up or slowing down between
rounds; the verdict uses the second, and both are printed:

    sindri --version          <= 1.3 x baseline  (imports no provider, no HTTP library)
    sindri providers --json   (no target; shown for reference)
    sindri config validate    <= 2.5 x baseline

Rows in parentheses are diagnostics: validation with only the configured provider's plugin
loaded (what importing every installed provider costs), and a bare import of the libraries
validation needs (the floor no code change in sindri can go below).

Bytecode is compiled once into a temporary ``PYTHONPYCACHEPREFIX`` (as in a normal install,
where pip writes ``.pyc`` files) without writing ``__pycache__`` into the checkout, even when
``PYTHONDONTWRITEBYTECODE`` is set in the calling environment; sindri's cache (which holds the
plugin list) is a temporary directory too, filled by the warm-up runs.

Run it with another environment's Python to measure that environment, e.g. a fresh venv
holding only the wheels: ``/tmp/venv/bin/python benchmarks/startup.py``.

    .venv/bin/python benchmarks/startup.py [--runs 31] [--config path/to/sindri.yaml]
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

EXAMPLE_CONFIG = """\
version: "3.0"
name: bench-env
deployment:
  provider: docker
  distro: ubuntu
  image_config:
    registry: ghcr.io/pacphi/sindri
    version: "^3.1.0"
    resolution_strategy: semver
    verify_signature: false
    pull_policy: IfNotPresent
  resources:
    memory: 4GB
    cpus: 2
  volumes:
    workspace:
      size: 20GB
extensions:
  profile: minimal
  additional: [python, nodejs]
secrets:
  - name: GITHUB_TOKEN
    source: env
  - name: SSH_KEY
    source: file
    path: ~/.ssh/id_ed25519.pub
    mountPath: /home/developer/.ssh/authorized_keys
providers:
  docker:
    network: bridge
"""


def _sindri_argv() -> list[str]:
    script = Path(sys.executable).with_name("sindri")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "sindri_core"]


def _run_once(command: tuple[list[str], dict[str, str]], cwd: Path, env: dict[str, str]) -> float:
    argv, extra_env = command
    start = time.perf_counter()
    completed = subprocess.run(
        argv,
        cwd=cwd,
        env={**env, **extra_env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({completed.returncode}): {completed.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--config", type=Path, help="a sindri.yaml to validate")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sindri-bench-") as tmp:
        work = Path(tmp)
        project = work / "project"
        project.mkdir()
        if args.config:
            (project / "sindri.yaml").write_text(args.config.read_text())
        else:
            (project / "sindri.yaml").write_text(EXAMPLE_CONFIG)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        env["SINDRI_CACHE_DIR"] = str(work / "cache")  # the plugin cache, filled by the warm-up
        sindri = _sindri_argv()
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c 'import click'": ([sys.executable, "-c", "import click"], {}),
            "sindri --version": ([*sindri, "--version"], {}),
            "sindri providers --json": ([*sindri, "providers", "--json"], {}),
            "sindri config validate": ([*sindri, "config", "validate"], {}),
        }
        if not args.config:
            # Diagnostic: the same with the other providers' plugins not imported, which shows
            # what importing every installed provider's plugin module costs.
            others = {"SINDRI_DISABLE_PLUGINS": "fly,devpod,e2b,kubernetes"}
            commands["  (only docker loaded)"] = ([*sindri, "config", "validate"], others)
        # Diagnostic: importing the libraries sindri-core depends on, and nothing else.
        floor = "import click, attrs, cattrs, ruamel.yaml, pluggy, pathlib"
        commands["  (required libraries only)"] = ([sys.executable, "-c", floor], {})
        targets = {"sindri --version": 1.3, "sindri config validate": 2.5}
        for command in commands.values():  # warm-up: compile bytecode, fill the caches
            _run_once(command, project, env)
            _run_once(command, project, env)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                samples[name].append(_run_once(command, project, env))

    baseline_samples = samples[next(iter(commands))]
    baseline = statistics.median(baseline_samples)
    print(f"median wall time over {args.runs} runs (Python {sys.version.split()[0]})")
    print(f"{'command':<28}{'median':>10}{'baseline':>10}{'ratio':>8}{'paired':>8}  target")
    for name, values in samples.items():
        median = statistics.median(values)
        ratio = median / baseline
        paired = statistics.median(v / b for v, b in zip(values, baseline_samples, strict=True))
        target = targets.get(name)
        verdict = "-"
        if target is not None:
            verdict = f"<= {target}x " + ("ok" if paired <= target else "MISSED")
        print(
            f"{name:<28}{median * 1000:>8.1f}ms{baseline * 1000:>8.1f}ms{ratio:>7.2f}x"
            f"{paired:>7.2f}x  {verdict}"
        )


if __name__ == "__main__":
    main()
