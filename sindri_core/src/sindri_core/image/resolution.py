"""The answer of the image chain (docs/IMAGE_MANAGEMENT.md) and the request that asks for it."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from sindri_core.build.context import BuildSource
    from sindri_core.config.model import SindriConfig
    from sindri_core.image.lock import ImageLock
    from sindri_core.provider import ProviderInfo

__all__ = ["ImageRequest", "ImageResolution", "ImageSource"]


class ImageSource(str, enum.Enum):
    """Which level of the priority chain answered, in priority order."""

    DIGEST = "digest"
    TAG_OVERRIDE = "tag_override"
    VERSION = "version"
    IMAGE = "image"
    BUILD = "build"
    NONE = "none"


@attrs.frozen
class ImageRequest:
    """What :func:`~sindri_core.hookspecs.sindri_resolve_image` is asked.

    :param config: the validated configuration.
    :param project_dir: the directory holding ``sindri.yaml``.
    :param provider: the selected provider's description (capabilities decide level 5).
    :param planning: ``True`` for ``plan``/``--dry-run``: nothing is fetched or built, a build
        answers with the placeholder tag ``sindri:{cli_version}-SOURCE``.
    :param refresh: bypass the tag-list cache.
    :param force_build: ``deploy --force``/``build --force``: prefer a present build source.
    :param from_source: ``deploy --from-source``: build from the Sindri sources.
    :param lock: the project's ``sindri.lock`` when its inputs are this configuration's: the
        levels it answers (2, 3 and a git build's commit) are taken from it, with no request.
    :param locked: ``--locked``: a level the lock does not answer is an error (exit 5)
        instead of a request to the registry or the git remote.
    """

    config: SindriConfig
    project_dir: Path
    provider: ProviderInfo
    planning: bool = False
    refresh: bool = False
    force_build: bool = False
    from_source: bool = False
    lock: ImageLock | None = None
    locked: bool = False


@attrs.frozen
class ImageResolution:
    """Which image runs, and why.

    :param reference: the full reference to run; registry-resolved tags are pinned
        (``registry:tag@sha256:…``). ``None`` only for :attr:`ImageSource.NONE`.
    :param source: the chain level that answered.
    :param reason: one sentence: why this level answered.
    :param tag: the tag, when there is one.
    :param digest: the manifest digest, when known.
    :param constraint: the version range or strategy that chose the tag.
    :param build: for :attr:`ImageSource.BUILD`, the build source that would be used.
    :param notes: further explanation lines (``--explain``), e.g. skipped levels.
    :param locked: the answer came from ``sindri.lock`` (docs/IMAGE_MANAGEMENT.md).
    """

    reference: str | None
    source: ImageSource
    reason: str
    tag: str | None = None
    digest: str | None = None
    constraint: str | None = None
    build: BuildSource | None = None
    notes: tuple[str, ...] = ()
    locked: bool = False

    @property
    def is_build(self) -> bool:
        return self.source is ImageSource.BUILD

    @property
    def registry_resolved(self) -> bool:
        return self.source is ImageSource.VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "source": self.source.value,
            "reason": self.reason,
            "tag": self.tag,
            "digest": self.digest,
            "constraint": self.constraint,
            "local_build": self.is_build,
            "build": self.build.to_json() if self.build is not None else None,
            "notes": list(self.notes),
            "locked": self.locked,
        }
