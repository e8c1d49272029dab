"""Chain level 3: choose a tag from the registry's tag list, then pin it to its digest.

Strategies (``image_config.resolution_strategy``, docs/IMAGE_MANAGEMENT.md):

``semver`` (default)
    The highest tag satisfying ``image_config.version`` (an npm range). Without a version the
    configuration names no tag at all, and docs/IMAGE_MANAGEMENT.md says that means
    ``registry:latest``
    (named, not listed and not pinned: like ``tag_override``, it is the user's tag).
``latest-stable``
    The highest tag that is a release (no prerelease); ``version`` is not needed.
``pin-to-cli``
    The tag equal to this CLI's version, written with or without ``v``.
``explicit``
    ``version`` is the tag, taken literally; the registry is not asked.

Distro tags: published images carry ``X.Y.Z-fedora`` / ``X.Y.Z-opensuse``. With
``deployment.distro: fedora`` only ``-fedora`` tags are candidates, compared by their
``X.Y.Z``; with ubuntu (untagged) distro-suffixed tags are never candidates, not even as
prereleases.

After a tag is chosen from the list, its manifest digest is read (``HEAD``) and the answer
is the pinned ``registry:tag@sha256:…``, so the image cannot move between resolution and pull.
The digest is cached with the tag list (same TTL): a resolve inside the TTL sends no request,
and does not even import the HTTP stack (:mod:`~sindri_core.image.registry` is imported only
when the registry must be asked).

``plan`` resolves too (``request.planning``): listing tags and reading a digest change
nothing, and the plan then shows the image a deploy would really run. The tag-list cache
(:mod:`~sindri_core.image.tag_cache`) makes the following ``deploy`` reuse the listing;
``request.refresh`` bypasses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from sindri_core import __version__
from sindri_core.config.model import ImageConfig
from sindri_core.errors import ConfigError, OperationError
from sindri_core.image.reference import ImageReference, validate_tag
from sindri_core.image.resolution import ImageRequest, ImageResolution, ImageSource
from sindri_core.image.semver import (
    Range,
    max_satisfying,
    satisfying,
    semver_tags_and_prereleases,
)
from sindri_core.image.tag_cache import TagList, cached_tags, remember_digest

if TYPE_CHECKING:
    from sindri_core.image.registry import RegistryClient

__all__ = [
    "DISTRO_VARIANTS",
    "VersionListing",
    "list_versions",
    "repository_of",
    "resolve_version",
]

DISTRO_VARIANTS = ("fedora", "opensuse")
"""Distros whose images are tagged ``X.Y.Z-<distro>``; ubuntu images carry no suffix."""

_FIELD = "deployment.image_config"
_ANY = Range.parse("*")


def repository_of(image_config: ImageConfig) -> ImageReference:
    """``image_config.registry`` parsed: a repository without tag or digest."""
    return ImageReference.parse_repository(image_config.registry, field=f"{_FIELD}.registry")


@attrs.frozen
class _Candidates:
    """The tags a distro may choose from, and what was left out (for ``--explain``)."""

    tags: tuple[str, ...]
    variant: str | None
    skipped_distro: int
    not_semver: tuple[str, ...]
    prereleases: int

    @classmethod
    def select(cls, tags: Sequence[str], distro: str) -> _Candidates:
        variant = distro if distro in DISTRO_VARIANTS else None
        # List comprehensions: this runs over every tag, and a generator costs twice as much.
        if variant is not None:
            kept = tuple([t for t in tags if t.endswith(f"-{variant}")])
        elif not _any_distro_suffix(tags):  # the usual list: nothing to filter out
            kept = tuple(tags)
        else:
            suffixes = tuple(f"-{d}" for d in DISTRO_VARIANTS)
            kept = tuple([t for t in tags if not t.endswith(suffixes)])
        # Regex scans in the semver module (no Version objects, no sorting: this runs over
        # every tag, and only which tags are versions matters here). When every tag is a
        # version (the usual registry) there is nothing to subtract and sort.
        versions, prereleases = semver_tags_and_prereleases(kept, variant=variant)
        not_semver = set(kept).difference(versions) if len(versions) < len(kept) else ()
        return cls(
            tags=kept,
            variant=variant,
            skipped_distro=len(tags) - len(kept),
            not_semver=tuple(sorted(not_semver)),
            prereleases=prereleases,
        )

    def notes(self, distro: str, allow_prerelease: bool | None) -> list[str]:
        notes = []
        if self.skipped_distro:
            if self.variant:
                notes.append(
                    f"distro {distro}: {count(self.skipped_distro, 'tag')} without -{self.variant} "
                    "skipped"
                )
            else:
                notes.append(
                    f"distro {distro}: {count(self.skipped_distro, 'distro-suffixed tag')} "
                    f"(-{', -'.join(DISTRO_VARIANTS)}) skipped"
                )
        if self.not_semver:
            examples = ", ".join(sorted(self.not_semver)[:3]) + (
                ", …" if len(self.not_semver) > 3 else ""
            )
            one = len(self.not_semver) == 1
            notes.append(
                f"{count(len(self.not_semver), 'tag')} {'is' if one else 'are'} not semver and "
                f"{'was' if one else 'were'} skipped ({examples})"
            )
        if self.prereleases and allow_prerelease is not None:
            state = "considered" if allow_prerelease else "skipped"
            notes.append(
                f"{count(self.prereleases, 'prerelease tag')} {state} "
                f"(allow_prerelease: {str(allow_prerelease).lower()})"
            )
        return notes


def count(number: int, noun: str) -> str:
    """``1 tag``, ``2 tags``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _any_distro_suffix(tags: Sequence[str]) -> bool:
    """Whether a tag may end in a distro suffix: one search in C over all tags at once."""
    text = "\n".join(tags) + "\n"
    return any(f"-{distro}\n" in text for distro in DISTRO_VARIANTS)


