"""A pytest plugin for testing sindri and third-party providers.

Opt in from your ``conftest.py`` (it is not loaded into every pytest run of an environment
where sindri-core happens to be installed)::

    pytest_plugins = ["sindri_core.testing"]

It adds fixtures and nothing else: no autouse fixture, no hook, nothing runs unless a test
asks for one of these:

``sindri_host``
    A fresh :class:`~sindri_core.plugins.PluginHost` with entry-point autoloading **off**
    (only the core's built-in plugin), installed as the process-wide host for the test.
    Without it, each test gets a new process-wide host on first use (installed plugins).
``register_provider``
    ``register_provider(plugin, name=None)`` registers a provider plugin on ``sindri_host``
    and unregisters it after the test. ``plugin`` is a module, a class instance, or loose
    ``@hookimpl`` functions given as a :class:`types.SimpleNamespace` or a mapping of names
    to functions (registered as a module of that name).
``fake_tools``
    A :class:`FakeTools` factory for executables on ``PATH`` that record their argv, stdin
    and working directory and answer from rules, standing in for CLIs that cannot run in
    tests (flyctl, devpod, e2b, kubectl, kind, k3d).
``sindri_cli``
    ``sindri_cli(*args, cwd=None, input=None)`` runs the CLI in-process and returns a
    :class:`CliResult` (exit code, stdout, stderr). It uses ``sindri_host`` when the test
    asks for it too, else the process-wide host (the installed plugins).
"""

from __future__ import annotations

import json
import os
import stat
import sys
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from sindri_core.plugins import PluginHost, set_host

__all__ = ["CliResult", "FakeTool", "FakeTools", "ToolCall"]


@pytest.fixture
def sindri_host(monkeypatch: pytest.MonkeyPatch) -> Iterator[PluginHost]:
    monkeypatch.delenv("SINDRI_STRICT_PLUGINS", raising=False)
    monkeypatch.delenv("SINDRI_DISABLE_PLUGINS", raising=False)
    host = PluginHost(load_entry_points=False)
    set_host(host)
    try:
        yield host
    finally:
        set_host(None)


@pytest.fixture
def register_provider(sindri_host: PluginHost) -> Iterator[Any]:
    registered: list[str] = []

    def register(plugin: object, name: str | None = None) -> str:
        plugin_name = name or getattr(plugin, "__name__", None) or f"fake-{len(registered)}"
        sindri_host.register(_as_plugin(plugin, plugin_name), name=plugin_name)
        registered.append(plugin_name)
        return plugin_name

    yield register
    for name in reversed(registered):
        if sindri_host.pm.has_plugin(name):
            sindri_host.unregister(name)


def _as_plugin(plugin: object, name: str) -> object:
    """Loose functions (a namespace or a mapping) become a module: pluggy keys plugins by
    identity and hash, and a namespace compares by value, so it cannot be hashed."""
    if isinstance(plugin, types.SimpleNamespace):
        plugin = vars(plugin)
    if not isinstance(plugin, Mapping):
        return plugin
    module = types.ModuleType(name)
    module.__dict__.update(plugin)
    return module


# -- the CLI in-process -------------------------------------------------------------------------


@attrs.frozen
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def diagnostics(self) -> str:
        """``stderr`` without the progress lines (``» step: done (1.2s)``): the warnings and
        errors."""
        return "".join(
            line for line in self.stderr.splitlines(keepends=True) if not line.startswith("» ")
        )


@pytest.fixture
def sindri_cli(monkeypatch: pytest.MonkeyPatch) -> Any:
    from click.testing import CliRunner

    from sindri_core.cli.main import cli

    def run(*args: str, cwd: Path | None = None, input: str | None = None) -> CliResult:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        runner = CliRunner()
        result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run


# -- fake executables ---------------------------------------------------------------------------


@attrs.frozen
class ToolCall:
    """One recorded invocation of a fake tool."""

    argv: list[str]
    stdin: str
    cwd: str
    env: dict[str, str]

    @property
    def args(self) -> list[str]:
        return self.argv[1:]


