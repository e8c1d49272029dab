"""The CLI skeleton: --version, --help of every command, providers, image resolve (levels 1, 2
and 4), exit statuses, stdout/stderr separation, errors without tracebacks, and lifecycle
commands of providers that do not implement them yet."""

from __future__ import annotations

import importlib
import importlib.metadata
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest

from sindri_core import __version__, hookimpl
from sindri_core.cli.main import COMMAND_MODULES, cli
from sindri_core.errors import OperationError
from sindri_core.lifecycle import Plan
from sindri_core.plugins import PluginHost
from sindri_core.provider import BuildLocation, Prerequisite, PrerequisiteReport
from tests.core.fake_providers import InfoOnlyProvider, RecordingProvider, config_text

DIGEST = "sha256:" + "ab" * 32


# -- version and help ----------------------------------------------------------------------------


def test_version(sindri_cli: Any) -> None:
    result = sindri_cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"sindri {__version__}\n"
    assert __version__ == importlib.metadata.version("sindri-core")


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None:
            continue
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _command_paths(command, (*prefix, name))


COMMAND_PATHS = [(), *_command_paths(cli)]


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda p: " ".join(p) or "sindri")
def test_help_of_every_command(sindri_cli: Any, path: tuple[str, ...]) -> None:
    result = sindri_cli(*path, "--help")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Usage: sindri {' '.join(path)}".rstrip())
    assert result.stderr == ""


def test_the_whole_command_tree_exists() -> None:
    paths = {" ".join(path) for path in COMMAND_PATHS}
    assert {
        "providers",
        "config",
        "config init",
        "config validate",
        "config schema",
        "image",
        "image resolve",
        "image versions",
        "image verify",
        "image context",
        "build",
        "plan",
        "deploy",
        "status",
        "destroy",
        "start",
        "stop",
        "connect",
    } <= paths


@pytest.mark.parametrize("module", sorted(set(COMMAND_MODULES.values())))
def test_lazy_command_table_matches_the_modules(module: str) -> None:
    commands = importlib.import_module(f"sindri_core.cli.{module}").COMMANDS
    if not commands:
        pytest.skip(f"sindri_core.cli.{module} defines no commands yet")
    listed = {name for name, owner in COMMAND_MODULES.items() if owner == module}
    assert {command.name for command in commands} == listed


def test_unknown_command_and_option_are_usage_errors(sindri_cli: Any) -> None:
    assert sindri_cli("deplyo").exit_code == 2
    result = sindri_cli("providers", "--bogus")
    assert result.exit_code == 2
    assert "No such option '--bogus'" in result.stderr and result.stdout == ""


# -- providers -----------------------------------------------------------------------------------


def test_providers_json_of_the_installed_distributions(sindri_cli: Any) -> None:
    result = sindri_cli("providers", "--json")
    assert result.exit_code == 0 and result.stderr == ""
    data = result.json()
    assert data["failed"] == []
    providers = {p["name"]: p for p in data["providers"]}
    assert set(providers) == {"docker", "fly", "devpod", "e2b", "kubernetes"}
    for name, dist in [
        ("docker", "sindri-providers-docker"),
        ("fly", "sindri-providers-fly"),
        ("devpod", "sindri-providers-devpod"),
        ("e2b", "sindri-providers-e2b"),
        ("kubernetes", "sindri-providers-k8s"),
    ]:
        assert providers[name]["distribution"] == dist
        assert providers[name]["version"] == importlib.metadata.version(dist)
    assert providers["kubernetes"]["aliases"] == ["k8s"]
    assert providers["kubernetes"]["capabilities"]["build"] == "never"
    assert providers["docker"]["capabilities"] == {
        "build": "local",
        "prebuilt_image": True,
        "gpu": True,
        "tools": ["docker"],
        "environment": [],
    }
    assert providers["fly"]["capabilities"]["build"] == "remote"
    assert providers["devpod"]["capabilities"]["build"] == "smart"


