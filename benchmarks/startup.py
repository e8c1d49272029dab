"""Startup time of the ``sindri`` CLI next to ``python -c "import click"``.

Every command is run as a fresh process, round-robin, ``--runs`` times after a warm-up
(``benchmarks/paired.py``); the script prints the median wall time of each, the median of its
ratios to the ``import click`` baseline run just before it in the same round, and the spread
of those ratios, next to the targets (issue 29; issue 2 had 1.3 and 2.5):

    sindri --version          <= 1.1 x baseline  (imports click and nothing else of note)
    sindri providers --json   (no target; shown for reference)
    sindri config validate    <= 2.2 x baseline

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
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.paired import measure, print_table

BASELINE = "python -c 'import click'"
TARGETS = {"sindri --version": 1.1, "sindri config validate": 2.2}  # issue 29

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
            BASELINE: ([sys.executable, "-c", "import click"], {}),
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
        samples = measure(commands, args.runs, project, env)

    print(f"{args.runs} paired rounds (Python {sys.version.split()[0]})")
    print_table(samples, BASELINE, TARGETS)


if __name__ == "__main__":
    main()
