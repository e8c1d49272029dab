"""Every distribution builds a wheel that holds all its modules, and installs on its own: a
fresh environment with ``sindri-core`` and one provider knows exactly that provider.

Wheels are built with ``uv build`` and installed with ``uv pip install`` into fresh virtual
environments, offline from uv's cache when it can (the dependency versions are pinned to the
development environment's, which uv has cached), else from the package index.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DISTRIBUTIONS = {
    "sindri_core": "sindri_core",
    "sindri_providers_docker": "sindri_providers_docker",
    "sindri_providers_fly": "sindri_providers_fly",
    "sindri_providers_devpod": "sindri_providers_devpod",
    "sindri_providers_e2b": "sindri_providers_e2b",
    "sindri_providers_k8s": "sindri_providers_k8s",
}


def _uv(*args: str, cwd: Path = ROOT, timeout: float = 300) -> None:
    """Run uv offline first (fast, no network), then online if the cache lacks something."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("uv is needed to build and install the distributions (it runs the workspace)")
    failures = []
    for mode in (["--offline"], []):
        completed = subprocess.run(
            [uv, *args, *mode], cwd=cwd, capture_output=True, text=True, timeout=timeout
        )
        if completed.returncode == 0:
            return
        failures.append(completed.stderr.strip()[-2000:])
    pytest.fail(f"uv {' '.join(args)} failed:\n" + "\n---\n".join(failures))


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("wheels")
    _uv("build", "--all-packages", "--wheel", "--out-dir", str(out), "--quiet")
    found = {path.name.split("-")[0]: path for path in out.glob("*.whl")}
    assert set(found) == set(DISTRIBUTIONS), sorted(found)
    return found


@pytest.fixture(scope="module")
def constraints(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The development environment's dependency versions: what uv has in its cache."""
    freeze = subprocess.run(
        [sys.executable, "-m", "pip", "freeze"], capture_output=True, text=True, check=False
    )
    if freeze.returncode != 0:  # a uv-made venv may have no pip
        uv = shutil.which("uv") or "uv"
        freeze = subprocess.run(
            [uv, "pip", "freeze", "--python", sys.executable],
            capture_output=True,
            text=True,
            check=True,
        )
    pins = [
        line
        for line in freeze.stdout.splitlines()
        if "==" in line and not line.lower().startswith("sindri")
    ]
    path = tmp_path_factory.mktemp("pins") / "constraints.txt"
    path.write_text("\n".join(pins) + "\n")
    return path


@pytest.fixture(scope="module")
def install(
    tmp_path_factory: pytest.TempPathFactory, wheels: dict[str, Path], constraints: Path
) -> Callable[..., Path]:
    """``install(*distributions)`` → the ``sindri`` executable of a fresh environment."""

    def make(*names: str) -> Path:
        venv = tmp_path_factory.mktemp("venv-" + "-".join(n.rsplit("_", 1)[-1] for n in names))
        _uv("venv", "--quiet", "--python", sys.executable, str(venv))
        python = venv / "bin" / "python"
        paths = [str(wheels[name]) for name in names]
        _uv("pip", "install", "--quiet", "--python", str(python), "-c", str(constraints), *paths)
        return venv / "bin" / "sindri"

    return make


def _providers(sindri: Path, tmp_path: Path) -> dict[str, object]:
    completed = subprocess.run(
        [str(sindri), "providers", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": str(sindri.parent), "SINDRI_CACHE_DIR": str(tmp_path / "cache")},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_wheel_holds_every_module_of_the_source_tree(wheels: dict[str, Path], name: str) -> None:
    package = ROOT / name / "src" / DISTRIBUTIONS[name]
    sources = {
        path.relative_to(package.parent).as_posix()
        for path in package.rglob("*.py")
        if "__pycache__" not in path.parts
    }
    with zipfile.ZipFile(wheels[name]) as wheel:
        packed = {entry for entry in wheel.namelist() if entry.endswith(".py")}
    assert sources - packed == set()


def test_core_and_one_provider_know_exactly_that_provider(
    install: Callable[..., Path], tmp_path: Path
) -> None:
    sindri = install("sindri_core", "sindri_providers_fly")
    data = _providers(sindri, tmp_path)
    assert data["failed"] == []
    (fly,) = data["providers"]
    assert (fly["name"], fly["distribution"], fly["version"]) == (
        "fly",
        "sindri-providers-fly",
        "3.2.0",
    )
    assert fly["capabilities"]["build"] == "remote"


def test_all_six_distributions_list_the_five_providers(
    install: Callable[..., Path], tmp_path: Path
) -> None:
    sindri = install(*DISTRIBUTIONS)
    data = _providers(sindri, tmp_path)
    assert data["failed"] == []
    assert {p["name"]: p["distribution"] for p in data["providers"]} == {
        "devpod": "sindri-providers-devpod",
        "docker": "sindri-providers-docker",
        "e2b": "sindri-providers-e2b",
        "fly": "sindri-providers-fly",
        "kubernetes": "sindri-providers-k8s",
    }