@attrs.define
class _Registry:
    """The registry of one repository, connected on first use: a warm resolve never is."""

    reference: ImageReference
    _client: RegistryClient | None = None

    def client(self) -> RegistryClient:
        if self._client is None:
            from sindri_core.image.registry import RegistryClient

            self._client = RegistryClient(self.reference.registry)
        return self._client

    def tags(self, refresh: bool) -> TagList:
        return cached_tags(
            self.reference.registry,
            self.reference.repository,
            lambda: self.client().list_tags(self.reference.repository),
            refresh=refresh,
        )

    def digest(self, tag: str, listing: TagList) -> str:
        """The manifest digest of ``tag``: cached with ``listing``, else read and cached."""
        cached = listing.digests.get(tag)
        if cached is not None:
            return cached
        digest = self.client().manifest_digest(self.reference.repository, tag)
        remember_digest(self.reference.registry, self.reference.repository, tag, digest)
        return digest


def resolve_version(request: ImageRequest, image_config: ImageConfig) -> ImageResolution:
    """Chain level 3 for ``image_config`` without digest and tag_override.

    :raises ConfigError: the registry, range or explicit tag is invalid (exit 2).
    :raises OperationError: no tag matches, or the registry cannot answer (exit 1).
    """
    reference = repository_of(image_config)
    strategy = image_config.resolution_strategy
    if strategy == "explicit":
        return _explicit(image_config)
    if strategy == "semver" and not image_config.version:
        return ImageResolution(
            reference=f"{image_config.registry}:latest",
            source=ImageSource.VERSION,
            reason="image_config names no digest, tag_override or version: the 'latest' tag",
            tag="latest",
        )
    distro = request.config.deployment.distro
    registry = _Registry(reference)
    listing = registry.tags(request.refresh)
    candidates = _Candidates.select(listing.tags, distro)
    if strategy == "semver":
        tag, constraint, reason, allow = _semver(image_config, candidates)
    elif strategy == "latest-stable":
        tag = max_satisfying(candidates.tags, _ANY, False, variant=candidates.variant)
        constraint, allow = "latest-stable", False
        reason = "highest release tag (latest-stable)"
    else:
        tag, constraint, allow = _pin_to_cli(candidates), f"pin-to-cli ({__version__})", None
        reason = f"the tag of this CLI's version {__version__} (pin-to-cli)"
    notes = [f"{count(len(listing.tags), 'tag')} listed; {listing.describe()}"]
    notes += candidates.notes(distro, allow)
    if strategy != "semver" and image_config.version:
        notes.append(f"image_config.version {image_config.version!r} is not used by {strategy}")
    if tag is None:
        raise OperationError(
            f"no tag of {image_config.registry} satisfies {constraint} (distro {distro}"
            + (f", allow_prerelease {str(allow).lower()}" if allow is not None else "")
            + f"); {count(len(listing.tags), 'tag')} listed"
            + _newest_hint(candidates)
        )
    digest = registry.digest(tag, listing)
    cached = " (digest from the cache)" if tag in listing.digests else ""
    notes.append(f"tag {tag} pinned to {digest}{cached}")
    return ImageResolution(
        reference=f"{image_config.registry}:{tag}@{digest}",
        source=ImageSource.VERSION,
        reason=f"{reason} among {len(listing.tags)} tags",
        tag=tag,
        digest=digest,
        constraint=constraint,
        notes=tuple(notes),
    )


