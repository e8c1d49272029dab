"""The conformance suite (``sindri_core.testing.ProviderConformance``) can fail: each check
is run against a provider broken in the one way it looks for, and must fail saying so.

The well-behaved provider here passes every check (``TestWellBehavedConformance``); each
broken one differs from it in a single hook."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from sindri_core.conformance import Conformance, record_commands
from sindri_core.plugin import (
    Artifact,
    BuildLocation,
    Capabilities,
    Change,
    ConfigError,
    DeploymentState,
    DeploymentStatus,
    DeployResult,
    OperationResult,
    Plan,
    PlannedAction,
    ProviderInfo,
    hookimpl,
    remove_artifacts,
    setting,
    write_artifacts,
)
from sindri_core.testing import ProviderConformance

CONFIG = """\
version: "3.0"
name: demo
deployment:
  provider: tidy
  image: registry.example.com/team/dev:1.0
providers:
  tidy:
    greeting: hi
"""


@attrs.frozen
class TidySettings:
    greeting: str = setting("hello", doc="A word.", pattern=r"^[a-z]+$")


class Tidy:
    """A provider that meets the contract: it records the image (and the secret, privately)
    and compares what it recorded with what it would record."""

    capabilities = Capabilities(build=BuildLocation.NEVER, gpu=False, file_secrets=True)
    settings: type = TidySettings

    @hookimpl
    def sindri_provider_info(self) -> ProviderInfo:
        return ProviderInfo(
            "tidy", "a tidy provider", self.capabilities, config_class=self.settings
        )

    def artifacts(self, ctx: Any, image: Any) -> tuple[Artifact, ...]:
        record = json.dumps({"image": image.reference, "greeting": ctx.provider_config.greeting})
        return (Artifact(ctx.output_dir / "record.json", record + "\n"),)

    def secret_file(self, ctx: Any, redacted: bool = False) -> Artifact:
        values = ctx.secrets.env_values()
        content = "".join(f"{k}={'<redacted>' if redacted else v}\n" for k, v in values.items())
        return Artifact(ctx.output_dir / "secrets.env", content, 0o600)

    def changes(self, artifacts: tuple[Artifact, ...]) -> list[Change]:
        return [
            Change.compare(
                f"file:{a.path}", a.path.read_text() if a.path.exists() else None, a.content
            )
            for a in artifacts
        ]

    @hookimpl
    def sindri_plan(self, ctx: Any, image: Any) -> Plan:
        artifacts = self.artifacts(ctx, image)
        action = PlannedAction("create", "record:demo", "record the image")
        shown = (*artifacts, self.secret_file(ctx, redacted=True))
        return Plan((action,), shown).compared(self.changes(artifacts))

    @hookimpl
    def sindri_deploy(self, ctx: Any, image: Any) -> DeployResult:
        artifacts = self.artifacts(ctx, image)
        if all(c.action.value == "unchanged" for c in self.changes(artifacts)):
            return DeployResult(image.reference, unchanged=True)
        write_artifacts([*artifacts, self.secret_file(ctx)])
        return DeployResult(image.reference, ("recorded",))

    @hookimpl
    def sindri_status(self, ctx: Any) -> DeploymentStatus:
        if not (ctx.output_dir / "record.json").exists():
            return DeploymentStatus(DeploymentState.NOT_DEPLOYED)
        return DeploymentStatus(DeploymentState.RUNNING, image="registry.example.com/team/dev:1.0")

    @hookimpl
    def sindri_destroy(self, ctx: Any) -> OperationResult:
        remove_artifacts(ctx.output_dir)
        return OperationResult("forgotten")


class TestWellBehavedConformance(ProviderConformance):
    provider = "tidy"

    @pytest.fixture
    def conformance_config(self) -> str:
        return CONFIG

    @pytest.fixture
    def conformance_plugin(self) -> object:
        return Tidy()


# -- one broken provider per check ---------------------------------------------------------------


@attrs.frozen
class BadDefault:
    greeting: str = setting("Hello", doc="A default its own pattern refuses.", pattern=r"^[a-z]+$")


class DefaultOutsideItsPattern(Tidy):
    settings = BadDefault


class PlanWrites(Tidy):
    @hookimpl
    def sindri_plan(self, ctx: Any, image: Any) -> Plan:
        write_artifacts(self.artifacts(ctx, image))
        return Plan()


class PlanRunsACommand(Tidy):
    @hookimpl
    def sindri_plan(self, ctx: Any, image: Any) -> Plan:
        ctx.runner.run(["true", "create-something"])
        return Plan()


class PlanShowsOtherContent(Tidy):
    @hookimpl
    def sindri_plan(self, ctx: Any, image: Any) -> Plan:
        return Plan(artifacts=(Artifact(ctx.output_dir / "record.json", "{}\n"),))


class NeverUpToDate(Tidy):
    @hookimpl
    def sindri_deploy(self, ctx: Any, image: Any) -> DeployResult:
        write_artifacts([*self.artifacts(ctx, image), self.secret_file(ctx)])
        return DeployResult(image.reference)


class DestroyLeavesFiles(Tidy):
    @hookimpl
    def sindri_destroy(self, ctx: Any) -> OperationResult:
        return OperationResult("forgot nothing")


class SecretOnTheCommandLine(Tidy):
    @hookimpl
    def sindri_deploy(self, ctx: Any, image: Any) -> DeployResult:
        ctx.runner.run(["true", *(f"--env={v}" for v in ctx.secrets.env_values().values())])
        return super().sindri_deploy(ctx, image)


class SecretInAReadableFile(Tidy):
    def secret_file(self, ctx: Any, redacted: bool = False) -> Artifact:
        return attrs.evolve(super().secret_file(ctx, redacted), mode=0o644)


class SecretPrinted(Tidy):
    @hookimpl
    def sindri_deploy(self, ctx: Any, image: Any) -> DeployResult:
        result = super().sindri_deploy(ctx, image)
        return attrs.evolve(result, messages=tuple(ctx.secrets.env_values().values()))


class GpusDeclaredButRefused(Tidy):
    capabilities = attrs.evolve(Tidy.capabilities, gpu=True)

    @hookimpl
    def sindri_plan(self, ctx: Any, image: Any) -> Plan:
        if ctx.config.deployment.resources.gpu.enabled:
            raise ConfigError("no GPUs here after all")
        return super().sindri_plan(ctx, image)


class ActionWithoutDescription(Tidy):
    @hookimpl
    def sindri_plan(self, ctx: Any, image: Any) -> Plan:
        return attrs.evolve(
            super().sindri_plan(ctx, image), actions=(PlannedAction("create", "record:demo", None),)
        )


class MasksAForgottenReturn(Tidy):
    """Substitutes an empty plan for ``None``, so a forgotten ``return`` goes unnoticed."""

    @hookimpl(wrapper=True)
    def sindri_plan(self, ctx: Any, image: Any) -> Any:
        plan = yield
        return plan if plan is not None else Plan()

    @hookimpl(specname="sindri_plan")
    def plan_itself(self, ctx: Any, image: Any) -> Plan:
        return Tidy.sindri_plan(self, ctx, image)


@pytest.fixture
def check(
    tmp_path: Path, register_provider: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., None]:
    """``check(provider, "test_…", message)``: that check of the suite fails for
    ``provider`` with an assertion holding ``message``."""
    monkeypatch.setenv("SINDRI_CONFORMANCE_SECRET", "s3cr3t-value-of-the-suite")

    def run(provider: Tidy, name: str, message: str) -> None:
        register_provider(provider, name="tidy")
        directory = tmp_path / "project"
        directory.mkdir()
        suite = TestWellBehavedConformance()
        commands = record_commands(monkeypatch)
        conformance = Conformance(
            suite, directory, sindri_cli, commands, None, os.environ["SINDRI_CONFORMANCE_SECRET"]
        )
        conformance.write_config(CONFIG)
        method = getattr(suite, name)
        arguments = (
            {"monkeypatch": monkeypatch} if "monkeypatch" in method.__code__.co_varnames else {}
        )
        with pytest.raises(AssertionError, match=message):
            method(conformance, **arguments)

    return run


@pytest.mark.parametrize(
    ("provider", "name", "message"),
    [
        (DefaultOutsideItsPattern(), "test_the_configuration_round_trips", "exit status 2"),
        (PlanWrites(), "test_plan_writes_nothing_and_changes_nothing", "plan wrote files"),
        (
            PlanRunsACommand(),
            "test_plan_writes_nothing_and_changes_nothing",
            "true create-something",
        ),
        (PlanShowsOtherContent(), "test_plan_artifacts_are_what_deploy_writes", "other"),
        (NeverUpToDate(), "test_an_unchanged_second_deploy_is_up_to_date", "up to date"),
        (DestroyLeavesFiles(), "test_destroy_removes_every_file_deploy_wrote", "destroy left"),
        (
            SecretOnTheCommandLine(),
            "test_secrets_stay_out_of_argv_output_and_readable_files",
            "command line",
        ),
        (
            SecretInAReadableFile(),
            "test_secrets_stay_out_of_argv_output_and_readable_files",
            "others can read",
        ),
        (SecretPrinted(), "test_secrets_stay_out_of_argv_output_and_readable_files", "printed"),
        (GpusDeclaredButRefused(), "test_capabilities_are_honoured", "no GPUs here"),
        (
            ActionWithoutDescription(),
            "test_json_documents_have_the_documented_shape",
            "without an action, resource and description",
        ),
        (
            MasksAForgottenReturn(),
            "test_a_forgotten_return_is_named_as_the_providers_fault",
            "exit status 0",
        ),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Tidy) else "",
)
def test_each_check_fails_for_a_provider_broken_its_way(
    check: Callable[..., None], provider: Tidy, name: str, message: str
) -> None:
    check(provider, name, message)


def test_every_check_has_a_broken_provider() -> None:
    checks = {n for n in dir(ProviderConformance) if n.startswith("test_")}
    broken = {
        name
        for _, name, _ in test_each_check_fails_for_a_provider_broken_its_way.pytestmark[0].args[1]
    }
    assert checks == broken
