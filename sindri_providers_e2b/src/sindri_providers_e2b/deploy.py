"""Plan, build and deploy an E2B sandbox: its template (built only when it changed) and the
sandbox created from it, all through the official SDK."""

from __future__ import annotations

import attrs

from sindri_core.plugin import (
    Artifact,
    BuildContext,
    BuildOptions,
    BuiltImage,
    Change,
    ChangeAction,
    ConfigError,
    DeployOptions,
    DeployRecord,
    DeployResult,
    ImageReference,
    ImageResolution,
    OperationError,
    Plan,
    PlannedAction,
    ProviderContext,
    build_and_push,
    lookup_credentials,
    pushed_reference,
    write_artifacts,
)
from sindri_providers_e2b import sandboxes
from sindri_providers_e2b.client import E2bClient, SandboxSummary, client_from_environment
from sindri_providers_e2b.settings import E2bSettings, unenforced_sentence
from sindri_providers_e2b.state import TemplateRecord, read_record, write_record
from sindri_providers_e2b.template import (
    DEFINITION_NAME,
    TemplateSpec,
    decide_rebuild,
    derive_alias,
    sdk_template,
    template_spec,
)

__all__ = ["build", "deploy", "plan"]


def _settings(ctx: ProviderContext) -> E2bSettings:
    return ctx.provider_config


# What plan knows of the Sindri sources before they are fetched: their v3/Dockerfile.
SOURCES_REASON = "the Sindri sources' Dockerfile is multi-stage"


def _require_repository(settings: E2bSettings, reason: str) -> str:
    if settings.build_repository:
        return settings.build_repository
    raise ConfigError(
        f"{reason}, which E2B's Dockerfile support cannot build, so sindri builds it "
        "locally and pushes it for the template, and needs somewhere to push it",
        path="providers.e2b.buildRepository",
        hint="set it to a repository E2B can pull from, e.g. ghcr.io/me/sindri-dev, or "
        "configure deployment.image (the Rust tool instead had the E2B CLI build the "
        "multi-stage Sindri Dockerfile; sindri builds templates through E2B's API, which "
        "cannot)",
    )


@attrs.frozen
class _Planned:
    """What plan can tell: the template (``None`` until the Sindri sources are fetched), why a
    local build and push comes first (if it does), and the source shown."""

    spec: TemplateSpec | None
    push_reason: str | None
    source: str
    fingerprint: str | None = None  # the template's, as deploy decides a rebuild by it


def _planned(ctx: ProviderContext, image: ImageResolution) -> _Planned:
    settings = _settings(ctx)
    if image.build is None:
        spec = template_spec(ctx, settings, image, None)
        return _Planned(spec, None, image.reference or "", spec.fingerprint)
    from sindri_core.plugin import planned_context

    source = image.build.describe()
    build = planned_context(ctx.config, ctx.project_dir, image.build)
    if build is None:  # the Sindri sources, fetched by build and deploy only
        _require_repository(settings, SOURCES_REASON)
        return _Planned(None, SOURCES_REASON, source)
    spec = template_spec(ctx, settings, None, build)
    if not spec.local_build:
        return _Planned(spec, None, source, spec.fingerprint)
    repository = _require_repository(settings, spec.local_build)
    # The tag it will be pushed as; the digest is known once it is pushed.
    shown = spec.with_image(pushed_reference(repository, build.tag))
    return _Planned(shown, spec.local_build, source, spec.fingerprint)


