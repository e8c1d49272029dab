"""The provider conformance suite: what every provider is tested for, shipped so that a
third-party provider can meet it knowingly (docs/PLUGINS.md, "The conformance suite").

A provider's tests subclass :class:`ProviderConformance`, name the provider, give it a
``sindri.yaml`` that deploys with the tools the tests drive, and set those tools up::

    class TestHelloConformance(ProviderConformance):
        provider = "hello"

        @pytest.fixture
        def conformance_config(self) -> str:
            return CONFIG

Each check is one test method. The suite adds a secret to the configuration (an ``env``
secret with a fresh value) and records every command the provider runs through
``ctx.runner``, so it can say which command, file or output let the secret out.
It is exposed as ``sindri_core.testing.ProviderConformance``.
"""

from __future__ import annotations

import io
import secrets
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

from sindri_core.testing import CliResult, FakeTools

__all__ = ["Conformance", "ProviderConformance", "RecordedCommand", "record_commands"]

SECRET_NAME = "SINDRI_CONFORMANCE_SECRET"  # noqa: S105 (a variable name, not a value)
# What plan --json shows in place of a secret value (docs/JSON_OUTPUT.md).
REDACTED = "<redacted>"
# Files the core writes beside a provider's artifacts: its manifest and deploy record.
BOOKKEEPING = (".sindri-files", "deployed.json")
# docs/JSON_OUTPUT.md
PLAN_KEYS = {"provider", "image", "build", "actions", "changes", "compared", "artifacts", "notes"}
CHANGE_ACTIONS = {"create", "update", "unchanged", "delete"}
DEPLOY_KEYS = {"reference", "messages", "connection", "unchanged"}
STATES = {
    "not_deployed",
    "creating",
    "running",
    "stopped",
    "suspended",
    "paused",
    "error",
    "unknown",
}
STATUS_KEYS = {"state", "image", "configured_image", "addresses", "details"}


@attrs.frozen
class RecordedCommand:
    """A command a provider ran through ``ctx.runner``."""

    argv: tuple[str, ...]
    input: str | None

    def starts_with(self, prefixes: Sequence[Sequence[str]]) -> bool:
        return any(list(self.argv[: len(p)]) == list(p) for p in prefixes)


@attrs.frozen
class FileState:
    """A file as the checks compare it: rewriting the same bytes is no change (mtime is
    kept only to tell that ``plan`` touched nothing)."""

    content: bytes
    mode: int
    mtime_ns: int = attrs.field(eq=False)


# The core's own project files beside sindri.yaml: deploy writes sindri.lock, not the provider.
CORE_PROJECT_FILES = ("sindri.lock",)


def snapshot(directory: Path) -> dict[str, FileState]:
    """Every regular file under ``directory`` (symbolic links not followed) but the core's
    own project files."""
    files = {}
    for path in sorted(directory.rglob("*")):
        info = path.lstat()
        if (
            stat.S_ISREG(info.st_mode)
            and str(path.relative_to(directory)) not in CORE_PROJECT_FILES
        ):
            files[str(path.relative_to(directory))] = FileState(
                path.read_bytes(), stat.S_IMODE(info.st_mode), info.st_mtime_ns
            )
    return files


def edit_config(text: str, edit: Any) -> str:
    """``text`` with ``edit(document)`` applied (comments and order kept)."""
    from ruamel.yaml import YAML

    yaml = YAML()
    document = yaml.load(text)
    edit(document)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def record_commands(monkeypatch: pytest.MonkeyPatch) -> list[RecordedCommand]:
    """Every command run through a :class:`~sindri_core.runner.CommandRunner` from now on
    (until ``monkeypatch`` is undone)."""
    from sindri_core.runner import CommandRunner

    recorded: list[RecordedCommand] = []
    run, interactive = CommandRunner.run, CommandRunner.interactive

    def record_run(runner: CommandRunner, argv: Sequence[str], **kwargs: Any) -> Any:
        recorded.append(RecordedCommand(tuple(map(str, argv)), kwargs.get("input")))
        return run(runner, argv, **kwargs)

    def record_interactive(runner: CommandRunner, argv: Sequence[str], **kwargs: Any) -> int:
        recorded.append(RecordedCommand(tuple(map(str, argv)), None))
        return interactive(runner, argv, **kwargs)

    monkeypatch.setattr(CommandRunner, "run", record_run)
    monkeypatch.setattr(CommandRunner, "interactive", record_interactive)
    return recorded