def _semver(ic: ImageConfig, candidates: _Candidates) -> tuple[str | None, str, str, bool]:
    assert ic.version is not None
    rng = Range.parse(ic.version, path=f"{_FIELD}.version")
    tag = max_satisfying(candidates.tags, rng, ic.allow_prerelease, variant=candidates.variant)
    return tag, str(rng), f"highest tag matching {rng}", ic.allow_prerelease


def _pin_to_cli(candidates: _Candidates) -> str | None:
    suffix = f"-{candidates.variant}" if candidates.variant else ""
    present = set(candidates.tags)
    for tag in (f"{__version__}{suffix}", f"v{__version__}{suffix}"):
        if tag in present:
            return tag
    return None


def _newest_hint(candidates: _Candidates) -> str:
    newest = max_satisfying(candidates.tags, _ANY, True, variant=candidates.variant)
    return f"; newest semver tag: {newest}" if newest else "; none of them is a semver tag"


def _explicit(ic: ImageConfig) -> ImageResolution:
    if not ic.version:
        raise ConfigError(
            "resolution_strategy 'explicit' needs image_config.version: the tag to use",
            path=f"{_FIELD}.version",
        )
    problem = validate_tag(ic.version)
    if problem:
        raise ConfigError(problem + " (explicit: the version is the tag)", path=f"{_FIELD}.version")
    return ImageResolution(
        reference=f"{ic.registry}:{ic.version}",
        source=ImageSource.VERSION,
        reason="resolution_strategy 'explicit': image_config.version is the tag",
        tag=ic.version,
        constraint="explicit",
    )


@attrs.frozen
class VersionListing:
    """What ``sindri image versions`` shows: matching tags, newest first."""

    registry: str
    constraint: str
    distro: str
    allow_prerelease: bool
    tags: tuple[str, ...]
    listed: int
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "registry": self.registry,
            "constraint": self.constraint,
            "distro": self.distro,
            "allow_prerelease": self.allow_prerelease,
            "tags": list(self.tags),
            "listed": self.listed,
            "notes": list(self.notes),
        }


def list_versions(
    image_config: ImageConfig,
    distro: str,
    *,
    constraint: str | None = None,
    refresh: bool = False,
) -> VersionListing:
    """The tags of ``image_config.registry`` matching ``constraint`` (default: the
    configured ``version``, or any version), newest first, filtered by ``distro``.

    :raises ConfigError: invalid registry or range.
    :raises RegistryError: the registry cannot answer.
    """
    reference = repository_of(image_config)
    text = constraint if constraint is not None else image_config.version or "*"
    path = "--constraint" if constraint is not None else f"{_FIELD}.version"
    rng = Range.parse(text, path=path)
    listing = _Registry(reference).tags(refresh)
    candidates = _Candidates.select(listing.tags, distro)
    tags = satisfying(
        candidates.tags, rng, image_config.allow_prerelease, variant=candidates.variant
    )
    notes = [listing.describe(), *candidates.notes(distro, image_config.allow_prerelease)]
    return VersionListing(
        registry=image_config.registry,
        constraint=str(rng) or "*",
        distro=distro,
        allow_prerelease=image_config.allow_prerelease,
        tags=tuple(tags),
        listed=len(listing.tags),
        notes=tuple(notes),
    )
