"""The plugin host's contract with plugins (docs/adr/0014-plugin-host-contract.md): a
plugin's fault is named as its own; a plugin that fails to register leaves nothing behind;
wrappers see what the documentation says; ``sindri providers`` lists every plugin; the
declared plugin API; the opt-in test kit; global options after the command."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import attrs
import pytest

from sindri_core import hookimpl, plugin
from sindri_core.api import Project
from sindri_core.errors import PluginLoadError
from sindri_core.lifecycle import Plan, ProviderContext
from sindri_core.plugins import PluginHost
from sindri_core.provider import BuildLocation, Capabilities
from tests.core.conftest import FIXTURE_DIST, FIXTURE_SITE
from tests.core.fake_providers import InfoOnlyProvider, RecordingProvider, config_text
from tests.support.required import REPOSITORY, required_file

IMAGE = "image: ghcr.io/x/y:1.0.0"
HINT = " (a fault in the plugin, not in sindri or sindri.yaml; --debug shows where)\n"


# -- 1. a provider's fault is named as its own -------------------------------------------------


@pytest.fixture
def faulty(fixture_site: Path, write_config: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The fixture distribution's ``faulty`` provider, and a project that selects it."""
    module = importlib.import_module("sindri_fixture_faulty")
    monkeypatch.setattr(module, "DONE", [])
    return module, write_config(config_text("faulty", IMAGE)).parent


FAULT = f"error: the faulty provider ({FIXTURE_DIST} 1.0) failed in "


@pytest.mark.parametrize(
    ("mode", "what"),
    [
        ("crash", "KeyError: 'missing'"),  # an exception that is not a SindriError
        ("dict", "sindri_plan returned dict, not Plan"),  # an answer of the wrong type
    ],
)
def test_a_provider_fault_names_provider_distribution_and_operation(
    faulty: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch, mode: str, what: str
) -> None:
    module, cwd = faulty
    monkeypatch.setattr(module, "MODE", mode)
    result = sindri_cli("plan", "--json", cwd=cwd)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == FAULT + "plan: " + what + HINT


