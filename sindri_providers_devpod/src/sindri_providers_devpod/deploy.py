"""Plan, build and deploy a DevPod workspace: the image it runs, its devcontainer.json, and
``devpod up``."""

from __future__ import annotations

from pathlib import Path

from sindri_core.plugin import (
    Artifact,
    BuildContext,
    BuildOptions,
    BuiltImage,
    DeployOptions,
    DeployResult,
    ImageResolution,
    ImageSource,
    Plan,
    PlannedAction,
    ProviderContext,
    UsageError,
    docker_engine,
    local_cluster,
    remove_artifact,
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
        cluster = local_cluster.cluster_from_context(context) if context else None
    strategy = build_strategy(settings, local_cluster=cluster is not None)
    source = image.build.describe()
    if strategy is BuildStrategy.DEVCONTAINER:
        from sindri_core.plugin import planned_context

        build = planned_context(ctx.config, ctx.project_dir, image.build)
        action = PlannedAction("build", "devcontainer", f"devpod builds the {source}")
        return WorkspaceImage(image=None, build=build, strategy=strategy), [action]
    actions = [PlannedAction("build", f"image:{image.reference}", f"docker build of the {source}")]
    if cluster is not None:
        actions.append(
            PlannedAction(
                "load", f"cluster:{cluster.name}", f"load the image into the {cluster.describe()}"
            )
        )
        return WorkspaceImage(image=image.reference, build=None, strategy=strategy), actions
    target = docker_engine.pushed_reference(require_repository(settings), image.reference or "")
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
    return Plan(actions=tuple(actions), artifacts=artifacts, notes=notes)


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
    write_artifacts([Artifact(devcontainer_path(ctx), render(document))])
    cli = DevpodCli(ctx.runner)
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
            recreate=options.force,
            stream=ctx.console.progress,
        )
    finally:
        if env_file is not None:
            remove_artifact(env_file)
    if prepared.image is not None:
        reference = prepared.image
    else:
        assert build is not None  # workspace_image leaves the image unset only to build `build`
        reference = f"devcontainer build of the {build.source.describe()}"
    return DeployResult(
        reference=reference,
        messages=(f"DevPod workspace {workspace} is up",),
        connection=f"sindri connect  (or: devpod ssh {workspace})",
    )