def test_providers_json_shape(
    sindri_host: PluginHost, register_provider: Any, sindri_cli: Any
) -> None:
    register_provider(InfoOnlyProvider("alpha", aliases=("al",)), name="alpha-plugin")
    data = sindri_cli("providers", "--json").json()
    assert data == {
        "providers": [
            {
                "name": "alpha",
                "aliases": ["al"],
                "description": "the alpha test provider",
                "distribution": None,
                "version": None,
                "capabilities": {
                    "build": "local",
                    "prebuilt_image": True,
                    "gpu": False,
                    "tools": ["true"],
                    "environment": [],
                },
            }
        ],
        "plugins": [
            {
                "name": "alpha-plugin",
                "distribution": None,
                "version": None,
                "hooks": ["sindri_provider_info"],
                "status": "active",
                "provider": "alpha",
                "error": None,
            }
        ],
        "failed": [],
    }


def test_providers_text(sindri_cli: Any) -> None:
    result = sindri_cli("providers")
    assert result.exit_code == 0
    assert "kubernetes (aliases: k8s)  sindri-providers-k8s" in result.stdout
    assert "builds: never; pre-built images: yes" in result.stdout


def test_no_providers_says_what_to_install(sindri_host: PluginHost, sindri_cli: Any) -> None:
    result = sindri_cli("providers")
    assert result.exit_code == 0
    assert "No providers installed: pip install 'sindri-core[all]'" in result.stdout
    assert "from a checkout of sindri: pip install ./sindri_providers_docker" in result.stdout


# -- image resolve: levels 1, 2 and 4 -------------------------------------------------------------


@pytest.fixture
def project(sindri_host: PluginHost, register_provider: Any, write_config: Any) -> Any:
    """``project(deployment_yaml)`` → the project directory, for a provider that never builds."""
    register_provider(InfoOnlyProvider("cluster", build=BuildLocation.NEVER), name="cluster")

    def make(deployment: str) -> Path:
        return write_config(config_text("cluster", deployment)).parent

    return make


LEVELS = [
    pytest.param(
        f"image: ghcr.io/x/y:1.0.0\nimage_config:\n  registry: ghcr.io/p/s\n  digest: {DIGEST}\n"
        "  tag_override: 9.9.9",
        {"reference": f"ghcr.io/p/s@{DIGEST}", "source": "digest", "tag": None, "digest": DIGEST},
        "image_config.digest pins an immutable image",
        id="1-digest",
    ),
    pytest.param(
        "image: registry.test:5000/team/img:2.0.0",
        {
            "reference": "registry.test:5000/team/img:2.0.0",
            "source": "image",
            "tag": "2.0.0",
            "digest": None,
        },
        "deployment.image is set",
        id="4-image",
    ),
]


@pytest.mark.parametrize(("deployment", "expected", "reason"), LEVELS)
def test_image_resolve_json(
    project: Any, sindri_cli: Any, deployment: str, expected: dict[str, Any], reason: str
) -> None:
    result = sindri_cli("image", "resolve", "--json", cwd=project(deployment))
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert {key: data[key] for key in expected} == expected
    assert data["reason"] == reason
    assert data["local_build"] is False and data["build"] is None


@pytest.mark.parametrize(("deployment", "expected", "reason"), LEVELS)
def test_image_resolve_text_and_explain(
    project: Any, sindri_cli: Any, deployment: str, expected: dict[str, Any], reason: str
) -> None:
    cwd = project(deployment)
    plain = sindri_cli("image", "resolve", cwd=cwd)
    assert plain.exit_code == 0
    assert plain.stdout == expected["reference"] + "\n"
    explained = sindri_cli("image", "resolve", "--explain", cwd=cwd)
    lines = explained.stdout.splitlines()
    assert lines[0] == expected["reference"]
    assert f"  source: {expected['source']}" in lines
    assert f"  why: {reason}" in lines


def test_image_resolve_with_nothing_configured_is_exit_2(project: Any, sindri_cli: Any) -> None:
    result = sindri_cli("image", "resolve", "--json", cwd=project(""))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: deployment: No image configured (the cluster provider cannot build; set "
        "deployment.image or deployment.image_config)\n"
    )


# -- exit statuses, streams, errors ---------------------------------------------------------------


class Misbehaves(InfoOnlyProvider):
    """A provider whose plan logs, fails or crashes, as ``mode`` says."""

    mode = "log"

    @hookimpl
    def sindri_plan(self, ctx: Any, image: Any) -> Plan:
        if self.mode == "fail":
            raise OperationError("the cloud said no")
        if self.mode == "crash":
            raise RuntimeError("boom")
        ctx.console.warn("a log line for stderr")
        ctx.console.info("another one")
        return Plan()


