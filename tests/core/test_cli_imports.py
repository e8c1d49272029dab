"""``sindri --version`` and ``sindri --help`` import no provider and no HTTP library, checked
in a fresh interpreter (the in-process test session has imported everything already)."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json, sys
from sindri_core.cli.main import main
try:
    main(sys.argv[2:])
except SystemExit as exit:
    code = exit.code
with open(sys.argv[1], "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""


def _probe(tmp_path: Path, *args: str) -> tuple[set[str], str]:
    """The modules a fresh ``sindri *args`` imported, and what it printed."""
    report = tmp_path / "modules.json"
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, str(report), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    data = json.loads(report.read_text())
    assert data["code"] in (0, None), completed.stderr
    return set(data["modules"]), completed.stdout


def _modules_after(tmp_path: Path, *args: str) -> set[str]:
    return _probe(tmp_path, *args)[0]


def _top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


PROVIDERS = {
    "sindri_providers_docker",
    "sindri_providers_fly",
    "sindri_providers_devpod",
    "sindri_providers_e2b",
    "sindri_providers_k8s",
}
HTTP = {"requests", "urllib3", "tenacity", "hvac"}


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("config", "--help")])
def test_version_and_help_import_no_provider_and_no_http_library(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    loaded = _top_level(_modules_after(tmp_path, *args))
    assert "sindri_core" in loaded  # the probe really ran the CLI
    assert not loaded & PROVIDERS
    assert not loaded & HTTP


def test_version_imports_nothing_but_click(tmp_path: Path) -> None:
    modules = _modules_after(tmp_path, "--version")
    sindri = sorted(name for name in modules if name.startswith("sindri_core"))
    assert sindri == [
        "sindri_core",
        "sindri_core.cli",
        "sindri_core.cli.global_options",
        "sindri_core.cli.main",
    ]
    assert not _top_level(modules) & {"pluggy", "attr", "attrs", "cattrs", "ruamel"}
    assert "importlib.metadata" not in modules
    assert "signal" not in modules  # the SIGTERM handler is installed when a command runs


def _provider_modules(modules: set[str]) -> set[str]:
    """Modules of provider packages other than the plugin module every command loads."""
    return {
        name
        for name in modules
        if name.split(".")[0] in PROVIDERS and name.split(".", 1)[-1] != "plugin" and "." in name
    }


def test_config_validate_loads_each_provider_plugin_but_nothing_behind_it(
    tmp_path: Path, write_config
) -> None:
    # Every command loads every installed plugin; their hooks import the rest on first call,
    # and a provider's settings class is imported only for its providers.<name> section.
    config = write_config(
        """
        version: "3.0"
        name: imports
        deployment:
          provider: docker
          image: ghcr.io/pacphi/sindri:3.1.0
          image_config:
            registry: ghcr.io/pacphi/sindri
            version: "^3.1.0"
        providers:
          docker:
            network: bridge
        """
    )
    _modules_after(tmp_path, "-c", str(config), "config", "validate")  # fills the plugin cache
    modules = _modules_after(tmp_path, "-c", str(config), "config", "validate")
    assert {f"{p}.plugin" for p in PROVIDERS} <= modules  # all five really were loaded
    assert _provider_modules(modules) == {"sindri_providers_docker.settings"}
    assert not _top_level(modules) & HTTP
    assert "sindri_core.lifecycle" not in modules
    # Only a failure, a prerequisite check, `sindri providers` or a providers.k8s section
    # needs these (docs/adr/0022-fast-paths.md); a plain range needs no semver parser.
    assert not modules & {
        "traceback",
        "importlib.util",
        "importlib.metadata",
        "sindri_core.plugin_status",
        "sindri_core.prerequisites",
        "sindri_core.config.local_cluster_section",
        "sindri_core.image.semver",
    }
    assert "sindri_core.config.rules" in modules  # the version range really was checked


def test_a_range_beyond_the_plain_forms_is_checked_by_the_semver_parser(
    tmp_path: Path, write_config
) -> None:
    config = write_config(
        """
        version: "3.0"
        name: imports
        deployment:
          provider: docker
          image_config:
            registry: ghcr.io/pacphi/sindri
            version: ">=3.1.0 <3.4.0 || 4.x"
        """
    )
    assert "sindri_core.image.semver" in _modules_after(
        tmp_path, "-c", str(config), "config", "validate"
    )


@pytest.mark.parametrize("provider", ["docker", "kubernetes"])
def test_resolving_a_configured_image_imports_no_http_library_and_no_lifecycle(
    tmp_path: Path, write_config, provider: str
) -> None:
    config = write_config(
        f"""
        version: "3.0"
        name: imports
        deployment:
          provider: {provider}
          image: ghcr.io/pacphi/sindri:3.1.0
        """
    )
    modules = _modules_after(tmp_path, "-c", str(config), "image", "resolve")
    assert "sindri_core.image.chain" in modules  # the chain really ran
    assert not _top_level(modules) & HTTP
    # The build source cache is read for a git build only; lifecycle types for deploys.
    assert not modules & {"sindri_core.build.source_cache", "sindri_core.lifecycle"}
    # kubernetes wraps the chain with its images module, which needs no Docker helpers.
    assert _provider_modules(modules) <= {"sindri_providers_k8s.images"}
    assert "sindri_core.docker_engine" not in modules


FREEZE_PROBE = """
import gc, sys
from sindri_core.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(gc.get_freeze_count(), gc.isenabled(), file=sys.stderr)
"""


def test_the_sindri_process_freezes_what_start_up_loaded_and_collects_again(
    tmp_path: Path, write_config, sindri_cli
) -> None:
    config = write_config(
        'version: "3.0"\nname: frozen\ndeployment:\n  provider: docker\n'
        "  image: ghcr.io/pacphi/sindri:3.1.0\n"
    )
    args = ("-c", str(config), "config", "validate")
    completed = subprocess.run(
        [sys.executable, "-c", FREEZE_PROBE, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "valid (frozen on docker)" in completed.stdout
    frozen, enabled = completed.stderr.split()[-2:]
    assert int(frozen) > 1000  # modules, classes, the configuration
    assert enabled == "True"  # main() turned the collector off for start-up only
    # Run inside another process (this test session), the CLI leaves the collector alone.
    before = gc.get_freeze_count()
    gc.disable()
    try:
        assert sindri_cli(*args).exit_code == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert gc.get_freeze_count() == before


def test_a_warm_resolve_works_with_the_registry_gone_and_imports_no_http_library(
    tmp_path: Path, write_config, registry, faulty_proxy
) -> None:
    repo = registry.unique_repo()
    digest = registry.push_image(repo, ["1.2.0", "1.3.0", "2.0.0"])
    proxy = faulty_proxy(registry)
    config = write_config(
        f"""
        version: "3.0"
        name: warm
        deployment:
          provider: docker
          image_config:
            registry: {proxy.host}/{repo}
            version: "^1"
        """
    )
    args = ("-c", str(config), "image", "resolve", "--json")
    cold_modules, cold = _probe(tmp_path, *args)
    assert json.loads(cold)["reference"] == f"{proxy.host}/{repo}:1.3.0@{digest}"
    assert "requests" in cold_modules  # the cold run really went to the registry
    proxy.close()  # nothing answers at that address any more

    modules, warm = _probe(tmp_path, *args)

    assert json.loads(warm)["reference"] == f"{proxy.host}/{repo}:1.3.0@{digest}"
    assert not {"requests", "urllib3"} & _top_level(modules)
    assert "sindri_core.image.registry" not in modules
    # Resolving runs no command and writes no cache file.
    assert not modules & {"sindri_core.runner", "subprocess", "tempfile"}
    # A configured image looks for no build source, and the cache needs no OpenSSL.
    assert not {m for m in modules if m.startswith("sindri_core.build")}
    assert "hashlib" not in modules


CACHE_PROBE = """
import sys
from sindri_core.entry_points import find_entry_points
names = {entry.name for entry in find_entry_points("sindri.providers")}
print("docker" in names, "importlib.metadata" in sys.modules)
"""


def test_interpreters_sharing_a_cache_directory_keep_each_others_plugin_list(
    tmp_path: Path,
) -> None:
    # A second venv over the same packages, the venv's python3 next to its python, and a
    # PYTHONPATH entry: each sees its own sys.path. Taking turns, each scans
    # (importlib.metadata) at most once; afterwards every one reads its own cache file.
    other = tmp_path / "other-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(other)], check=True)
    site = next((other / "lib").glob("python*/site-packages"))
    here = next(p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    (site / "shared.pth").write_text(f"import site; site.addsitedir({here!r})\n")
    extra = tmp_path / "extra"
    extra.mkdir()
    python = Path(sys.executable)
    runs = {
        "venv python": ([str(python)], {}),
        "venv python3": ([str(python.with_name("python3"))], {}),
        "other venv": ([str(other / "bin" / "python")], {}),
        "PYTHONPATH": ([str(python)], {"PYTHONPATH": str(extra)}),
    }
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["SINDRI_CACHE_DIR"] = str(tmp_path / "shared-cache")

    def scanned(name: str) -> bool:
        argv, extra_env = runs[name]
        completed = subprocess.run(
            [*argv, "-c", CACHE_PROBE],
            capture_output=True,
            text=True,
            env={**env, **extra_env},
            timeout=60,
            check=True,
        )
        found, scan = completed.stdout.split()
        assert found == "True", name  # the plugins were found either way
        return scan == "True"

    first = [scanned(name) for name in runs]
    assert first == [True, False, True, True]  # python3 shares python's sys.path
    assert [scanned(name) for name in runs] == [False] * len(runs)
    assert len(list((tmp_path / "shared-cache" / "plugins").glob("*.cache"))) == 3


def test_plan_of_a_local_dockerfile_imports_no_git_fetcher_and_no_compose_machinery(
    tmp_path: Path, write_config
) -> None:
    # Read-only: the engine is asked about a deployment nobody made (a unique name).
    config = write_config(
        f"""
        version: "3.0"
        name: imports-{tmp_path.name[-20:].lower().replace("_", "-").strip("-")}
        deployment:
          provider: docker
        """
    )
    (config.parent / "Dockerfile").write_text("FROM scratch\n")
    modules, out = _probe(tmp_path, "-c", str(config), "plan")
    assert "build    image:sindri:" in out  # the plan really was made
    assert "sindri_providers_docker.deploy" in modules
    assert not modules & {
        "sindri_core.build.git_fetcher",
        "sindri_core.build.source_cache",
        "sindri_providers_docker.compose",
        "sindri_providers_docker.teardown",
        "sindri_providers_docker.container",
        "packaging",
    }
