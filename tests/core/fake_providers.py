"""Fake provider plugins for the plugin, hook and CLI tests of the core.

A :class:`RecordingProvider` implements every lifecycle hook, records each call with its
arguments and answers with a recognisable result, so a test can tell which provider answered.
An :class:`InfoOnlyProvider` registers itself and implements nothing else, like a provider
distribution whose lifecycle hooks are still to be written.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import attrs

from sindri_core import hookimpl
from sindri_core.build.context import BuildContext, BuildSource, SourceKind
from sindri_core.config.fields import setting
from sindri_core.config.loader import parse_config
from sindri_core.image.resolution import ImageRequest, ImageResolution, ImageSource
from sindri_core.lifecycle import (
    BuiltImage,
    DeploymentState,
    DeploymentStatus,
    DeployResult,
    OperationResult,
    Plan,
    PlannedAction,
    ProviderContext,
)
from sindri_core.output import Console
from sindri_core.plugins import PluginHost
from sindri_core.provider import (
    BuildLocation,
    Capabilities,
    Prerequisite,
    PrerequisiteReport,
    ProviderInfo,
)
from sindri_core.runner import CommandRunner
from sindri_core.secrets import SecretValues

LIFECYCLE_OPERATIONS = (
    "check_prerequisites",
    "plan",
    "build",
    "deploy",
    "status",
    "destroy",
    "start",
    "stop",
    "connect",
)


@attrs.frozen
class FakeSettings:
    """A ``providers.<name>`` section for fake providers."""

    region: str = setting("home", doc="Where it runs.", pattern=r"^[a-z]+$", pattern_hint="a-z")
    size: int = setting(1, doc="How many.", minimum=1, maximum=9)


class InfoOnlyProvider:
    """A provider that implements nothing but :func:`sindri_provider_info`."""

    def __init__(
        self,
        name: str,
        *,
        aliases: tuple[str, ...] = (),
        build: BuildLocation = BuildLocation.LOCAL,
        config_class: type | str | None = FakeSettings,
        gpu: bool = False,
        config_rules: str | None = None,
    ) -> None:
        self.info = ProviderInfo(
            name=name,
            aliases=aliases,
            description=f"the {name} test provider",
            capabilities=Capabilities(build=build, gpu=gpu, tools=("true",)),
            config_class=config_class,
            config_rules=config_rules,
        )

    @hookimpl
    def sindri_provider_info(self) -> ProviderInfo:
        return self.info


class RecordingProvider(InfoOnlyProvider):
    """Implements every lifecycle hook; records calls as ``(operation, kwargs)``."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def operations(self) -> list[str]:
        return [operation for operation, _ in self.calls]

    def _record(self, operation: str, **kwargs: Any) -> None:
        self.calls.append((operation, kwargs))

    @hookimpl
    def sindri_check_prerequisites(self, ctx: ProviderContext) -> PrerequisiteReport:
        self._record("check_prerequisites", ctx=ctx)
        return PrerequisiteReport((Prerequisite("true", f"{self.info.name} tool", True),))

    @hookimpl
    def sindri_plan(self, ctx: ProviderContext, image: ImageResolution) -> Plan:
        self._record("plan", ctx=ctx, image=image)
        return Plan(actions=(PlannedAction("create", self.info.name, image.reference or ""),))

    @hookimpl
    def sindri_build(self, ctx: ProviderContext, build: BuildContext, options: Any) -> BuiltImage:
        self._record("build", ctx=ctx, build=build, options=options)
        return BuiltImage(reference=f"{self.info.name}:built", fingerprint=build.fingerprint)

    @hookimpl
    def sindri_deploy(
        self, ctx: ProviderContext, image: ImageResolution, build: Any, options: Any
    ) -> DeployResult:
        self._record("deploy", ctx=ctx, image=image, build=build, options=options)
        return DeployResult(reference=image.reference, messages=(f"{self.info.name} deployed",))

    @hookimpl
    def sindri_status(self, ctx: ProviderContext, image: Any) -> DeploymentStatus:
        self._record("status", ctx=ctx, image=image)
        return DeploymentStatus(DeploymentState.RUNNING, image=f"{self.info.name}:running")

    @hookimpl
    def sindri_destroy(self, ctx: ProviderContext, options: Any) -> OperationResult:
        self._record("destroy", ctx=ctx, options=options)
        return OperationResult(f"{self.info.name} destroyed")

    @hookimpl
    def sindri_start(self, ctx: ProviderContext) -> OperationResult:
        self._record("start", ctx=ctx)
        return OperationResult(f"{self.info.name} started")

    @hookimpl
    def sindri_stop(self, ctx: ProviderContext) -> OperationResult:
        self._record("stop", ctx=ctx)
        return OperationResult(f"{self.info.name} stopped")

    @hookimpl
    def sindri_connect(self, ctx: ProviderContext, command: tuple[str, ...]) -> OperationResult:
        self._record("connect", ctx=ctx, command=command)
        return OperationResult(f"{self.info.name} connected", exit_code=3)


def config_text(provider: str, deployment: str = "", rest: str = "") -> str:
    """A minimal valid sindri.yaml for ``provider``; ``deployment`` holds more keys of the
    deployment section and ``rest`` more top-level sections (both YAML, any indentation)."""
    text = f'version: "3.0"\nname: test-env\ndeployment:\n  provider: {provider}\n'
    if deployment:
        text += textwrap.indent(textwrap.dedent(deployment).strip("\n"), "  ") + "\n"
    if rest:
        text += textwrap.dedent(rest).strip("\n") + "\n"
    return text


def make_context(
    host: PluginHost, provider: str, project_dir: Path, deployment: str = "", rest: str = ""
) -> Any:
    """A :class:`ProviderContext` for ``provider`` from a configuration validated by ``host``."""
    config, _ = parse_config(config_text(provider, deployment, rest), host.catalog)
    info = host.provider(provider)
    return ProviderContext(
        config=config,
        project_dir=project_dir,
        provider=info,
        provider_config=config.providers.get(info.name) or info.default_config(),
        runner=CommandRunner(),
        console=Console(progress=False),
        secrets=SecretValues(tuple(config.secrets), project_dir),
    )


def image_request(ctx: ProviderContext, **flags: bool) -> ImageRequest:
    return ImageRequest(
        config=ctx.config, project_dir=ctx.project_dir, provider=ctx.provider, **flags
    )


def some_image() -> ImageResolution:
    return ImageResolution(
        reference="registry.test/sindri:1.0.0", source=ImageSource.IMAGE, reason="test"
    )


def local_build_context(project_dir: Path) -> BuildContext:
    dockerfile = project_dir / "Dockerfile"
    return BuildContext(
        context_dir=project_dir,
        dockerfile=dockerfile,
        source=BuildSource(SourceKind.LOCAL, "found ./Dockerfile", dockerfile=dockerfile),
        build_args={"DISTRO": "ubuntu"},
        fingerprint="f" * 64,
        tag="sindri:test-ffffffffffff",
    )