class ProviderConformance:
    """The contract every provider meets, as tests a provider's test module inherits.

    Set :attr:`provider` and the ``conformance_config`` fixture; override
    ``conformance_tools`` to start the fake tools (or services) the configuration deploys
    to, and ``conformance_plugin`` to test a plugin that is not installed.
    """

    #: the provider's name, as in ``deployment.provider``
    provider: str = ""
    #: argv prefixes of the read-only commands ``plan`` and an up-to-date ``deploy`` may
    #: run (``("docker", "inspect")``); any other command there is a change.
    read_only_commands: tuple[tuple[str, ...], ...] = ()
    #: names of files ``deploy`` writes to remember what it applied (``plan`` shows what
    #: deploy would apply, not these); the core's own records are always allowed.
    deploy_records: tuple[str, ...] = ()

    # -- fixtures a provider's tests override ------------------------------------------------

    @pytest.fixture
    def conformance_config(self) -> str:
        """``sindri.yaml`` text that deploys to what ``conformance_tools`` sets up."""
        raise NotImplementedError("define the conformance_config fixture")

    @pytest.fixture
    def conformance_tools(self) -> FakeTools | None:
        """Start the fakes the configuration deploys to; their recorded calls are checked
        for the secret too."""
        return None

    @pytest.fixture
    def conformance_plugin(self) -> object | None:
        """The plugin to register for each check; ``None``: the installed one."""
        return None

    def prepare_project(self, directory: Path) -> None:
        """Add files the configuration needs beside sindri.yaml (a Dockerfile, say)."""

    # -- the suite's own fixtures ------------------------------------------------------------

    @pytest.fixture
    def conformance_commands(self, monkeypatch: pytest.MonkeyPatch) -> list[RecordedCommand]:
        return record_commands(monkeypatch)

    @pytest.fixture
    def conformance_secret(self, monkeypatch: pytest.MonkeyPatch) -> str:
        value = f"conformance-{secrets.token_hex(12)}"
        monkeypatch.setenv(SECRET_NAME, value)
        return value

    @pytest.fixture
    def conformance(
        self,
        request: pytest.FixtureRequest,
        tmp_path: Path,
        conformance_config: str,
        conformance_tools: FakeTools | None,
        conformance_plugin: object | None,
        conformance_commands: list[RecordedCommand],
        conformance_secret: str,
        sindri_cli: Any,
    ) -> Iterator[Conformance]:
        if conformance_plugin is not None:
            request.getfixturevalue("register_provider")(conformance_plugin, name=self.provider)
        directory = tmp_path / "project"
        directory.mkdir()
        self.prepare_project(directory)
        run = Conformance(
            self, directory, sindri_cli, conformance_commands, conformance_tools, conformance_secret
        )
        run.write_config(conformance_config)
        yield run
        if run.deployed:  # leave nothing running on a shared engine or service
            sindri_cli("destroy", "--yes", "--volumes", cwd=directory)

    # -- the checks ----------------------------------------------------------------------------

    def test_the_configuration_round_trips(self, conformance: Conformance) -> None:
        """The configuration validates; ``config init`` writes one that validates; the JSON
        Schema describes every key of the provider's section; an unknown key is refused."""
        conformance.cli("config", "validate").assert_ok()
        generated = conformance.directory.parent / "init" / "sindri.yaml"
        conformance.cli("config", "init", "-p", self.provider, "-o", str(generated)).assert_ok()
        conformance.cli("config", "validate", "-c", str(generated)).assert_ok()
        schema = conformance.cli("config", "schema").assert_ok().json()
        section = schema["properties"]["providers"]["properties"].get(self.provider)
        assert section is not None, f"config schema has no providers.{self.provider}"
        given = conformance.config().get("providers", {}).get(self.provider) or {}
        described = _described_keys(section)
        missing = sorted(set(given) - described)
        assert missing == [], f"keys of providers.{self.provider} the schema lacks: {missing}"
        conformance.write_config(
            edit_config(conformance.config_text, _add_unknown_key(self.provider))
        )
        conformance.cli("config", "validate").assert_error(
            2, f"providers.{self.provider}.notARealSetting"
        )

    def test_plan_writes_nothing_and_changes_nothing(self, conformance: Conformance) -> None:
        """``plan`` writes no file and runs no command that changes anything."""
        before = conformance.snapshot()
        tools_before = conformance.tool_state()
        conformance.cli("plan", "--json").assert_ok()
        after = conformance.snapshot()
        touched = [p for p in before if p in after and after[p].mtime_ns != before[p].mtime_ns]
        changed = _changed(before, after) + touched
        assert changed == [], f"plan wrote files: {changed}"
        assert conformance.tool_state() == tools_before, "plan changed the fake tools' state"
        conformance.assert_read_only(conformance.commands, "plan")

    def test_plan_artifacts_are_what_deploy_writes(self, conformance: Conformance) -> None:
        """Every file ``plan`` shows is written by ``deploy`` byte for byte (secrets shown
        redacted), and ``deploy`` writes no file ``plan`` did not show."""
        planned = {
            a["path"]: a["content"]
            for a in conformance.cli("plan", "--json").assert_ok().json()["artifacts"]
        }
        before = conformance.snapshot()
        conformance.deploy()
        after = conformance.snapshot()
        written = {
            str(conformance.directory / path): state.content.decode("utf-8", "replace")
            for path, state in after.items()
            if before.get(path) != state
            and Path(path).name not in (*BOOKKEEPING, *self.deploy_records)
        }
        redacted = {
            path: content.replace(conformance.secret, REDACTED) for path, content in written.items()
        }
        assert sorted(redacted) == sorted(planned), (
            f"deploy wrote other files than plan showed: wrote {sorted(redacted)}, "
            f"showed {sorted(planned)}"
        )
        for path, content in planned.items():
            assert redacted[path] == content, f"{path}: deploy wrote other content than plan"

    def test_an_unchanged_second_deploy_is_up_to_date(self, conformance: Conformance) -> None:
        """After a deploy, ``plan`` finds every resource unchanged and a second ``deploy`` says
        it is up to date, writes nothing and runs no command that changes anything.

        Without the suite's secret: secret values are never read back, so a provider may
        pass them on every deploy."""
        conformance.write_config(conformance.given_config)
        conformance.deploy()
        plan = conformance.cli("plan", "--json").assert_ok().json()
        assert plan["compared"] is True, f"plan did not compare: {plan['notes']}"
        changed = [c for c in plan["changes"] if c["action"] != "unchanged"]
        assert plan["changes"] and changed == [], f"changes after a deploy: {changed}"
        before = conformance.snapshot()
        start = len(conformance.commands)
        again = conformance.cli("deploy", "--json").assert_ok().json()
        assert again["unchanged"] is True, "a second deploy did not say it was up to date"
        changed = _changed(before, conformance.snapshot())
        assert changed == [], f"an up-to-date deploy wrote files: {changed}"
        conformance.assert_read_only(conformance.commands[start:], "an up-to-date deploy")

    def test_destroy_removes_every_file_deploy_wrote(self, conformance: Conformance) -> None:
        before = conformance.snapshot()
        conformance.deploy()
        conformance.cli("destroy", "--yes").assert_ok()
        conformance.deployed = False
        left = sorted(set(conformance.snapshot()) - set(before))
        assert left == [], f"destroy left files deploy wrote: {left}"
        assert not (conformance.directory / ".sindri" / self.provider).exists()

    def test_secrets_stay_out_of_argv_output_and_readable_files(
        self, conformance: Conformance
    ) -> None:
        """The secret's value is in no argv, in no output, and only in files no one else
        can read (mode 0600 or stricter)."""
        conformance.deploy()
        conformance.cli("plan", "--json").assert_ok()
        conformance.cli("status", "--json").assert_ok()
        conformance.cli("deploy").assert_ok()
        for result in conformance.results:
            result.assert_secret_not_shown(conformance.secret)
        argvs = [c.argv for c in conformance.commands]
        if conformance.tools is not None:
            argvs += [tuple(call.argv) for call in conformance.tools.calls()]
        leaked = [" ".join(a[:3]) for a in argvs if any(conformance.secret in p for p in a)]
        assert leaked == [], f"the secret is on the command line of: {leaked}"
        exposed = [
            f"{path} (mode {state.mode:04o})"
            for path, state in conformance.snapshot().items()
            if conformance.secret.encode() in state.content and state.mode & 0o077
        ]
        assert exposed == [], f"the secret is in files others can read: {exposed}"

    def test_capabilities_are_honoured(self, conformance: Conformance) -> None:
        """A capability the provider does not declare is refused (GPUs) or reported as
        ignored (file secrets) by ``config validate``; one it declares is planned."""
        capabilities = conformance.info().capabilities
        gpu = edit_config(conformance.base_config, _enable_gpu)
        conformance.write_config(gpu)
        if capabilities.gpu:
            conformance.cli("plan").assert_ok()
        else:
            conformance.cli("config", "validate").assert_error(2, "gpu")
        secret_file = conformance.directory.parent / "conformance-secret-file"
        secret_file.write_text("file secret\n")
        secret_file.chmod(0o600)
        conformance.write_config(
            edit_config(conformance.base_config, _add_file_secret(secret_file))
        )
        if capabilities.file_secrets:
            conformance.cli("plan").assert_ok()
        else:
            result = conformance.cli("config", "validate").assert_ok()
            assert "ignored" in result.stderr, "an unsupported file secret was not reported"

    def test_json_documents_have_the_documented_shape(self, conformance: Conformance) -> None:
        """``plan``, ``deploy`` and ``status`` ``--json`` as docs/JSON_OUTPUT.md describes."""
        _check_status(conformance.cli("status", "--json").assert_ok().json())
        _check_plan(conformance.cli("plan", "--json").assert_ok().json(), self.provider)
        deployed = conformance.deploy("--json").json()
        assert set(deployed) >= DEPLOY_KEYS, f"deploy --json lacks {DEPLOY_KEYS - set(deployed)}"
        assert isinstance(deployed["unchanged"], bool)
        assert all(isinstance(m, str) for m in deployed["messages"])
        status = conformance.cli("status", "--json").assert_ok().json()
        _check_status(status)
        assert status["state"] != "not_deployed", "status after deploy says not_deployed"
        _check_plan(conformance.cli("plan", "--json").assert_ok().json(), self.provider)

    def test_a_forgotten_return_is_named_as_the_providers_fault(
        self, conformance: Conformance, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A ``sindri_plan`` that does its work and forgets ``return`` stops ``plan`` with one
        line naming the provider, the operation and the missing return."""
        conformance.forget_return("sindri_plan", monkeypatch)
        conformance.cli("plan").assert_error(
            1, f"the {self.provider} provider", "failed in plan", "a missing return?"
        )


class Conformance:
    """One check's project: the CLI run in it, what ran, and what it wrote."""

    def __init__(
        self,
        suite: ProviderConformance,
        directory: Path,
        sindri_cli: Any,
        commands: list[RecordedCommand],
        tools: FakeTools | None,
        secret: str,
    ) -> None:
        self.suite = suite
        self.directory = directory
        self._cli = sindri_cli
        self.commands = commands
        self.tools = tools
        self.secret = secret
        self.results: list[CliResult] = []
        self.given_config = ""  # as the provider's tests gave it
        self.base_config = ""  # with the suite's secret
        self.config_text = ""
        self.deployed = False

    def write_config(self, text: str) -> None:
        if not self.base_config:
            self.given_config = text
            text = self.base_config = edit_config(text, _add_secret)
        self.config_text = text
        (self.directory / "sindri.yaml").write_text(text)

    def config(self) -> Any:
        from ruamel.yaml import YAML

        return YAML(typ="safe").load(self.config_text)

    def cli(self, *args: str) -> CliResult:
        result: CliResult = self._cli(*args, cwd=self.directory)
        self.results.append(result)
        return result

    def deploy(self, *args: str) -> CliResult:
        result = self.cli("deploy", *args)
        self.deployed = True
        return result.assert_ok()

    def snapshot(self) -> dict[str, FileState]:
        return snapshot(self.directory)

    def tool_state(self) -> dict[str, Any]:
        return self.tools.state() if self.tools is not None else {}

    def info(self) -> Any:
        from sindri_core.plugin_host import get_host

        return get_host().provider(self.suite.provider)

    def assert_read_only(self, commands: Sequence[RecordedCommand], when: str) -> None:
        allowed = self.suite.read_only_commands
        changing = [" ".join(c.argv) for c in commands if not c.starts_with(allowed)]
        assert changing == [], (
            f"{when} ran commands that are not read-only "
            f"(add read-only ones to read_only_commands): {changing}"
        )

    def forget_return(self, hook: str, monkeypatch: pytest.MonkeyPatch) -> None:
        """Make the provider's implementation of ``hook`` do its work and return ``None``."""
        from sindri_core.plugin_host import get_host

        host = get_host()
        plugin = host.pm.get_plugin(host.plugin_name_of(self.info()) or "")
        impls = [
            i
            for i in getattr(host.pm.hook, hook).get_hookimpls()
            if i.plugin is plugin and not (i.wrapper or i.hookwrapper)
        ]
        assert impls, f"the {self.suite.provider} provider does not implement {hook}"
        for impl in impls:
            original = impl.function

            def forgot(*args: Any, _original: Any = original) -> None:
                _original(*args)

            monkeypatch.setattr(impl, "function", forgot)


def _add_secret(document: Any) -> None:
    document.setdefault("secrets", []).append({"name": SECRET_NAME, "source": "env"})


def _add_unknown_key(provider: str) -> Any:
    def edit(document: Any) -> None:
        providers = document.setdefault("providers", {})
        if providers.get(provider) is None:
            providers[provider] = {}
        providers[provider]["notARealSetting"] = 1

    return edit


def _enable_gpu(document: Any) -> None:
    resources = document["deployment"].setdefault("resources", {})
    resources["gpu"] = {"enabled": True}


def _add_file_secret(path: Path) -> Any:
    def edit(document: Any) -> None:
        document.setdefault("secrets", []).append(
            {
                "name": "SINDRI_CONFORMANCE_FILE",
                "source": "file",
                "path": str(path),
                "mountPath": "/run/secrets/conformance",
            }
        )

    return edit


def _changed(before: dict[str, FileState], after: dict[str, FileState]) -> list[str]:
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


def _described_keys(section: dict[str, Any]) -> set[str]:
    """The keys a section's schema describes (its object schema may sit in an ``anyOf``
    beside ``null``)."""
    schemas = [section, *section.get("anyOf", ())]
    return {key for schema in schemas for key in schema.get("properties", {})}


def _check_plan(plan: dict[str, Any], provider: str) -> None:
    assert set(plan) >= PLAN_KEYS, f"plan --json lacks {PLAN_KEYS - set(plan)}"
    assert plan["provider"] == provider
    assert isinstance(plan["compared"], bool)
    keys = ("action", "resource", "description")
    bad = [a for a in plan["actions"] if not all(isinstance(a.get(k), str) and a[k] for k in keys)]
    assert bad == [], f"actions without an action, resource and description: {bad}"
    for change in plan["changes"]:
        assert change["action"] in CHANGE_ACTIONS, f"change action: {change}"
        updating = change["action"] == "update"
        assert updating == ("from" in change and "to" in change), f"from/to: {change}"
    if not plan["compared"]:
        assert plan["changes"] == [], "changes listed although the plan did not compare"
    for artifact in plan["artifacts"]:
        assert isinstance(artifact["path"], str) and isinstance(artifact["content"], str)


def _check_status(status: dict[str, Any]) -> None:
    assert set(status) >= STATUS_KEYS, f"status --json lacks {STATUS_KEYS - set(status)}"
    assert status["state"] in STATES, f"state {status['state']!r} is not one of {sorted(STATES)}"
    assert status["image"] is None or isinstance(status["image"], str)
    assert all(isinstance(a, str) for a in status["addresses"])
    assert isinstance(status["details"], dict)
