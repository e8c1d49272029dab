"""The release check: what would be uploaded to the package index, built and checked as a user
and the index would see it.

Every distribution builds an sdist, and its wheel is built from that sdist (so the sdist holds
everything the wheel needs). All twelve archives pass ``twine check --strict`` (the index's
rendering and metadata checks), carry the root LICENSE, and declare known classifiers that agree
with ``requires-python``; every wheel ships ``py.typed``. Each wheel installs on its own: a fresh
environment with ``sindri-core`` and one provider knows exactly that provider, and a type checker
in that environment reads the installed hints.

Archives are built with ``uv build`` and installed with ``uv pip install`` into fresh virtual
environments, offline from uv's cache (the dependency versions are pinned to the development
environment's, which scripts/bootstrap puts in uv's cache): no test reaches the package index.
"""

from __future__ import annotations

import email.parser
import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from email.message import Message
from pathlib import Path

import pytest
import trove_classifiers
from packaging.specifiers import SpecifierSet

from tests.support.type_check import mypy_errors

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
VERSION = "3.2.0"
# distribution folder → the provider it registers (None: sindri-core registers none)
DISTRIBUTIONS = {
    "sindri_core": None,
    "sindri_providers_docker": "docker",
    "sindri_providers_fly": "fly",
    "sindri_providers_devpod": "devpod",
    "sindri_providers_e2b": "e2b",
    "sindri_providers_k8s": "kubernetes",
}
PROVIDERS = [name for name, provider in DISTRIBUTIONS.items() if provider]
# Python versions sindri supports: the classifiers name those requires-python admits.
PYTHONS = ("3.11", "3.12", "3.13")


def _distribution(folder: str) -> str:
    return folder.replace("_", "-")


