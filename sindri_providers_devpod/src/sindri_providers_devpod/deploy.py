"""Plan, build and deploy a DevPod workspace: the image it runs, its devcontainer.json, and
``devpod up``."""

from __future__ import annotations

from pathlib import Path

from sindri_core.plugin import (
    Artifact,
    BuildContext,
    BuildOptions,
    BuiltImage,
    Change,
    ChangeAction,
    DeployOptions,
    DeployRecord,
    DeployResult,
    ImageResolution,
    ImageSource,
    OperationError,
    Plan,
    PlannedAction,
    ProviderContext,
    UsageError,
    cluster_from_context,
    config_change,
    planned_context,
    pushed_reference,
    remove_artifact,
    sha256_text,
    write_artifact,
    write_artifacts,
)
from sindri_providers_devpod.backends import (
    BuildStrategy,
    build_strategy,
    devpod_provider_name,
    provider_options,
)
from sindri_providers_devpod.devcontainer import devcontainer_document, devcontainer_path, render
from sindri_providers_devpod.devpod_cli import DevpodCli
from sindri_providers_devpod.env_file import encode_env_file
from sindri_providers_devpod.images import (
    WorkspaceImage,
    kubernetes_context,
    require_repository,
    workspace_image,
)
from sindri_providers_devpod.settings import DevpodSettings
from sindri_providers_devpod.workspace_id import workspace_id

__all__ = ["build", "deploy", "plan"]


def _settings(ctx: ProviderContext) -> DevpodSettings:
    return ctx.provider_config


def _planned_image(
    ctx: ProviderContext, settings: DevpodSettings, image: ImageResolution
) -> tuple[WorkspaceImage, list[PlannedAction]]:
    """What deploy would run, decided without building, pushing, cloning or loading."""
    if image.build is None:
        return WorkspaceImage(image=image.reference, build=None), []
    cluster = None
    if settings.type == "kubernetes":
        context = kubernetes_context(ctx, settings)
        cluster = cluster_from_context(context) if context else None
    strategy = build_strategy(settings, local_cluster=cluster is not None)
    source = image.build.describe()
    # A local Dockerfile's fingerprint, and so its tag, is known at plan time.
    build = planned_context(ctx.config, ctx.project_dir, image.build)
    if strategy is BuildStrategy.DEVCONTAINER:
        action = PlannedAction("build", "devcontainer", f"devpod builds the {source}")
        return WorkspaceImage(image=None, build=build, strategy=strategy), [action]
    tag = build.tag if build is not None else image.reference
    actions = [PlannedAction("build", f"image:{tag}", f"docker build of the {source}")]
    if cluster is not None:
        actions.append(
            PlannedAction(
                "load", f"cluster:{cluster.name}", f"load the image into the {cluster.describe()}"
            )
        )
        return WorkspaceImage(image=tag, build=None, strategy=strategy), actions
    target = pushed_reference(require_repository(settings), tag or "")
    actions.append(PlannedAction("push", f"image:{target}", "docker push to buildRepository"))
    return WorkspaceImage(image=target, build=None, strategy=strategy), actions


def plan(ctx: ProviderContext, image: ImageResolution) -> Plan:
    settings = _settings(ctx)
    # Read now so a value devpod cannot carry stops the plan, as it would stop deploy.
    values = ctx.secrets.env_values()
    encode_env_file(values)
    secrets = sorted(values)
    planned, actions = _planned_image(ctx, settings, image)
    provider = devpod_provider_name(settings)
    options = provider_options(settings, ctx.config)
    artifacts: tuple[Artifact, ...] = ()
    notes: tuple[str, ...] = ()
    if planned.image is not None or planned.build is not None:
        document = devcontainer_document(ctx, settings, image=planned.image, build=planned.build)
        artifacts = (Artifact(devcontainer_path(ctx), render(document)),)
        if image.build is not None and planned.build is None and "-SOURCE" in (planned.image or ""):
            notes = (
                f"{planned.image} is a placeholder: the tag names the commit of the sources, "
                "known once they are fetched",
            )
        elif planned.strategy is BuildStrategy.PUSH:
            notes = (f"deploy pins {planned.image} to the digest the push answers",)
    else:
        notes = (
            (f"devcontainer.json is written once the {image.build.describe()} is fetched",)
            if image.build
            else ()
        )
    workspace = workspace_id(ctx.name)
    actions += [
        PlannedAction("create", f"file:{devcontainer_path(ctx)}", "devcontainer.json"),
        PlannedAction(
            "update",
            f"provider:{provider}",
            "add or configure the devpod provider"
            + (f" with {', '.join(sorted(options))}" if options else ""),
        ),
        PlannedAction(
            "create",
            f"workspace:{workspace}",
            f"devpod up --provider {provider} --id {workspace}"
            + (f"; secrets {', '.join(secrets)} via a workspace env file" if secrets else ""),
        ),
    ]
    result = Plan(actions=tuple(actions), artifacts=artifacts, notes=notes)
    return _compared(ctx, workspace, artifacts, result, secrets=bool(secrets))


