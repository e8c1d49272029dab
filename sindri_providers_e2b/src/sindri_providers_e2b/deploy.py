"""Plan, build and deploy an E2B sandbox: its template (built only when it changed) and the
sandbox created from it."""

from __future__ import annotations

from sindri_core.plugin import (
    Artifact,
    BuildContext,
    BuildOptions,
    BuiltImage,
    DeployOptions,
    DeployResult,
    ImageResolution,
    Plan,
    PlannedAction,
    ProviderContext,
    write_artifacts,
)
from sindri_providers_e2b import sandboxes
from sindri_providers_e2b.e2b_cli import E2bCli
from sindri_providers_e2b.settings import E2bSettings
from sindri_providers_e2b.state import TemplateRecord, read_record, write_record
from sindri_providers_e2b.template import TemplateSpec, decide_rebuild, derive_alias, template_spec

__all__ = ["build", "deploy", "plan"]


def _settings(ctx: ProviderContext) -> E2bSettings:
    return ctx.provider_config


def plan(ctx: ProviderContext, image: ImageResolution) -> Plan:
    sandboxes.reject_unsupported(ctx)
    settings = _settings(ctx)
    alias = derive_alias(ctx.name, settings)
    artifacts: tuple[Artifact, ...] = ()
    source = image.build.describe() if image.build is not None else image.reference
    build = None
    if image.build is not None:
        from sindri_core.plugin import planned_context

        build = planned_context(ctx.config, ctx.project_dir, image.build)
    if image.build is None or build is not None:
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


def _ensure_template(
    ctx: ProviderContext, image: ImageResolution | None, build: BuildContext | None, *, force: bool
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


def build(ctx: ProviderContext, build: BuildContext, options: BuildOptions) -> BuiltImage:
    sandboxes.reject_unsupported(ctx)
    spec = _ensure_template(ctx, None, build, force=options.force)
    return BuiltImage(reference=f"e2b-template:{spec.alias}", fingerprint=spec.fingerprint)


def deploy(
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
