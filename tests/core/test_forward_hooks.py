"""``forward_hooks``: one line per lifecycle hook that only forwards to a function of the
provider's package, imported when the hook is first called; faults there stay the plugin's."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from sindri_core.plugin import forward_hooks
from tests.core.test_plugin_contract import _pluggy_floor
from tests.support.required import REPOSITORY, required_file

PLUGIN = """
from sindri_core.plugin import BuildLocation, Capabilities, ProviderInfo, forward_hooks, hookimpl

@hookimpl
def sindri_provider_info():
    return ProviderInfo("relay", "forwards", Capabilities(BuildLocation.NEVER))

globals().update(forward_hooks(__name__, plan="work:plan", status="work:{status}"))
"""
WORK = """
from sindri_core.plugin import DeploymentState, DeploymentStatus, Plan, PlannedAction

def plan(ctx, image):
    return Plan((PlannedAction("create", "thing:" + ctx.name, image.reference),))

def status(ctx, image):
    return {}["boom"]
"""
CONFIG = 'version: "3.0"\nname: demo\ndeployment:\n  provider: relay\n  image: ghcr.io/a/b:1\n'


@pytest.fixture
def relay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, register_provider: Any) -> Any:
    def make(status: str = "status") -> Path:
        package = tmp_path / "relaypkg"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "plugin.py").write_text(textwrap.dedent(PLUGIN).replace("{status}", status))
        (package / "work.py").write_text(textwrap.dedent(WORK))
        monkeypatch.syspath_prepend(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("relaypkg")]:
            monkeypatch.delitem(sys.modules, name)
        register_provider(importlib.import_module("relaypkg.plugin"), name="relay")
        project = tmp_path / "project"
        project.mkdir()
        (project / "sindri.yaml").write_text(CONFIG)
        return project

    return make


def test_a_forwarded_hook_gets_the_arguments_and_its_target_loads_on_first_call(
    relay: Any, sindri_cli: Any
) -> None:
    project = relay()
    assert "relaypkg.work" not in sys.modules  # registering imported only the plugin module
    plan = sindri_cli("plan", "--json", cwd=project).assert_ok().json()
    assert plan["actions"] == [
        {"action": "create", "resource": "thing:demo", "description": "ghcr.io/a/b:1"}
    ]


def test_a_fault_in_a_target_is_the_plugins(relay: Any, sindri_cli: Any) -> None:
    result = sindri_cli("status", cwd=relay())
    result.assert_error(
        1, "the relay provider", "failed in status: KeyError", "fault in the plugin"
    )


def test_a_missing_target_is_named(relay: Any, sindri_cli: Any) -> None:
    result = sindri_cli("status", cwd=relay(status="stauts"))
    result.assert_error(1, "relaypkg.work:stauts, which does not exist")


def test_an_operation_that_is_no_hook_is_refused() -> None:
    with pytest.raises(AttributeError, match="sindri_deplyo"):
        forward_hooks("pkg.plugin", deplyo="deploy:deploy")


LOWEST_PLUGGY_PROBE = """
import json, pluggy
from sindri_core.plugin_host import PluginHost
host = PluginHost()
seen = {name: sorted({tuple(i.argnames) for i in getattr(host.pm.hook, name).get_hookimpls()})
        for name in ("sindri_plan", "sindri_deploy", "sindri_connect")}
print(json.dumps({"pluggy": pluggy.__version__, "argnames": seen}))
"""


def test_the_lowest_allowed_pluggy_reads_the_forwarded_hooks_argument_names(
    tmp_path: Path,
) -> None:
    """pluggy before 1.7 reads argument names with ``inspect.signature``, 1.7 with the
    unwrapped function's code: both follow ``__wrapped__`` to the hookspec."""
    floor = _pluggy_floor()
    lowest = required_file(
        REPOSITORY / ".venv" / "lowest" / f"pluggy-{floor}", f"pluggy {floor} (scripts/bootstrap)"
    )
    env = {**os.environ, "PYTHONPATH": str(lowest), "SINDRI_CACHE_DIR": str(tmp_path / "c")}
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
    assert seen["argnames"] == {  # the five providers, one signature each
        "sindri_plan": [["ctx", "image"]],
        "sindri_deploy": [["ctx", "image", "build", "options"]],
        "sindri_connect": [["ctx", "command"]],
    }
