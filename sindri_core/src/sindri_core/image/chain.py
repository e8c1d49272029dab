"""The priority chain (docs/IMAGE_MANAGEMENT.md): digest → tag_override → version → image → build.

First match wins; there is no default image. The answer explains itself
(:class:`~sindri_core.image.resolution.ImageResolution`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sindri_core.config.model import ImageConfig
from sindri_core.errors import ConfigError, StaleLockError, UsageError
from sindri_core.image.reference import ImageReference
from sindri_core.image.resolution import ImageRequest, ImageResolution, ImageSource

if TYPE_CHECKING:
    from sindri_core.build.context import BuildSource
    from sindri_core.build.sources import SourceChoice
    from sindri_core.image.lock import ImageLock

__all__ = ["placeholder_build_tag", "resolve"]


def placeholder_build_tag() -> str:
    """What ``plan`` shows for an image that would be built."""
    from sindri_core.build.context import build_tag

    return build_tag("SOURCE")


def _select_source(request: ImageRequest) -> SourceChoice:
    # Imported here: a configured image (the warm `image resolve`) never looks for sources.
    from sindri_core.build.sources import select_source

    return select_source(request.config, request.project_dir, request.from_source)


def resolve(request: ImageRequest) -> ImageResolution:
    """Walk the chain for ``request``.

    :raises ConfigError: nothing is configured and the provider cannot build.
    """
    deployment = request.config.deployment
    capabilities = request.provider.capabilities
    build = None
    if not capabilities.can_build:
        if request.from_source:
            raise UsageError(
                f"--from-source: the {request.provider.name} provider never builds images"
            )
    elif request.from_source or deployment.build_from_source.enabled or request.force_build:
        build = _select_source(request)
        source = build.source
        if request.from_source or deployment.build_from_source.enabled:
            return _build(
                request, source, f"{source.reason}; building from the {source.describe()}"
            )
        if build.present:  # --force rebuilds what is there
            return _build(request, source, f"--force rebuilds from the {source.describe()}")
    ic = deployment.image_config
    if ic is not None:
        return _from_image_config(request, ic)
    if deployment.image:
        image = ImageReference.parse(deployment.image, field="deployment.image")
        _lock_for(request, ImageSource.IMAGE)
        return ImageResolution(
            reference=deployment.image,
            source=ImageSource.IMAGE,
            reason="deployment.image is set",
            tag=image.tag,
            digest=image.digest,
        )
    if capabilities.can_build:
        build = build or _select_source(request)
        return _build(request, build.source, f"no image is configured; {build.source.reason}")
    raise ConfigError(
        "No image configured",
        path="deployment",
        hint=f"the {request.provider.name} provider cannot build; set deployment.image or "
        "deployment.image_config",
    )


def _build(request: ImageRequest, source: BuildSource, reason: str) -> ImageResolution:
    """Level 5. Nothing is fetched: the tag is the placeholder, except outside ``plan`` for a
    tag or commit whose sources are already cached (an index read, no git)."""
    deployment = request.config.deployment
    notes: list[str] = []
    if deployment.image_config is not None or deployment.image:
        notes.append("the configured image is not used: this deployment builds its image")
    from sindri_core.build.context import SourceKind, build_tag

    reference = placeholder_build_tag()
    lock = _lock_for(request, ImageSource.BUILD)
    pinned = lock.pin(source) if lock is not None else None
    if pinned is not None:
        assert pinned.commit is not None
        source = pinned
        reference = build_tag(pinned.commit[:7])
        notes.append(f"sindri.lock pins {source.ref} to commit {pinned.commit}")
    elif lock is not None and request.locked and source.kind is SourceKind.GIT:
        raise _stale(f"the build source is now {source.describe()}, the lock holds "
                     f"{lock.build.describe() if lock.build else 'none'}")  # fmt: skip
    elif not request.planning and source.kind is SourceKind.GIT:
        # Imported here: only this case reads the source cache (hashlib, locking, …), and
        # `image resolve`, plan and status walk the chain on every run.
        from sindri_core.build.source_cache import cached_immutable_commit

        assert source.repository is not None and source.ref is not None
        commit = cached_immutable_commit(source.repository, source.ref)
        if commit is not None:
            reference = build_tag(commit[:7])
            notes.append(f"{source.ref} is cached at commit {commit}")
    return ImageResolution(
        reference=reference,
        source=ImageSource.BUILD,
        reason=reason,
        tag=reference.split(":", 1)[1],
        build=source,
        notes=tuple(notes),
        locked=pinned is not None,
    )


def _from_image_config(request: ImageRequest, ic: ImageConfig) -> ImageResolution:
    # Checked before any level uses it: `registry:tag` and `registry@digest` must be valid
    # references (tag and digest themselves are checked by the config schema).
    repository = ImageReference.parse_repository(
        ic.registry, field="deployment.image_config.registry"
    )
    if ic.digest:
        _lock_for(request, ImageSource.DIGEST)
        return ImageResolution(
            reference=f"{ic.registry}@{ic.digest}",
            source=ImageSource.DIGEST,
            reason="image_config.digest pins an immutable image",
            digest=ic.digest,
        )
    source = ImageSource.TAG_OVERRIDE if ic.tag_override else ImageSource.VERSION
    lock = _lock_for(request, source)
    if lock is not None:
        what = "image_config.tag_override" if ic.tag_override else "image_config.version"
        return lock.resolution(
            f"{what} resolved as sindri.lock pins it",
            (f"from sindri.lock: tag {lock.tag} pinned to {lock.digest}; no registry request",),
        )
    if ic.tag_override:
        return _tag_override(ic.registry, repository, ic.tag_override, request.refresh)
    from sindri_core.image.versions import resolve_version

    return resolve_version(request, ic)


def _lock_for(request: ImageRequest, source: ImageSource) -> ImageLock | None:
    """The request's lock when it answers at ``source``'s level. A lock written for another
    level does not answer; under ``--locked`` that is an error rather than a request."""
    lock = request.lock
    if lock is None or lock.source is source:
        return lock
    if request.locked:
        raise _stale(f"the chain now answers at {source.value}, the lock holds {lock.source.value}")
    return None


def _stale(why: str) -> StaleLockError:
    return StaleLockError(
        f"the lock file is stale: {why}", hint="run `sindri image lock` and commit it"
    )


def _tag_override(
    registry: str, repository: ImageReference, tag: str, refresh: bool
) -> ImageResolution:
    """Level 2, pinned like a resolved version: one ``HEAD`` reads the digest the tag names
    (kept for the tag cache's TTL, like a resolved version's), so the image cannot move
    between plan, verification and pull."""
    from sindri_core.image.tag_cache import pinned_digest

    def read() -> str:
        # Imported here: only a digest not in the cache needs the HTTP stack.
        from sindri_core.image.registry import RegistryClient

        return RegistryClient(repository.registry).manifest_digest(repository.repository, tag)

    digest, age = pinned_digest(
        repository.registry, repository.repository, tag, read, refresh=refresh
    )
    cached = f" (digest from the cache, read {age:.0f}s ago)" if age is not None else ""
    return ImageResolution(
        reference=f"{registry}:{tag}@{digest}",
        source=ImageSource.TAG_OVERRIDE,
        reason="image_config.tag_override names the tag",
        tag=tag,
        digest=digest,
        notes=(f"tag {tag} pinned to {digest}{cached}",),
    )
