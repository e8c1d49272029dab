"""The core's ``sindri_fetch_build_context``: a build source made real (docs/IMAGE_MANAGEMENT.md).

A local Dockerfile is used in place (its directory is the context; nothing is copied). The
Sindri sources come from the source cache, fetched when needed. Either way the answer carries
the build arguments, the content fingerprint and the image tag.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from sindri_core import __version__
from sindri_core.build.context import (
    BuildContext,
    BuildContextRequest,
    BuildSource,
    SourceKind,
    build_tag,
)
from sindri_core.build.fingerprint import fingerprint
from sindri_core.build.refs import FALLBACK_FIELD, RefKind, sindri_version_for
from sindri_core.config.model import SindriConfig
from sindri_core.errors import ConfigError

if TYPE_CHECKING:
    from sindri_core.build.git_fetcher import FetchedSource

__all__ = ["build_args", "fetch_build_context"]


def fetch_build_context(request: BuildContextRequest) -> BuildContext | None:
    """Use the local Dockerfile in place, or fetch (or reuse) the Sindri sources.

    At plan time (``request.planning``) nothing is fetched: a local Dockerfile's context is
    computed in place (files are read, nothing is written or run) and the Sindri sources,
    which only ``build`` and ``deploy`` fetch, answer ``None``.

    :raises ConfigError: the Dockerfile disappeared, a ref does not exist, or the sources
        lack ``v3/Dockerfile``.
    :raises OperationError: git failed or the repository cannot be reached (and nothing
        usable is cached).
    """
    if request.source.kind is SourceKind.LOCAL:
        return _local(request)
    if request.planning:
        return None
    return _from_git(request)


def build_args(config: SindriConfig, ref: str | None, kind: RefKind | None) -> dict[str, str]:
    """``DISTRO`` and ``SINDRI_VERSION`` (the version tag without ``v``, else the CLI's)."""
    return {
        "DISTRO": config.deployment.distro,
        "SINDRI_VERSION": sindri_version_for(ref, kind, __version__),
    }


def _local(request: BuildContextRequest) -> BuildContext:
    dockerfile = request.source.dockerfile
    if dockerfile is None or not dockerfile.is_file():
        raise ConfigError(f"the Dockerfile {dockerfile} no longer exists")
    context_dir = dockerfile.parent
    args = build_args(request.config, None, None)
    digest = fingerprint(context_dir, dockerfile, args)
    return BuildContext(
        context_dir=context_dir,
        dockerfile=dockerfile,
        source=request.source,
        build_args=args,
        fingerprint=digest,
        tag=build_tag(digest[:12]),
    )


def _from_git(request: BuildContextRequest) -> BuildContext:
    # Here, not at the top: a local Dockerfile needs neither git nor the source cache.
    from sindri_core.build.git_fetcher import SOURCE_DOCKERFILE, GitFetcher
    from sindri_core.output import Console
    from sindri_core.runner import CommandRunner

    source = request.source
    assert source.repository is not None and source.ref is not None
    fetcher = GitFetcher(
        source.repository,
        runner=request.runner or CommandRunner(),
        console=request.console or Console(progress=False),
    )
    if source.commit is not None:
        # sindri.lock pins the ref: its commit is fetched by SHA, wherever the ref points now,
        # and the build arguments are those of the ref as it was locked.
        fetched = fetcher.fetch(source.commit)
        ref, kind = source.ref, RefKind(source.ref_kind or RefKind.COMMIT.value)
        requested = source.ref
    else:
        fetched = fetcher.fetch(
            source.ref,
            fallback_ref=request.config.deployment.build_from_source.fallback_ref,
            refresh=request.refresh,
        )
        source = _used_source(source, fetched)
        ref, kind, requested = fetched.ref, fetched.kind, fetched.requested_ref
    tree = fetched.entry.tree
    dockerfile = tree / SOURCE_DOCKERFILE
    args = build_args(request.config, ref, kind)
    return BuildContext(
        context_dir=tree,
        dockerfile=dockerfile,
        source=source,
        build_args=args,
        fingerprint=fingerprint(tree, dockerfile, args, files_digest=fetched.entry.files_digest),
        tag=build_tag(fetched.commit[:7]),
        commit=fetched.commit,
        ref_kind=kind.value,
        requested_ref=requested,
        reused=fetched.reused,
    )


def _used_source(source: BuildSource, fetched: FetchedSource) -> BuildSource:
    if not fetched.fell_back:
        return source
    return attrs.evolve(
        source,
        ref=fetched.ref,
        reason=f"{source.reason}; {fetched.requested_ref!r} does not exist, so {FALLBACK_FIELD} "
        f"{fetched.ref!r} was used",
    )