@pytest.fixture
def misbehaving(sindri_host: PluginHost, register_provider: Any, write_config: Any) -> Any:
    provider = Misbehaves("odd")
    register_provider(provider, name="odd-plugin")
    path = write_config(config_text("odd", "image: ghcr.io/x/y:1.0.0"))
    return provider, path.parent


def test_json_goes_to_stdout_alone_and_logs_to_stderr(misbehaving: Any, sindri_cli: Any) -> None:
    _, cwd = misbehaving
    result = sindri_cli("plan", "--json", cwd=cwd)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["provider"] == "odd"
    assert data["image"]["reference"] == "ghcr.io/x/y:1.0.0"
    assert set(data) >= {"provider", "image", "build", "actions", "artifacts"}
    # This provider compares nothing with what runs: its plan must not claim it did.
    assert (data["changes"], data["compared"]) == ([], False)
    assert "warning: a log line for stderr" in result.stderr
    assert "another one" not in result.stderr  # --json is quiet except warnings
    assert "a log line" not in result.stdout


def test_operation_failure_is_exit_1_one_line(misbehaving: Any, sindri_cli: Any) -> None:
    provider, cwd = misbehaving
    provider.mode = "fail"
    result = sindri_cli("plan", cwd=cwd)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "error: the cloud said no\n"


PROVIDER_CRASH = (
    "error: the odd provider (not from an installed distribution) failed in plan: "
    "RuntimeError: boom (a fault in the plugin, not in sindri or sindri.yaml; --debug shows "
    "where)\n"
)


def test_a_provider_crash_is_one_line_naming_it(misbehaving: Any, sindri_cli: Any) -> None:
    provider, cwd = misbehaving
    provider.mode = "crash"
    result = sindri_cli("plan", "--json", cwd=cwd)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == PROVIDER_CRASH