def plan(ctx: ProviderContext, image: ImageResolution) -> Plan:
    settings = _settings(ctx)
    alias = derive_alias(ctx.name, settings)
    planned = _planned(ctx, image)
    artifacts: tuple[Artifact, ...] = ()
    if planned.spec is not None:
        definition = planned.spec.definition() + "\n"
        artifacts = (Artifact(ctx.output_dir / DEFINITION_NAME, definition),)
    actions = []
    if planned.push_reason:
        actions += [
            PlannedAction(
                "build", f"image:{planned.source}", f"docker build: {planned.push_reason}"
            ),
            PlannedAction(
                "push", f"image:{settings.build_repository}", "docker push to buildRepository"
            ),
        ]
    secrets = sorted(s.name for s in ctx.config.secrets)
    exposure = "public" if settings.public_access else "private"
    actions += [
        PlannedAction(
            "build",
            f"template:{alias}",
            f"build the E2B template from {planned.source} unless an identical one exists",
        ),
        PlannedAction(
            "create",
            f"sandbox:{ctx.name}",
            f"{exposure} sandbox from template {alias}, timeout {settings.timeout}s"
            + (f", secrets {', '.join(secrets)} as environment" if secrets else ""),
        ),
    ]
    result = Plan(actions=tuple(actions), artifacts=artifacts, notes=_unenforced(settings))
    return _compared(ctx, alias, planned.fingerprint, result)


def _unenforced(settings: E2bSettings) -> tuple[str, ...]:
    """blockedDomains' domain names, said plainly wherever sindri deploys (the Rust tool
    dropped them silently)."""
    domains = settings.unenforced_domains
    return (f"blockedDomains {unenforced_sentence(domains)}",) if domains else ()


def _compared(ctx: ProviderContext, alias: str, fingerprint: str | None, result: Plan) -> Plan:
    """``result`` with the template and the sandbox compared, from read-only API calls."""
    try:
        client = client_from_environment()
        exists = client.template_exists(alias)
        existing = client.find(ctx.name)
    except OperationError as exc:  # no key, a refused key, E2B unreachable
        return result.uncompared(f"E2B could not be asked: {exc.message}")
    template = read_record(ctx.output_dir, alias)
    changes = (
        template_change(alias, exists, template, fingerprint),
        sandbox_change(ctx, existing, fingerprint),
    )
    return result.compared(changes)


def template_change(
    alias: str, exists: bool, record: TemplateRecord | None, fingerprint: str | None
) -> Change:
    resource = f"template:{alias}"
    if not exists:
        return Change(ChangeAction.CREATE, resource)
    recorded = f"fingerprint {record.fingerprint[:12]}" if record else "fingerprint (unknown)"
    wanted = f"fingerprint {fingerprint[:12]}" if fingerprint else "known once sources are fetched"
    return Change.compare(resource, recorded, wanted)


def sandbox_change(
    ctx: ProviderContext, existing: SandboxSummary | None, fingerprint: str | None
) -> Change:
    """The sandbox against the template it should run: the one deploy records creating it
    from, with the same fingerprint."""
    resource = f"sandbox:{ctx.name}"
    if existing is None:
        return Change(ChangeAction.CREATE, resource)
    record = DeployRecord.read(ctx.output_dir, ctx.name)
    if record is None or record.reference != existing.sandbox_id:
        before = f"sandbox {existing.sandbox_id} (template unknown)"
        return Change(ChangeAction.UPDATE, resource, before, "replaced")
    if record.config_sha256 != fingerprint:
        before = f"sandbox {existing.sandbox_id} (template {record.config_sha256[:12]})"
        return Change(ChangeAction.UPDATE, resource, before, "replaced")
    if existing.state != "running":
        return Change(ChangeAction.UPDATE, resource, existing.state, "running")
    return Change(ChangeAction.UNCHANGED, resource)


def _credentials(ctx: ProviderContext, image: str):
    registry = ImageReference.parse(image, field="deployment.image").registry
    found = lookup_credentials(registry, runner=ctx.runner)
    if found is not None and found.identity_token:
        ctx.console.warn(
            f"the {registry} login from {found.source} is an identity token, which E2B cannot "
            "use; the template's base image is pulled anonymously"
        )
        return None
    return found


