"""The priority chain (SPEC §4.1): digest → tag_override → version → image → build.

First match wins; there is no default image. The answer explains itself
(:class:`~sindri_core.image.resolution.ImageResolution`).
"""

from __future__ import annotations

from sindri_core import __version__
from sindri_core.build.sources import select_source
from sindri_core.config.model import ImageConfig
from sindri_core.errors import ConfigError
from sindri_core.image.resolution import ImageRequest, ImageResolution, ImageSource

__all__ = ["placeholder_build_tag", "resolve"]


def placeholder_build_tag() -> str:
    """What ``plan`` shows for an image that would be built."""
    return f"sindri:{__version__}-SOURCE"


def resolve(request: ImageRequest) -> ImageResolution:
    """Walk the chain for ``request``.

    :raises ConfigError: nothing is configured and the provider cannot build.
    """
    deployment = request.config.deployment
    capabilities = request.provider.capabilities
    build = None
    if capabilities.can_build:
        build = select_source(request.config, request.project_dir, request.from_source)
        explicit = request.from_source or deployment.build_from_source.enabled
        if build is not None and (explicit or (request.force_build and build.present)):
            return _build(build.source, "build requested" if not explicit else build.source.reason)
    ic = deployment.image_config
    if ic is not None:
        return _from_image_config(request, ic)
    if deployment.image:
        return ImageResolution(
            reference=deployment.image,
            source=ImageSource.IMAGE,
            reason="deployment.image is set",
            tag=_tag_of(deployment.image),
        )
    if build is not None:
        return _build(build.source, build.source.reason)
    raise ConfigError(
        "No image configured",
        path="deployment",
        hint=f"the {request.provider.name} provider cannot build; set deployment.image or "
        "deployment.image_config",
    )


def _build(source, reason: str) -> ImageResolution:  # type: ignore[no-untyped-def]
    return ImageResolution(
        reference=placeholder_build_tag(),
        source=ImageSource.BUILD,
        reason=f"no image is configured; building from the {source.describe()} ({reason})"
        if reason == source.reason
        else f"{reason}; building from the {source.describe()}",
        build=source,
    )


def _from_image_config(request: ImageRequest, ic: ImageConfig) -> ImageResolution:
    if ic.digest:
        return ImageResolution(
            reference=f"{ic.registry}@{ic.digest}",
            source=ImageSource.DIGEST,
            reason="image_config.digest pins an immutable image",
            digest=ic.digest,
        )
    if ic.tag_override:
        return ImageResolution(
            reference=f"{ic.registry}:{ic.tag_override}",
            source=ImageSource.TAG_OVERRIDE,
            reason="image_config.tag_override names the tag",
            tag=ic.tag_override,
        )
    from sindri_core.image.versions import resolve_version

    return resolve_version(request, ic)


def _tag_of(reference: str) -> str | None:
    name = reference.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None
