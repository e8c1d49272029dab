"""Turning the chain's answer into what the workspace runs (the "smart" build).

Configured images (levels 1-4) are used as they are. For a build (level 5): the docker backend
lets devpod build the Dockerfile; a local kind/k3d cluster gets a local build loaded into it;
everything else gets a local build pushed to ``buildRepository``.
"""

from __future__ import annotations

import attrs

from sindri_core.plugin import (
    BuildContext,
    ConfigError,
    ImageResolution,
    ProviderContext,
    build_and_push,
    build_image,
    detect_local_cluster,
    load_image,
)
from sindri_providers_devpod.backends import BuildStrategy, build_strategy
from sindri_providers_devpod.settings import DevpodSettings

__all__ = [
    "WorkspaceImage",
    "kubernetes_context",
    "require_repository",
    "workspace_image",
]


@attrs.frozen
class WorkspaceImage:
    """``image`` for devcontainer.json, or ``None`` when devpod builds ``build`` itself."""

    image: str | None
    build: BuildContext | None
    strategy: BuildStrategy | None = None


def kubernetes_context(ctx: ProviderContext, settings: DevpodSettings) -> str | None:
    if settings.kubernetes.context:
        return settings.kubernetes.context
    result = ctx.runner.run(["kubectl", "config", "current-context"], timeout=30, check=False)
    return result.stdout.strip() or None


def require_repository(settings: DevpodSettings) -> str:
    if not settings.build_repository:
        raise ConfigError(
            f"the {settings.type} backend runs images from a registry, so a build needs "
            "somewhere to push it",
            path="providers.devpod.buildRepository",
            hint="set it to a repository you can push to, e.g. ghcr.io/me/sindri-dev, or "
            "configure deployment.image",
        )
    return settings.build_repository


def workspace_image(
    ctx: ProviderContext,
    settings: DevpodSettings,
    image: ImageResolution,
    build: BuildContext | None,
    *,
    force: bool,
) -> WorkspaceImage:
    if build is None:
        return WorkspaceImage(image=image.reference, build=None)
    cluster = None
    if settings.type == "kubernetes":
        context = kubernetes_context(ctx, settings)
        cluster = detect_local_cluster(ctx.runner, context) if context else None
    strategy = build_strategy(settings, local_cluster=cluster is not None)
    if strategy is BuildStrategy.DEVCONTAINER:
        return WorkspaceImage(image=None, build=build, strategy=strategy)
    if cluster is None:
        repository = require_repository(settings)
        pushed = build_and_push(ctx.runner, build, repository, force=force, console=ctx.console)
        return WorkspaceImage(image=pushed, build=None, strategy=strategy)
    built = build_image(ctx.runner, build, build.tag, force=force, console=ctx.console)
    ctx.console.step(f"Loading {built.reference} into the {cluster.describe()}")
    load_image(ctx.runner, cluster, built.reference)
    return WorkspaceImage(image=built.reference, build=None, strategy=strategy)