def test_internal_error_is_one_line_without_traceback(
    misbehaving: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, cwd = misbehaving
    # A bug of the core's own (no plugin frame on the way): int() of the request.
    monkeypatch.setattr("sindri_core.image.chain.resolve", int)
    result = sindri_cli("plan", "--json", cwd=cwd)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("error: internal error: TypeError: int() argument")
    assert result.stderr.endswith("(rerun with --debug for details)\n")


def test_debug_shows_the_traceback(misbehaving: Any, sindri_cli: Any) -> None:
    provider, cwd = misbehaving
    provider.mode = "crash"
    result = sindri_cli("--debug", "plan", cwd=cwd)
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert 'raise RuntimeError("boom")' in result.stderr
    assert result.stderr.endswith(PROVIDER_CRASH)


def test_bad_configuration_is_exit_2_without_traceback(write_config: Any, sindri_cli: Any) -> None:
    path = write_config(config_text("docker", "resources: {cpus: many}"))
    for args in (("plan",), ("image", "resolve", "--json"), ("config", "validate")):
        result = sindri_cli(*args, cwd=path.parent)
        assert result.exit_code == 2
        assert result.stderr.startswith("error: sindri.yaml:5:21: deployment.resources.cpus: ")
        assert "Traceback" not in result.stderr and result.stdout == ""


class Chatty(InfoOnlyProvider):
    @hookimpl
    def sindri_plan(self, ctx: Any, image: Any) -> Plan:
        raise OperationError("tool failed:\n  line one\n  line two\n")


def test_a_multi_line_error_keeps_its_lines_under_the_error_line(
    sindri_host: PluginHost, register_provider: Any, write_config: Any, sindri_cli: Any
) -> None:
    # A tool's output quoted in an error stays readable: its lines are not run together.
    register_provider(Chatty("chatty"), name="chatty-plugin")
    path = write_config(config_text("chatty", "image: ghcr.io/x/y:1.0.0"))
    result = sindri_cli("plan", cwd=path.parent)
    assert (result.exit_code, result.stderr) == (1, "error: tool failed:\n  line one\n  line two\n")


# -- lifecycle commands ----------------------------------------------------------------------------

LIFECYCLE_COMMANDS = [
    (("plan",), "plan"),
    (("plan", "--json"), "plan"),
    (("deploy",), "deploy"),
    (("deploy", "--dry-run"), "plan"),
    (("build",), "build"),
    (("status",), "status"),
    (("destroy", "--yes"), "destroy"),
    (("start",), "start"),
    (("stop",), "stop"),
    (("connect",), "connect"),
]


@pytest.fixture
def bare_project(sindri_host: PluginHost, register_provider: Any, write_config: Any) -> Path:
    register_provider(InfoOnlyProvider("bare"), name="bare-plugin")
    path = write_config(config_text("bare"))
    (path.parent / "Dockerfile").write_text("FROM scratch\n")
    return path.parent


@pytest.mark.parametrize(("args", "operation"), LIFECYCLE_COMMANDS)
def test_lifecycle_command_of_a_provider_without_it_says_not_implemented(
    bare_project: Path, sindri_cli: Any, args: tuple[str, ...], operation: str
) -> None:
    result = sindri_cli(*args, cwd=bare_project)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"error: the bare provider does not implement {operation} yet\n"


@pytest.fixture
def recording(sindri_host: PluginHost, register_provider: Any, write_config: Any) -> Any:
    provider = RecordingProvider("rec")
    register_provider(provider, name="rec-plugin")
    path = write_config(config_text("rec", "image: ghcr.io/x/y:1.0.0"))
    (path.parent / "Dockerfile").write_text("FROM scratch\n")
    return provider, path.parent


@pytest.mark.parametrize(
    ("args", "stdout", "exit_code"),
    [
        (("deploy", "--no-wait"), "rec deployed\nDeployed test-env: ghcr.io/x/y:1.0.0\n", 0),
        (("status",), "Status: test-env (rec)\n  State: running\n  Image: rec:running\n", 0),
        (("destroy", "--yes"), "rec destroyed\n", 0),
        (("start",), "rec started\n", 0),
        (("stop",), "rec stopped\n", 0),
        (("build",), "rec:built (built)\n", 0),
        (("connect", "ls", "-l"), "", 3),
    ],
)
def test_lifecycle_commands_reach_the_provider(
    recording: Any, sindri_cli: Any, args: tuple[str, ...], stdout: str, exit_code: int
) -> None:
    provider, cwd = recording
    result = sindri_cli(*args, cwd=cwd)
    assert (result.exit_code, result.stdout) == (exit_code, stdout), result.stderr
    assert provider.operations() == ["check_prerequisites", args[0]]


def test_connect_passes_the_command(recording: Any, sindri_cli: Any) -> None:
    provider, cwd = recording
    result = sindri_cli("connect", "ls", "-l", cwd=cwd)
    assert result.stderr == "rec connected\n"
    assert provider.calls[-1][1]["command"] == ("ls", "-l")


def test_destroy_without_yes_when_not_interactive_is_exit_2(
    recording: Any, sindri_cli: Any
) -> None:
    provider, cwd = recording
    result = sindri_cli("destroy", cwd=cwd)
    assert result.exit_code == 2
    assert result.stderr == "error: destroy needs --yes when not run interactively\n"
    assert provider.operations() == []


class Unready(RecordingProvider):
    @hookimpl
    def sindri_check_prerequisites(self, ctx: Any) -> PrerequisiteReport:
        self._record("check_prerequisites", ctx=ctx)
        return PrerequisiteReport(
            (Prerequisite("flux", "the flux CLI", False, install_hint="brew install flux"),)
        )


def test_missing_prerequisites_stop_the_command_with_install_hints(
    sindri_host: PluginHost, register_provider: Any, write_config: Any, sindri_cli: Any
) -> None:
    provider = Unready("unready")
    register_provider(provider, name="unready-plugin")
    path = write_config(config_text("unready", "image: ghcr.io/x/y:1.0.0"))
    result = sindri_cli("start", cwd=path.parent)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: prerequisites for unready are missing: flux (the flux CLI) — brew install flux\n"
    )
    assert provider.operations() == ["check_prerequisites"]


def test_providers_names_the_environment_a_provider_needs(sindri_cli: Any) -> None:
    # e2b needs no tool but an API key: it must not say "needs: nothing".
    text = sindri_cli("providers").stdout
    e2b = text.split("\ne2b ", 1)[1].split("\n")[2]
    assert e2b.endswith("needs: E2B_API_KEY")
    data = sindri_cli("providers", "--json").json()
    (entry,) = [p for p in data["providers"] if p["name"] == "e2b"]
    assert entry["capabilities"]["environment"] == ["E2B_API_KEY"]
