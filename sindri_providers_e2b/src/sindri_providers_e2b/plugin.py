"""The e2b provider's hook implementations."""

from __future__ import annotations

import os

from sindri_core import hookimpl
from sindri_core.artifacts import remove_artifacts, write_artifacts
from sindri_core.build.context import BuildContext, SourceKind
from sindri_core.image.resolution import ImageResolution
from sindri_core.lifecycle import (
    Artifact,
    BuildOptions,
    BuiltImage,
    DeploymentState,
    DeploymentStatus,
    DeployOptions,
    DeployResult,
    DestroyOptions,
    OperationResult,
    Plan,
    PlannedAction,
    ProviderContext,
)
from sindri_core.provider import (
    BuildLocation,
    Capabilities,
    Prerequisite,
    PrerequisiteReport,
    ProviderInfo,
)
from sindri_providers_e2b import sandboxes
from sindri_providers_e2b.e2b_cli import HINT, E2bCli
from sindri_providers_e2b.settings import E2bSettings
from sindri_providers_e2b.state import TemplateRecord, read_record, write_record
from sindri_providers_e2b.template import TemplateSpec, decide_rebuild, derive_alias, template_spec

INFO = ProviderInfo(
    name="e2b",
    aliases=(),
    description="E2B cloud sandboxes built from templates",
    capabilities=Capabilities(
        build=BuildLocation.REMOTE, prebuilt_image=True, gpu=False, tools=("e2b",)
    ),
    config_class=E2bSettings,
    notes=(
        "Sandboxes run from a template built from a Dockerfile, or FROM a configured image.",
        "Secrets are passed when the sandbox is created, never baked into the template.",
    ),
)

STATES = {"running": DeploymentState.RUNNING, "paused": DeploymentState.PAUSED}


@hookimpl
def sindri_provider_info() -> ProviderInfo:
    return INFO


def _settings(ctx: ProviderContext) -> E2bSettings:
    return ctx.provider_config


@hookimpl
def sindri_check_prerequisites(ctx: ProviderContext) -> PrerequisiteReport:
    return PrerequisiteReport(
        (
            Prerequisite("e2b", "the E2B CLI", ctx.runner.which("e2b") is not None, HINT),
            Prerequisite(
                "E2B_API_KEY",
                "an E2B API key in the environment",
                bool(os.environ.get("E2B_API_KEY")),
                "get a key at https://e2b.dev/dashboard and export E2B_API_KEY",
            ),
        )
    )


@hookimpl
def sindri_plan(ctx: ProviderContext, image: ImageResolution) -> Plan:
    sandboxes.reject_unsupported(ctx)
    settings = _settings(ctx)
    alias = derive_alias(ctx.name, settings)
    artifacts: tuple[Artifact, ...] = ()
    source = image.build.describe() if image.build is not None else image.reference
    local = image.build is not None and image.build.kind is SourceKind.LOCAL
    if image.build is None or local:
        # Nothing is fetched in a plan; a local Dockerfile can be shown as it would be used.
        build = _local_context(ctx, image) if local else None
        spec = template_spec(ctx, settings, image, build)
        artifacts = (Artifact(spec.dockerfile, spec.content),)
    secrets = sorted(s.name for s in ctx.config.secrets)
    actions = [
        PlannedAction(
            "create",
            f"file:{ctx.output_dir / 'e2b.Dockerfile'}",
            f"template Dockerfile from {source}",
        ),
        PlannedAction(
            "build",
            f"template:{alias}",
            "build the E2B template unless an identical one exists (or reuse it)",
        ),
        PlannedAction(
            "create",
            f"sandbox:{ctx.name}",
            f"sandbox from template {alias}, timeout {settings.timeout}s"
            + (f", secrets {', '.join(secrets)} as environment" if secrets else ""),
        ),
    ]
    return Plan(actions=tuple(actions), artifacts=artifacts)


def _local_context(ctx: ProviderContext, image: ImageResolution) -> BuildContext:
    from sindri_core.build.context import BuildContextRequest
    from sindri_core.build.fetch import fetch_build_context

    request = BuildContextRequest(
        config=ctx.config, project_dir=ctx.project_dir, source=image.build
    )
    return fetch_build_context(request)


def _ensure_template(
    ctx: ProviderContext, image: ImageResolution, build: BuildContext | None, *, force: bool
) -> TemplateSpec:
    settings = _settings(ctx)
    spec = template_spec(ctx, settings, image, build)
    cli = E2bCli(ctx.runner, ctx.console)
    existing = cli.find_template(spec.alias)
    record = read_record(ctx.output_dir, spec.alias)
    decision = decide_rebuild(
        settings,
        force=force,
        exists=existing is not None,
        recorded=record.fingerprint if record else None,
        current=spec.fingerprint,
        alias=spec.alias,
    )
    ctx.console.info(
        f"E2B template {spec.alias}: "
        f"{'building' if decision.build else 'reusing'} ({decision.reason})"
    )
    if decision.build:
        write_artifacts([Artifact(spec.dockerfile, spec.content)])
        cli.build(spec, team=settings.team, no_cache=force)
        write_record(ctx.output_dir, TemplateRecord(spec.alias, spec.fingerprint, spec.source))
    return spec