_FAKE_SCRIPT = r"""
import json, os, sys
here = os.path.dirname(os.path.abspath(__file__))
name = os.path.basename(sys.argv[0])
with open(os.path.join(here, name + ".rules.json")) as f:
    spec = json.load(f)
state_path = os.path.join(here, "state.json")
state = json.load(open(state_path)) if os.path.exists(state_path) else {}
# The bytes as sent (no newline translation); undecodable bytes survive as surrogates.
stdin = ("" if sys.stdin is None or sys.stdin.isatty()
         else sys.stdin.buffer.read().decode("utf-8", "surrogateescape"))
env = {k: v for k, v in os.environ.items() if k in spec.get("record_env", [])}
with open(os.path.join(here, "calls.jsonl"), "a") as log:
    log.write(json.dumps({"argv": [name] + sys.argv[1:], "stdin": stdin,
                          "cwd": os.getcwd(), "env": env}) + "\n")
args = sys.argv[1:]
if spec.get("model"):
    # The tool's own contract first: a model may refuse the argv as the real tool would.
    sys.path[:0] = spec["pythonpath"]
    import importlib
    module, _, function = spec["model"].partition(":")
    answer = getattr(importlib.import_module(module), function)(args, stdin, here)
    if answer is not None:
        code, out, err = answer
        sys.stdout.write(out)
        sys.stderr.write(err)
        sys.exit(code)
for rule in spec["rules"]:
    prefix = rule["args"]
    if args[:len(prefix)] != prefix:
        continue
    if any(a not in args for a in rule.get("contains", [])):
        continue
    if any(state.get(k) != v for k, v in rule.get("when", {}).items()):
        continue
    state.update(rule.get("set", {}))
    json.dump(state, open(state_path, "w"))
    out = rule.get("stdout", "")
    if "json" in rule:
        out = json.dumps(rule["json"], indent=2) + "\n"
    sys.stdout.write(out)
    sys.stderr.write(rule.get("stderr", ""))
    sys.exit(rule.get("exit", 0))
sys.stderr.write(spec.get("unknown", name + ": unknown command: " + " ".join(args)) + "\n")
sys.exit(spec.get("unknown_exit", 1))
"""


class FakeTool:
    """Rules for one fake executable. The first matching rule answers.

    ``tool.on("apps", "list", json=[...])`` answers ``<tool> apps list ...``; ``when`` and
    ``set`` read and write a small state shared by all fakes of the test (so an app can
    "exist" after ``apps create``); ``contains`` requires arguments anywhere in argv.
    :meth:`follow` puts a model of the real tool (its flags, its input parsers) in front of
    the rules.
    """

    def __init__(self, tools: FakeTools, name: str) -> None:
        self.tools = tools
        self.name = name
        self.rules: list[dict[str, Any]] = []
        self.record_env: list[str] = []
        self.model: str | None = None
        (tools.bin_dir / name).write_text(f"#!{sys.executable}\n{_FAKE_SCRIPT}")
        (tools.bin_dir / name).chmod(stat.S_IRWXU)
        self._save()

    def on(
        self,
        *args: str,
        stdout: str = "",
        stderr: str = "",
        exit: int = 0,
        json: Any = None,
        when: dict[str, Any] | None = None,
        set: dict[str, Any] | None = None,
        contains: tuple[str, ...] = (),
    ) -> FakeTool:
        rule: dict[str, Any] = {
            "args": list(args),
            "stdout": stdout,
            "stderr": stderr,
            "exit": exit,
            "when": when or {},
            "set": set or {},
            "contains": list(contains),
        }
        if json is not None:
            rule["json"] = json
        self.rules.append(rule)
        self._save()
        return self

    def follow(self, model: str) -> FakeTool:
        """Check every call against a model of the real tool first.

        :param model: ``"module:function"``, importable from this test process's ``sys.path``;
            ``function(args, stdin, state_dir)`` returns ``None`` to let the rules answer, or
            ``(exit_code, stdout, stderr)`` to answer as the real tool would (a refused flag,
            an unparsable input).
        """
        self.model = model
        self._save()
        return self

    def _save(self) -> None:
        spec = {
            "rules": self.rules,
            "record_env": self.record_env,
            "model": self.model,
            "pythonpath": [p for p in sys.path if p],
        }
        (self.tools.bin_dir / f"{self.name}.rules.json").write_text(json.dumps(spec))

    def calls(self) -> list[ToolCall]:
        return [c for c in self.tools.calls() if c.argv[0] == self.name]


class FakeTools:
    """A directory of fake executables put first on ``PATH``."""

    def __init__(self, bin_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.bin_dir = bin_dir
        bin_dir.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
        self._tools: dict[str, FakeTool] = {}

    def tool(self, name: str) -> FakeTool:
        if name not in self._tools:
            self._tools[name] = FakeTool(self, name)
        return self._tools[name]

    __getitem__ = tool

    def set_state(self, **values: Any) -> None:
        path = self.bin_dir / "state.json"
        state = json.loads(path.read_text()) if path.exists() else {}
        state.update(values)
        path.write_text(json.dumps(state))

    def state(self) -> dict[str, Any]:
        path = self.bin_dir / "state.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def calls(self) -> list[ToolCall]:
        log = self.bin_dir / "calls.jsonl"
        if not log.exists():
            return []
        return [ToolCall(**json.loads(line)) for line in log.read_text().splitlines()]

    def argvs(self) -> list[list[str]]:
        return [call.argv for call in self.calls()]


@pytest.fixture
def fake_tools(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> FakeTools:
    return FakeTools(tmp_path_factory.mktemp("fakebin"), monkeypatch)