def test_a_deploy_that_forgets_return_is_named_not_called_unimplemented(
    faulty: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, cwd = faulty
    monkeypatch.setattr(module, "MODE", "forgot")
    result = sindri_cli("deploy", cwd=cwd)
    assert result.exit_code == 1
    assert module.DONE == ["ghcr.io/x/y:1.0.0"]  # its side effects happened
    assert not (cwd / ".sindri").exists()  # the output directory made for it was empty
    assert result.diagnostics == (
        FAULT + "deploy: sindri_deploy returned NoneType, not DeployResult (a missing return?)"
        " (a fault in the plugin, not in sindri or sindri.yaml; --debug shows where)\n"
    )


def test_debug_shows_the_provider_frame(
    faulty: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, cwd = faulty
    monkeypatch.setattr(module, "MODE", "crash")
    result = sindri_cli("plan", "--debug", cwd=cwd)
    assert result.exit_code == 1
    assert "sindri_fixture_faulty.py" in result.stderr and "Traceback" in result.stderr
    assert result.stderr.endswith(FAULT + "plan: KeyError: 'missing'" + HINT)


def test_the_output_directory_exists_when_deploy_runs_and_plan_writes_nothing(
    faulty: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, cwd = faulty
    monkeypatch.setattr(module, "MODE", "write")
    assert sindri_cli("plan", cwd=cwd).exit_code == 0
    assert not (cwd / ".sindri").exists()
    result = sindri_cli("deploy", cwd=cwd)
    assert result.exit_code == 0, result.stderr
    assert (cwd / ".sindri" / "faulty" / "state.json").read_text() == "{}"


def test_a_wrapper_passing_on_a_core_failure_is_not_blamed(
    sindri_host: PluginHost,
    register_provider: Any,
    write_config: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Wraps(InfoOnlyProvider):
        @hookimpl(wrapper=True)
        def sindri_resolve_image(self, request: Any) -> Any:
            return (yield)

    register_provider(Wraps("wraps"), name="wraps-plugin")
    project = Project.load(write_config(config_text("wraps", IMAGE)), host=sindri_host)
    monkeypatch.setattr("sindri_core.image.chain.resolve", int)  # a bug of the core's own
    with pytest.raises(TypeError, match=r"int\(\) argument"):
        project.resolve_image()


# -- 2. isolation ------------------------------------------------------------------------------


def _modules_with_hooks(host: PluginHost) -> set[str]:
    return {
        impl.function.__module__
        for caller in vars(host.pm.hook).values()
        if hasattr(caller, "get_hookimpls")
        for impl in caller.get_hookimpls()
    }


def test_a_plugin_with_a_misspelled_argument_leaves_nothing_registered(
    fixture_site: Path,
) -> None:
    host = PluginHost()
    assert not host.pm.has_plugin("halfbad")
    assert "sindri_fixture_halfbad" not in _modules_with_hooks(host)
    assert "halfbad" not in host.catalog.names()
    statuses = [r.status for r in host.plugins() if r.name == "halfbad"]
    assert statuses == ["failed"]  # listed once, not also as active


def _pluggy_floor() -> str:
    text = (REPOSITORY / "sindri_core" / "pyproject.toml").read_text()
    match = re.search(r'"pluggy>=([0-9.]+),', text)
    assert match, "sindri-core declares a lower bound for pluggy"
    return match.group(1)


LOWEST_PLUGGY_PROBE = """
import json, pluggy
from sindri_core.plugins import PluginHost
host = PluginHost()
modules = sorted({impl.function.__module__ for caller in vars(host.pm.hook).values()
                  if hasattr(caller, "get_hookimpls") for impl in caller.get_hookimpls()})
print(json.dumps({"pluggy": pluggy.__version__, "registered": host.pm.has_plugin("halfbad"),
                  "modules": modules, "providers": host.catalog.names(),
                  "failed": [failure.name for failure in host.failures]}))
"""


def test_with_the_lowest_allowed_pluggy_a_failed_registration_leaves_nothing(
    tmp_path: Path,
) -> None:
    """pluggy before 1.7 kept a plugin that failed validation registered, with the hooks it
    had implemented correctly; sindri-core allows those releases."""
    floor = _pluggy_floor()
    lowest = required_file(
        REPOSITORY / ".venv" / "lowest" / f"pluggy-{floor}", f"pluggy {floor} (scripts/bootstrap)"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(lowest), str(FIXTURE_SITE)]),
        "SINDRI_CACHE_DIR": str(tmp_path / "cache"),
    }
    probe = subprocess.run(
        [sys.executable, "-c", LOWEST_PLUGGY_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    seen = json.loads(probe.stdout)
    assert seen["pluggy"].startswith(floor)
    assert seen["registered"] is False
    assert "sindri_fixture_halfbad" not in seen["modules"]
    assert "halfbad" in seen["failed"] and "halfbad" not in seen["providers"]
    assert "fixture" in seen["providers"]  # the healthy ones still load


def test_a_settings_class_naming_no_module_is_a_plugin_failure(
    fixture_site: Path, sindri_cli: Any
) -> None:
    data = sindri_cli("providers", "--json").json()
    assert "nosettings" not in {p["name"] for p in data["providers"]}
    failure = next(f for f in data["failed"] if f["name"] == "nosettings")
    assert (
        "'sindri_fixture_nosettings_missing.settings:Settings' names no module"
        in (failure["error"])
    )
    schema = sindri_cli("config", "schema")
    assert schema.exit_code == 0, schema.stderr  # the others' sections are described


def test_a_settings_class_that_does_not_import_is_a_failure_in_providers(
    sindri_host: PluginHost, register_provider: Any, sindri_cli: Any
) -> None:
    config_class = "sindri_core.config.model:NoSuchSettings"  # the module exists
    register_provider(InfoOnlyProvider("lazy", config_class=config_class), name="lazy")
    register_provider(InfoOnlyProvider("fine"), name="fine")
    schema = sindri_cli("config", "schema")
    assert schema.exit_code == 0, schema.stderr
    # k8s is the core's local cluster block (ADR 0012), there whatever is installed.
    assert set(schema.json()["properties"]["providers"]["properties"]) == {"fine", "k8s"}
    data = sindri_cli("providers", "--json").json()
    assert [p["name"] for p in data["providers"]] == ["fine"]
    assert data["failed"][0]["name"] == "lazy"
    assert "cannot import its settings class" in data["failed"][0]["error"]


def test_a_second_object_under_a_taken_name_is_an_error_naming_both(
    sindri_host: PluginHost,
) -> None:
    first = types.ModuleType("first_provider")
    sindri_host.register(first, name="shared-name")
    sindri_host.register(first, name="shared-name")  # the same object again: nothing to do
    with pytest.raises(PluginLoadError) as caught:
        sindri_host.register(InfoOnlyProvider("second"), name="shared-name")
    assert str(caught.value) == (
        "plugin name 'shared-name' is taken by module first_provider; "
        "tests.core.fake_providers.InfoOnlyProvider object was not registered"
    )
    assert sindri_host.pm.get_plugin("shared-name") is first


# -- 3. wrappers, plan-time build contexts, the plugin list ------------------------------------


def test_a_plugin_that_is_not_a_provider_wraps_every_providers_calls(
    fixture_site: Path, write_config: Any, tmp_path: Path
) -> None:
    extension = importlib.import_module("sindri_fixture_extension")
    host = PluginHost()
    for name in ("fixture", "faulty"):
        path = write_config(config_text(name, IMAGE), tmp_path / name)
        resolution = Project.load(path, host=host).resolve_image()
        assert resolution.notes[-1] == "seen by the extension"
    assert extension.SEEN == ["fixture", "faulty"]


class Planner(InfoOnlyProvider):
    """A builder whose plan shows the build context it asked for at plan time."""

    @hookimpl
    def sindri_plan(self, ctx: Any, image: Any) -> Plan:
        context = plugin.planned_context(ctx.config, ctx.project_dir, image.build)
        return Plan(notes=(f"fingerprint {context.fingerprint[:12]}",))


class Recorder:
    """A plugin that is not a provider, recording the build-context requests it sees."""

    def __init__(self) -> None:
        self.requests: list[Any] = []

    @hookimpl(wrapper=True)
    def sindri_fetch_build_context(self, request: Any) -> Any:
        self.requests.append(request)
        return (yield)


def test_plan_time_build_contexts_go_through_the_hook(
    sindri_host: PluginHost, register_provider: Any, write_config: Any
) -> None:
    register_provider(Planner("planner", build=BuildLocation.LOCAL), name="planner")
    recorder = Recorder()
    register_provider(recorder, name="recorder")
    path = write_config(config_text("planner"))
    (path.parent / "Dockerfile").write_text("FROM scratch\n")
    report = Project.load(path, host=sindri_host).plan()
    [request] = recorder.requests
    assert (request.planning, request.provider.name) == (True, "planner")
    assert report.plan.notes[0].startswith("fingerprint ")
    assert not (path.parent / ".sindri").exists()


def test_providers_json_lists_every_plugin_under_its_entry_point_name(
    fixture_site: Path, sindri_cli: Any
) -> None:
    result = sindri_cli("providers", "--json")
    plugins = {record["name"]: record for record in result.json()["plugins"]}
    assert plugins["extension"] == {
        "name": "extension",
        "distribution": FIXTURE_DIST,
        "version": "1.0",
        "hooks": ["sindri_resolve_image"],
        "status": "active",
        "provider": None,
        "error": None,
    }
    assert plugins["fixture-good"]["provider"] == "fixture"
    assert plugins["docker"]["distribution"] == "sindri-providers-docker"
    assert plugins["fixture-broken"]["status"] == "failed"
    assert "sindri_core.builtin" not in plugins
    text = sindri_cli("providers").stdout
    assert f"extension  {FIXTURE_DIST} 1.0  (not a provider: sindri_resolve_image)" in text
    assert f"fixture (aliases: fixture-alias)  {FIXTURE_DIST} 1.0  [plugin fixture-good]" in text


def test_an_entry_point_name_unlike_the_provider_name_is_warned_about(
    fixture_site: Path, sindri_cli: Any
) -> None:
    stderr = sindri_cli("providers", "--json").stderr
    assert (
        f"warning: plugin 'fixture-good' ({FIXTURE_DIST}) registers the provider 'fixture' "
        "under another name: SINDRI_DISABLE_PLUGINS takes 'fixture-good'\n"
    ) in stderr
    assert "'faulty'" not in stderr  # named alike: nothing to say


# -- 4. the declared plugin API ----------------------------------------------------------------


def test_the_plugin_api_declares_what_it_exports() -> None:
    assert set(plugin.__all__) == {*plugin._EXPORTS, "planned_context"}
    assert len(plugin.__all__) == len(set(plugin.__all__))
    for name in plugin.__all__:
        assert getattr(plugin, name) is not None
    with pytest.raises(AttributeError):
        _ = plugin.get_host  # the process-global host is not part of it


def test_importing_the_plugin_api_imports_nothing_else(tmp_path: Path) -> None:
    probe = (
        "import sys, sindri_core.plugin;"
        "print(sorted(m for m in sys.modules if m.startswith('sindri_core')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "['sindri_core', 'sindri_core.plugin']"


def test_the_provider_context_is_generic_over_its_settings() -> None:
    @attrs.frozen
    class Settings:
        region: str = "x"

    alias = ProviderContext[Settings]
    assert alias.__args__ == (Settings,)


def test_gpus_are_checked_against_the_providers_capabilities_in_the_core(
    sindri_host: PluginHost, register_provider: Any, write_config: Any, sindri_cli: Any
) -> None:
    gpu = "resources:\n  gpu:\n    enabled: true\n"
    register_provider(RecordingProvider("nogpu"), name="nogpu")
    able = RecordingProvider("gpus")
    able.info = attrs.evolve(
        able.info, capabilities=Capabilities(build=BuildLocation.NEVER, gpu=True)
    )
    register_provider(able, name="gpus")
    config = write_config(config_text("nogpu", IMAGE + "\n" + gpu))
    lines = config.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.endswith("enabled: true"))
    column = lines[line - 1].index("true") + 1
    for command in (("config", "validate"), ("plan",), ("deploy",)):
        result = sindri_cli(*command, cwd=config.parent)
        assert result.exit_code == 2
        assert result.stderr.startswith(
            f"error: sindri.yaml:{line}:{column}: deployment.resources.gpu.enabled: the nogpu "
            "provider offers no GPUs"
        )
        assert "providers with GPUs: gpus" in result.stderr


# -- 5. the test kit ---------------------------------------------------------------------------

KIT_USER = """
import types
from sindri_core.plugin import BuildLocation, Capabilities, ProviderInfo, hookimpl

def test_loose_functions(register_provider, sindri_host):
    info = ProviderInfo("loose", "loose functions", Capabilities(build=BuildLocation.NEVER))
    register_provider(types.SimpleNamespace(sindri_provider_info=hookimpl(lambda: info)))
    register_provider({"sindri_provider_info": hookimpl(lambda: ProviderInfo(
        "mapped", "a mapping", Capabilities(build=BuildLocation.NEVER)))}, name="mapped")
    assert sindri_host.catalog.names() == ["loose", "mapped"]
"""

UNRELATED_SUITE = """
import sys

def test_nothing_of_sindri_is_loaded():
    assert not [m for m in sys.modules if m.startswith("sindri_core")]
"""


def _pytest(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(directory)],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SINDRI_CACHE_DIR": str(directory / "cache")},
    )


def test_the_test_kit_stays_out_of_test_suites_that_do_not_ask_for_it(tmp_path: Path) -> None:
    (tmp_path / "test_other.py").write_text(UNRELATED_SUITE)
    result = _pytest(tmp_path)
    assert result.returncode == 0, result.stdout


def test_the_test_kit_opted_in_registers_loose_functions_as_a_module(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["sindri_core.testing"]\n')
    (tmp_path / "test_kit.py").write_text(KIT_USER)
    result = _pytest(tmp_path)
    assert result.returncode == 0, result.stdout


# -- 6. global options before or after the command ---------------------------------------------


class Chatty(RecordingProvider):
    """Logs a progress line while planning."""

    @hookimpl
    def sindri_plan(self, ctx: Any, image: Any) -> Plan:
        ctx.console.info("planning in detail")
        return Plan()


@pytest.mark.parametrize(
    "args",
    [
        ("-c", "{config}", "plan"),
        ("plan", "-c", "{config}"),
        ("plan", "--config={config}"),
        ("config", "validate", "-c", "{config}"),
        ("config", "-c", "{config}", "validate"),
        ("image", "resolve", "--json", "-c", "{config}"),
    ],
)
def test_the_config_option_is_accepted_before_or_after_the_command(
    sindri_host: PluginHost,
    register_provider: Any,
    write_config: Any,
    sindri_cli: Any,
    tmp_path: Path,
    args: tuple[str, ...],
) -> None:
    register_provider(Chatty("chatty"), name="chatty")
    config = write_config(config_text("chatty", IMAGE))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = sindri_cli(*(arg.format(config=config) for arg in args), cwd=elsewhere)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("args", [("-q", "plan"), ("plan", "-q"), ("plan", "--quiet")])
def test_quiet_is_accepted_before_or_after_the_command(
    sindri_host: PluginHost,
    register_provider: Any,
    write_config: Any,
    sindri_cli: Any,
    args: tuple[str, ...],
) -> None:
    register_provider(Chatty("chatty"), name="chatty")
    cwd = write_config(config_text("chatty", IMAGE)).parent
    loud = sindri_cli("plan", cwd=cwd)
    assert "planning in detail" in loud.stderr
    quiet = sindri_cli(*args, cwd=cwd)
    assert quiet.exit_code == 0 and "planning in detail" not in quiet.stderr


def test_deploy_takes_quiet_after_the_command(
    sindri_host: PluginHost, register_provider: Any, write_config: Any, sindri_cli: Any
) -> None:
    provider = RecordingProvider("rec")
    register_provider(provider, name="rec")
    cwd = write_config(config_text("rec", IMAGE)).parent
    result = sindri_cli("deploy", "-q", cwd=cwd)
    assert result.exit_code == 0, result.stderr
    assert "deploy" in provider.operations()


def test_connect_passes_options_after_its_command_on(
    sindri_host: PluginHost, register_provider: Any, write_config: Any, sindri_cli: Any
) -> None:
    provider = RecordingProvider("rec")
    register_provider(provider, name="rec")
    cwd = write_config(config_text("rec", IMAGE)).parent
    result = sindri_cli("connect", "-q", "sh", "-c", "true", "--debug", cwd=cwd)
    assert result.exit_code == 3, result.stderr  # the fake's answer
    [(_, kwargs)] = [call for call in provider.calls if call[0] == "connect"]
    assert kwargs["command"] == ("sh", "-c", "true", "--debug")