@pytest.fixture(scope="module")
def run_uv(uv_cache: str) -> Callable[..., None]:
    def run(*args: str, cwd: Path = ROOT, timeout: float = 300) -> None:
        """Run uv offline: no test reaches the package index (scripts/bootstrap fills the cache)."""
        uv = shutil.which("uv") or "uv"
        completed = subprocess.run(
            [uv, *args, "--cache-dir", uv_cache, "--offline"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if completed.returncode != 0:
            pytest.fail(
                f"uv {' '.join(args)} failed offline (does uv's cache lack something? "
                f"scripts/bootstrap fills it):\n{completed.stderr.strip()[-2000:]}"
            )

    return run


@pytest.fixture(scope="module")
def sdists(
    tmp_path_factory: pytest.TempPathFactory, run_uv: Callable[..., None]
) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    run_uv("build", "--all-packages", "--sdist", "--out-dir", str(out), "--quiet")
    found = {path.name.split("-")[0]: path for path in out.glob("*.tar.gz")}
    assert set(found) == set(DISTRIBUTIONS), sorted(found)
    return found


@pytest.fixture(scope="module")
def wheels(sdists: dict[str, Path], run_uv: Callable[..., None]) -> dict[str, Path]:
    """Each wheel built from its sdist alone, as an installer building from source would."""
    for sdist in sdists.values():
        run_uv("build", "--wheel", "--out-dir", str(sdist.parent), "--quiet", str(sdist))
    out = next(iter(sdists.values())).parent
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
    tmp_path_factory: pytest.TempPathFactory,
    wheels: dict[str, Path],
    constraints: Path,
    run_uv: Callable[..., None],
) -> Callable[..., Path]:
    """``install(*distributions)`` → the ``bin`` folder of a fresh environment holding them."""

    def make(*names: str) -> Path:
        venv = tmp_path_factory.mktemp("venv-" + "-".join(n.rsplit("_", 1)[-1] for n in names))
        run_uv("venv", "--quiet", "--python", sys.executable, str(venv))
        python = venv / "bin" / "python"
        paths = [str(wheels[name]) for name in names]
        run_uv("pip", "install", "--quiet", "--python", str(python), "-c", str(constraints), *paths)
        return venv / "bin"

    return make


def _metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        text = archive.read(name).decode()
    return email.parser.Parser().parsestr(text)


def _providers(bin_dir: Path, tmp_path: Path) -> dict[str, object]:
    completed = subprocess.run(
        [str(bin_dir / "sindri"), "providers", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": str(bin_dir), "SINDRI_CACHE_DIR": str(tmp_path / "cache")},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


# -- the archives ---------------------------------------------------------------------------


def test_twine_check_strict_passes_on_all_twelve_archives(
    sdists: dict[str, Path], wheels: dict[str, Path]
) -> None:
    archives = [str(path) for path in (*sdists.values(), *wheels.values())]
    assert len(archives) == 12
    completed = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *archives],
        capture_output=True,
        text=True,
        timeout=120,
        env={"NO_COLOR": "1", "PATH": str(Path(sys.executable).parent)},
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.count("PASSED") == 12, completed.stdout


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_sdist_and_wheel_carry_the_root_licence(
    sdists: dict[str, Path], wheels: dict[str, Path], name: str
) -> None:
    licence = (ROOT / "LICENSE").read_text()
    assert "MIT License" in licence
    stem = f"{name}-{VERSION}"
    with tarfile.open(sdists[name]) as sdist:
        member = sdist.extractfile(f"{stem}/LICENSE")
        assert member is not None
        assert member.read().decode() == licence
    with zipfile.ZipFile(wheels[name]) as wheel:
        assert wheel.read(f"{stem}.dist-info/licenses/LICENSE").decode() == licence


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_wheel_holds_every_module_of_the_source_tree_and_py_typed(
    wheels: dict[str, Path], name: str
) -> None:
    package = ROOT / name / "src" / name
    sources = {
        path.relative_to(package.parent).as_posix()
        for path in package.rglob("*")
        if path.suffix in (".py", ".typed") and "__pycache__" not in path.parts
    }
    assert f"{name}/py.typed" in sources
    with zipfile.ZipFile(wheels[name]) as wheel:
        packed = set(wheel.namelist())
    assert sources - packed == set()


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_metadata_declares_licence_pythons_and_known_classifiers(
    wheels: dict[str, Path], name: str
) -> None:
    meta = _metadata(wheels[name])
    assert meta["Name"] == _distribution(name)
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    classifiers = meta.get_all("Classifier") or []
    # The index refuses unknown classifiers at upload time; twine does not check them.
    assert set(classifiers) - trove_classifiers.classifiers == set()
    # PEP 639: with License-Expression, licence classifiers are deprecated (some tools refuse).
    assert [c for c in classifiers if c.startswith("License ::")] == []
    admitted = SpecifierSet(meta["Requires-Python"])
    named = {c.rsplit(" :: ", 1)[1] for c in classifiers if c.startswith("Programming Language")}
    assert named - {"Only"} == {v for v in PYTHONS if v in admitted}
    assert "Operating System :: POSIX" in classifiers  # fcntl locks: no Windows
    assert "Typing :: Typed" in classifiers
    assert any(c.startswith("Topic :: ") for c in classifiers)
    assert "sindri" in meta["Keywords"].split(",")


def test_project_urls_agree_and_name_paths_of_this_tree(wheels: dict[str, Path]) -> None:
    homes = set()
    for name, wheel in sorted(wheels.items()):
        urls = dict(v.split(", ", 1) for v in _metadata(wheel).get_all("Project-URL") or [])
        assert set(urls) == {"Homepage", "Documentation", "Source", "Changelog", "Issues"}, name
        home = urls["Homepage"]
        homes.add(home)
        assert urls["Issues"] == f"{home}/issues"
        assert urls["Changelog"] == f"{home}/blob/main/CHANGELOG.md"
        assert urls["Source"] == f"{home}/tree/main/{name}"
        for url in urls.values():
            for view in ("/blob/main/", "/tree/main/"):
                if url.startswith(home + view):
                    path = url.removeprefix(home + view)
                    assert (ROOT / path).exists(), (name, url)
        provider = DISTRIBUTIONS[name]
        if provider:
            assert urls["Documentation"] == f"{home}/blob/main/docs/providers/{provider}.md"
    assert len(homes) == 1, homes


# -- installed alone ------------------------------------------------------------------------


def test_core_alone_knows_no_provider(install: Callable[..., Path], tmp_path: Path) -> None:
    data = _providers(install("sindri_core"), tmp_path)
    assert data == {**data, "providers": [], "failed": []}


@pytest.mark.parametrize("name", PROVIDERS)
def test_core_and_one_provider_know_exactly_that_provider(
    install: Callable[..., Path], tmp_path: Path, name: str
) -> None:
    data = _providers(install("sindri_core", name), tmp_path)
    assert data["failed"] == []
    (provider,) = data["providers"]
    assert (provider["name"], provider["distribution"], provider["version"]) == (
        DISTRIBUTIONS[name],
        _distribution(name),
        VERSION,
    )


def test_all_six_distributions_list_the_five_providers(
    install: Callable[..., Path], tmp_path: Path
) -> None:
    bin_dir = install(*DISTRIBUTIONS)
    data = _providers(bin_dir, tmp_path)
    assert data["failed"] == []
    assert {p["name"]: p["distribution"] for p in data["providers"]} == {
        provider: _distribution(name) for name, provider in DISTRIBUTIONS.items() if provider
    }


def test_the_all_extra_of_sindri_core_installs_the_five_providers(
    wheels: dict[str, Path],
    constraints: Path,
    run_uv: Callable[..., None],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    # `pip install "sindri-core[all]"`: the extra names each provider distribution, found
    # here among the built wheels as an index would serve them.
    venv = tmp_path_factory.mktemp("venv-all-extra")
    run_uv("venv", "--quiet", "--python", sys.executable, str(venv))
    core = wheels["sindri_core"]
    requirement = f"sindri-core[all] @ {core.as_uri()}"
    run_uv(
        "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
        "-c", str(constraints), "--find-links", str(core.parent), requirement,
    )  # fmt: skip
    data = _providers(venv / "bin", tmp_path)
    assert data["failed"] == []
    assert {p["name"] for p in data["providers"]} == {p for p in DISTRIBUTIONS.values() if p}


def test_a_type_checker_reads_the_installed_hints(
    install: Callable[..., Path], tmp_path: Path
) -> None:
    """py.typed at work: mypy, pointed at the fresh environment, analyses the installed
    packages (without the marker it skips them as untyped) and so catches a misuse."""
    bin_dir = install(*DISTRIBUTIONS)
    user = tmp_path / "user.py"
    imports = "".join(f"import {name}.plugin\n" for name in PROVIDERS)
    user.write_text(
        f"from sindri_core.api import Project\n{imports}name: int = Project.load('sindri.yaml')\n"
    )
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n")
    errors, output = mypy_errors(
        "--config-file",
        str(config),
        "--python-executable",
        str(bin_dir / "python"),
        user.name,
        cwd=tmp_path,
    )
    assert errors == [
        f"{user.name}:{len(PROVIDERS) + 2}: error: Incompatible types in assignment "
        '(expression has type "Project", variable has type "int")  [assignment]'
    ], output