def _compared(
    ctx: ProviderContext,
    workspace: str,
    artifacts: tuple[Artifact, ...],
    result: Plan,
    *,
    secrets: bool,
) -> Plan:
    """``result`` with the workspace and its devcontainer.json compared (``devpod status``)."""
    try:
        state = DevpodCli(ctx.runner).status(workspace)
    except OperationError as exc:  # no devpod, or it could not answer
        return result.uncompared(f"devpod could not report the workspace: {exc.message}")
    record = DeployRecord.read(ctx.output_dir, workspace)
    changes = [workspace_change(workspace, state, record, artifacts)]
    changes += [
        config_change(f"file:{artifact.path}", record, artifact.content) for artifact in artifacts
    ]
    if secrets:  # values are never read back nor hashed: passed on every deploy
        changes.append(
            Change(
                ChangeAction.UPDATE,
                f"env:{workspace}",
                "live values",
                "values from sindri.yaml (not compared)",
            )
        )
    return result.compared(changes)


def workspace_change(
    workspace: str, state: str, record: DeployRecord | None, artifacts: tuple[Artifact, ...]
) -> Change:
    """The workspace against the devcontainer.json deploy writes (which names its image)."""
    resource = f"workspace:{workspace}"
    if state == "NotFound":
        return Change(ChangeAction.CREATE, resource)
    if not artifacts:  # a git source's devcontainer.json is known once it is fetched
        return Change(ChangeAction.UPDATE, resource, "devcontainer (recorded)", "(after fetch)")
    change = config_change(resource, record, artifacts[0].content)
    if change.action is ChangeAction.CREATE:  # deployed by an older sindri: no record
        return Change(ChangeAction.UPDATE, resource, "devcontainer (unknown)", "recreated")
    if change.action is ChangeAction.UPDATE:
        return Change(ChangeAction.UPDATE, resource, f"devcontainer {change.before}", "recreated")
    if state != "Running":
        return Change(ChangeAction.UPDATE, resource, state, "Running")
    return change


def build(ctx: ProviderContext, build: BuildContext, options: BuildOptions) -> BuiltImage:
    settings = _settings(ctx)
    image = ImageResolution(
        reference=build.tag, source=ImageSource.BUILD, reason="sindri build", build=build.source
    )
    prepared = workspace_image(ctx, settings, image, build, force=options.force)
    if prepared.strategy is BuildStrategy.DEVCONTAINER:
        raise UsageError(
            "with the docker backend devpod builds the Dockerfile itself during "
            "deploy; there is nothing to pre-build"
        )
    return BuiltImage(
        reference=prepared.image or build.tag,
        fingerprint=build.fingerprint,
        pushed=prepared.strategy is BuildStrategy.PUSH,
    )


def _env_file(ctx: ProviderContext, encoded: str) -> Path | None:
    if not encoded:
        return None
    return write_artifact(Artifact(ctx.output_dir / "workspace.env", encoded, mode=0o600))


def deploy(
    ctx: ProviderContext, image: ImageResolution, build: BuildContext | None, options: DeployOptions
) -> DeployResult:
    settings = _settings(ctx)
    # A missing required secret, or one devpod cannot carry, stops us before any work.
    secrets = encode_env_file(ctx.secrets.env_values())
    workspace = workspace_id(ctx.name)
    prepared = workspace_image(ctx, settings, image, build, force=options.force)
    document = devcontainer_document(ctx, settings, image=prepared.image, build=prepared.build)
    artifact = Artifact(devcontainer_path(ctx), render(document))
    reference = _reference(prepared, build)
    write_artifacts([artifact])
    cli = DevpodCli(ctx.runner)
    state = cli.status(workspace)
    record = DeployRecord.read(ctx.output_dir, workspace)
    change = workspace_change(workspace, state, record, (artifact,))
    connection = f"sindri connect  (or: devpod ssh {workspace})"
    if not options.force and not secrets and change.action is ChangeAction.UNCHANGED:
        return DeployResult(reference=reference, connection=connection, unchanged=True)
    # devpod applies a changed devcontainer.json only to a recreated container; --recreate
    # keeps the workspace's content (--reset would not).
    recorded = record.config_sha256 if record else None
    recreate = options.force or (state != "NotFound" and recorded != sha256_text(artifact.content))
    provider = devpod_provider_name(settings)
    cli.configure_provider(provider, provider_options(settings, ctx.config))
    env_file = _env_file(ctx, secrets)
    try:
        ctx.console.step(f"devpod up {workspace} on {provider}")
        cli.up(
            ctx.project_dir,
            provider=provider,
            workspace=workspace,
            devcontainer=str(devcontainer_path(ctx).relative_to(ctx.project_dir)),
            env_file=env_file,
            recreate=recreate,
            stream=ctx.console.progress,
        )
    finally:
        if env_file is not None:
            remove_artifact(env_file)
    record = DeployRecord(workspace, reference, sha256_text(artifact.content))
    write_artifacts([record.artifact(ctx.output_dir)])
    verb = "recreated" if recreate else "up"
    return DeployResult(
        reference=reference,
        messages=(f"DevPod workspace {workspace} is {verb}",),
        connection=connection,
    )


def _reference(prepared: WorkspaceImage, build: BuildContext | None) -> str:
    if prepared.image is not None:
        return prepared.image
    assert build is not None  # workspace_image leaves the image unset only to build `build`
    return f"devcontainer build of the {build.source.describe()}"