@hookimpl
def sindri_build(ctx: ProviderContext, build: BuildContext, options: BuildOptions) -> BuiltImage:
    sandboxes.reject_unsupported(ctx)
    spec = _ensure_template(ctx, None, build, force=options.force)
    return BuiltImage(reference=f"e2b-template:{spec.alias}", fingerprint=spec.fingerprint)


@hookimpl
def sindri_deploy(
    ctx: ProviderContext, image: ImageResolution, build: BuildContext | None, options: DeployOptions
) -> DeployResult:
    sandboxes.reject_unsupported(ctx)
    settings = _settings(ctx)
    api = sandboxes.api_for(ctx)
    # Built first so a missing required secret stops the deploy before anything is built.
    body = sandboxes.creation_body(ctx, settings, template=derive_alias(ctx.name, settings))
    existing = api.find(ctx.name)
    if existing is not None and not options.force:
        if existing.state == "paused" and settings.auto_resume:
            api.resume(
                existing.sandbox_id, timeout=settings.timeout, auto_pause=settings.auto_pause
            )
            return DeployResult(
                reference=image.reference,
                messages=(f"Resumed sandbox {existing.sandbox_id}",),
                connection="sindri connect",
            )
        return DeployResult(
            reference=image.reference,
            messages=(
                f"Sandbox {existing.sandbox_id} is already {existing.state}; "
                "use --force to replace it",
            ),
            connection="sindri connect",
        )
    spec = _ensure_template(ctx, image, build, force=options.force)
    if existing is not None:
        api.kill(existing.sandbox_id)
    created = api.create(body)
    return DeployResult(
        reference=image.reference if not image.is_build else f"e2b-template:{spec.alias}",
        messages=(f"Created sandbox {created.sandbox_id} from template {spec.alias}",),
        connection="sindri connect",
    )


@hookimpl
def sindri_status(ctx: ProviderContext, image: ImageResolution | None) -> DeploymentStatus:
    api = sandboxes.api_for(ctx)
    sandbox = api.find(ctx.name)
    configured = image.reference if image is not None else None
    if sandbox is None:
        return DeploymentStatus(DeploymentState.NOT_DEPLOYED, configured_image=configured)
    record = read_record(ctx.output_dir, derive_alias(ctx.name, _settings(ctx)))
    return DeploymentStatus(
        state=STATES.get(sandbox.state, DeploymentState.UNKNOWN),
        image=record.source if record else f"e2b-template:{sandbox.template_id}",
        configured_image=configured,
        details={
            "sandbox_id": sandbox.sandbox_id,
            "template": sandbox.template_id,
            "started_at": sandbox.started_at,
            "ends_at": sandbox.end_at,
        },
    )


@hookimpl
def sindri_start(ctx: ProviderContext) -> OperationResult:
    settings = _settings(ctx)
    api = sandboxes.api_for(ctx)
    sandbox = sandboxes.require_sandbox(api, ctx)
    if sandbox.state == "running":
        return OperationResult(f"Sandbox {sandbox.sandbox_id} is already running")
    api.resume(sandbox.sandbox_id, timeout=settings.timeout, auto_pause=settings.auto_pause)
    return OperationResult(f"Resumed sandbox {sandbox.sandbox_id}")


@hookimpl
def sindri_stop(ctx: ProviderContext) -> OperationResult:
    api = sandboxes.api_for(ctx)
    sandbox = sandboxes.require_sandbox(api, ctx)
    if sandbox.state == "paused":
        return OperationResult(f"Sandbox {sandbox.sandbox_id} is already paused")
    api.pause(sandbox.sandbox_id)
    return OperationResult(f"Paused sandbox {sandbox.sandbox_id}")


@hookimpl
def sindri_destroy(ctx: ProviderContext, options: DestroyOptions) -> OperationResult:
    api = sandboxes.api_for(ctx)
    sandbox = api.find(ctx.name)
    if sandbox is not None:
        api.kill(sandbox.sandbox_id)
    remove_artifacts(ctx.output_dir)
    alias = derive_alias(ctx.name, _settings(ctx))
    what = f"Killed sandbox {sandbox.sandbox_id}" if sandbox else "No sandbox was running"
    return OperationResult(
        f"{what}; template {alias} is kept (delete it with `e2b template delete {alias}`)"
    )


@hookimpl
def sindri_connect(ctx: ProviderContext, command: tuple[str, ...]) -> OperationResult:
    settings = _settings(ctx)
    api = sandboxes.api_for(ctx)
    sandbox = sandboxes.require_sandbox(api, ctx)
    sandboxes.ensure_running(api, sandbox, settings)
    argv = ["e2b", "sandbox", "connect", sandbox.sandbox_id]
    if command:
        argv = ["e2b", "sandbox", "exec", sandbox.sandbox_id, *command]
    return OperationResult("", exit_code=ctx.runner.interactive(argv))