def _ensure_template(
    ctx: ProviderContext,
    client: E2bClient,
    image: ImageResolution | None,
    build: BuildContext | None,
    *,
    force: bool,
) -> TemplateSpec:
    settings = _settings(ctx)
    spec = template_spec(ctx, settings, image, build)
    repository = _require_repository(settings, spec.local_build) if spec.local_build else None
    record = read_record(ctx.output_dir, spec.alias)
    decision = decide_rebuild(
        settings,
        force=force,
        exists=client.template_exists(spec.alias),
        recorded=record.fingerprint if record else None,
        current=spec.fingerprint,
        alias=spec.alias,
    )
    ctx.console.info(
        f"E2B template {spec.alias}: "
        f"{'building' if decision.build else 'reusing'} ({decision.reason})"
    )
    if not decision.build:
        return spec
    if build is not None and repository is not None:
        pushed = build_and_push(ctx.runner, build, repository, force=force, console=ctx.console)
        spec = spec.with_image(pushed)
    credentials = _credentials(ctx, spec.image) if spec.image else None
    ctx.console.step(f"Building E2B template {spec.alias} from {spec.source}")
    client.build_template(
        sdk_template(spec, credentials),
        spec.alias,
        cpu_count=spec.cpu_count,
        memory_mb=spec.memory_mb,
        skip_cache=force,
        on_log=ctx.console.step,
    )
    definition = Artifact(ctx.output_dir / DEFINITION_NAME, spec.definition() + "\n")
    write_artifacts([definition])
    write_record(ctx.output_dir, TemplateRecord(spec.alias, spec.fingerprint, spec.source))
    return spec


def build(ctx: ProviderContext, build: BuildContext, options: BuildOptions) -> BuiltImage:
    client = client_from_environment()
    spec = _ensure_template(ctx, client, None, build, force=options.force)
    return BuiltImage(reference=f"e2b-template:{spec.alias}", fingerprint=spec.fingerprint)


def deploy(
    ctx: ProviderContext, image: ImageResolution, build: BuildContext | None, options: DeployOptions
) -> DeployResult:
    settings = _settings(ctx)
    for note in _unenforced(settings):
        ctx.console.warn(note)
    client = client_from_environment()
    alias = derive_alias(ctx.name, settings)
    # Built first so a missing required secret stops the deploy before anything is built.
    create = sandboxes.creation_options(ctx, settings, template=alias)
    existing = client.find(ctx.name)
    current = template_spec(ctx, settings, image, build).fingerprint
    if existing is not None and not options.force and _current(ctx, existing, alias, current):
        if existing.state == "running":
            return DeployResult(
                reference=image.reference, connection="sindri connect", unchanged=True
            )
        if existing.state == "paused" and settings.auto_resume:
            client.connect(existing.sandbox_id, timeout=settings.timeout)
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
    spec = _ensure_template(ctx, client, image, build, force=options.force)
    if existing is not None:
        client.kill(existing.sandbox_id)
    sandbox_id = client.create(**create)
    write_artifacts([DeployRecord(ctx.name, sandbox_id, spec.fingerprint).artifact(ctx.output_dir)])
    exposure = "public" if settings.public_access else "private"
    return DeployResult(
        reference=image.reference if not image.is_build else f"e2b-template:{spec.alias}",
        messages=(f"Created {exposure} sandbox {sandbox_id} from template {spec.alias}",),
        connection="sindri connect",
    )


def _current(ctx: ProviderContext, existing: SandboxSummary, alias: str, fingerprint: str) -> bool:
    """The sandbox was created from the template as it is now, and the template was built
    from what sindri.yaml asks for now. Secret values are not compared: replacing a sandbox
    loses its files, so a changed secret value takes ``deploy --force``."""
    template = read_record(ctx.output_dir, alias)
    if template is None or template.fingerprint != fingerprint:
        return False
    record = DeployRecord.read(ctx.output_dir, ctx.name)
    return (
        record is not None
        and record.reference == existing.sandbox_id
        and record.config_sha256 == fingerprint
    )
