"""Choosing the build source: buildFromSource → local Dockerfile → Sindri sources.

Cheap and offline (a few ``stat`` calls): the image chain runs it on every resolution, and
``plan`` shows its answer without fetching anything.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from sindri_core.build.context import BuildSource, SourceKind
from sindri_core.build.refs import (
    FALLBACK_FIELD,
    redact_url,
    validate_ref,
    validate_repository,
)
from sindri_core.config.model import SindriConfig

__all__ = [
    "DEFAULT_REF",
    "DEFAULT_REPOSITORY",
    "DOCKERFILE_CANDIDATES",
    "REPOSITORY_ENV",
    "SourceChoice",
    "select_source",
]

DEFAULT_REPOSITORY = "https://github.com/pacphi/sindri.git"
DEFAULT_REF = "v3"  # the branch that carries the v3 sources
REPOSITORY_ENV = "SINDRI_SOURCE_REPO"
DOCKERFILE_CANDIDATES = ("Dockerfile", "v3/Dockerfile", "deploy/Dockerfile")


@attrs.frozen
class SourceChoice:
    """The chosen source, and whether it is *present* (explicitly configured or found locally),
    which is what ``--force`` needs to prefer a rebuild over a configured image."""

    source: BuildSource
    present: bool


def select_source(
    config: SindriConfig, project_dir: Path, from_source: bool = False
) -> SourceChoice:
    """The source a build would use, and why.

    :raises ConfigError: the configured repository or ref cannot be a git URL or ref.
    """
    settings = config.deployment.build_from_source
    repository, ref = _sindri_sources(config)
    if from_source or settings.enabled:
        why = "--from-source" if from_source else "deployment.buildFromSource.enabled is true"
        return SourceChoice(
            BuildSource(SourceKind.GIT, why, repository=repository, ref=ref), present=True
        )
    for candidate in DOCKERFILE_CANDIDATES:
        path = project_dir / candidate
        if path.is_file():
            return SourceChoice(
                BuildSource(
                    SourceKind.LOCAL,
                    f"a local Dockerfile was found at ./{candidate}",
                    dockerfile=path,
                ),
                present=True,
            )
    searched = ", ".join(f"./{c}" for c in DOCKERFILE_CANDIDATES)
    return SourceChoice(
        BuildSource(
            SourceKind.GIT,
            f"no local Dockerfile found at {searched} (in {project_dir}); using the Sindri "
            f"sources at "
            f"{redact_url(repository)}@{ref}",
            repository=repository,
            ref=ref,
        ),
        present=False,
    )


def _sindri_sources(config: SindriConfig) -> tuple[str, str]:
    settings = config.deployment.build_from_source
    if settings.repository:
        repository = validate_repository(settings.repository)
    elif os.environ.get(REPOSITORY_ENV):
        repository = validate_repository(os.environ[REPOSITORY_ENV], REPOSITORY_ENV)
    else:
        repository = DEFAULT_REPOSITORY
    if settings.fallback_ref is not None:
        validate_ref(settings.fallback_ref, FALLBACK_FIELD)
    return repository, validate_ref(settings.git_ref or DEFAULT_REF)
