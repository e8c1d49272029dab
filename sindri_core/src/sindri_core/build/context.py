"""Build sources and build contexts (docs/IMAGE_MANAGEMENT.md, "Build sources").

A :class:`BuildSource` says *where* an image would be built from and is cheap to compute (no
fetch); ``plan`` shows it. A :class:`BuildContext` is a source made real: a directory on disk,
the commit it came from, and a content fingerprint.
"""

from __future__ import annotations

import enum
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from sindri_core import __version__
from sindri_core.build.refs import redact_url

if TYPE_CHECKING:
    from sindri_core.config.model import SindriConfig
    from sindri_core.output import Console
    from sindri_core.provider import ProviderInfo
    from sindri_core.runner import CommandRunner

__all__ = ["BuildContext", "BuildContextRequest", "BuildSource", "SourceKind", "build_tag"]


def build_tag(suffix: str) -> str:
    """``sindri:{cli_version}-{suffix}``: the tag of an image built by sindri.

    Characters a Docker tag cannot hold (a local version's ``+``) become ``-``.
    """
    return "sindri:" + re.sub(r"[^A-Za-z0-9_.-]", "-", f"{__version__}-{suffix}")


class SourceKind(str, enum.Enum):
    LOCAL = "local"  # a Dockerfile in the project
    GIT = "git"  # the Sindri source repository


@attrs.frozen
class BuildSource:
    """Where a build would come from, decided without fetching anything.

    :param kind: local Dockerfile or git repository.
    :param reason: one sentence for ``--explain``, e.g. "no local Dockerfile found at …".
    :param dockerfile: for local sources, the Dockerfile found.
    :param repository: for git sources, the repository URL.
    :param ref: for git sources, the branch, tag or commit SHA requested.
    :param commit: for git sources, the commit ``sindri.lock`` pins the ref to: that commit
        is fetched (by SHA) whatever the ref names now.
    :param ref_kind: with ``commit``, what the ref was when it was locked (``branch``,
        ``tag``, ``commit``): it decides ``SINDRI_VERSION`` as it did then.
    """

    kind: SourceKind
    reason: str
    dockerfile: Path | None = None
    repository: str | None = None
    ref: str | None = None
    commit: str | None = None
    ref_kind: str | None = None

    def describe(self) -> str:
        if self.kind is SourceKind.LOCAL:
            return f"local Dockerfile {self.dockerfile}"
        return f"Sindri sources at {self.shown_repository}@{self.ref}"

    @property
    def shown_repository(self) -> str | None:
        """The repository URL without credentials: the only form that is ever printed."""
        return redact_url(self.repository) if self.repository else None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "reason": self.reason,
            "dockerfile": str(self.dockerfile) if self.dockerfile else None,
            "repository": self.shown_repository,
            "ref": self.ref,
            "commit": self.commit,
        }


@attrs.frozen
class BuildContextRequest:
    """What :func:`~sindri_core.hookspecs.sindri_fetch_build_context` is asked.

    :param config: the validated configuration (distro, buildFromSource).
    :param project_dir: where local Dockerfiles are searched.
    :param source: the source the chain chose.
    :param refresh: re-resolve tags too (branches are re-resolved on every fetch).
    :param runner: runs ``git``; a default :class:`~sindri_core.runner.CommandRunner` if unset.
    :param console: fallback and offline warnings, progress; a quiet console if unset.
    :param planning: ``plan`` or ``deploy --dry-run`` asks: nothing may be fetched, written or
        run, so the answer is a local Dockerfile's context computed in place, or ``None``
        for sources that would have to be fetched.
    :param provider: the selected provider (a plugin that is not a provider sees every
        provider's calls and may tell them apart by it).
    """

    config: SindriConfig
    project_dir: Path
    source: BuildSource
    refresh: bool = False
    planning: bool = False
    provider: ProviderInfo | None = attrs.field(default=None, eq=False)
    runner: CommandRunner | None = attrs.field(default=None, eq=False)
    console: Console | None = attrs.field(default=None, eq=False)


@attrs.frozen
class BuildContext:
    """A build context on disk, ready for ``docker build`` or a remote builder.

    :param context_dir: the build context directory.
    :param dockerfile: the Dockerfile (absolute path, inside or below ``context_dir``).
    :param source: where it came from; for git sources ``ref`` is the ref actually used
        (the fallback ref when the configured one does not exist).
    :param build_args: ``DISTRO`` and ``SINDRI_VERSION``.
    :param fingerprint: sha256 hex of the Dockerfile, the context files it may use and the args.
    :param tag: the image tag for a local build: ``sindri:{cli}-{sha7}`` or ``sindri:{cli}-{fp12}``.
    :param commit: for git sources, the full commit SHA checked out.
    :param ref_kind: for git sources, ``branch``, ``tag`` or ``commit``.
    :param requested_ref: for git sources, the configured ref (differs from ``source.ref``
        after a fallback).
    :param reused: the context came from the cache without a clone.
    """

    context_dir: Path
    dockerfile: Path
    source: BuildSource
    build_args: dict[str, str]
    fingerprint: str
    tag: str
    commit: str | None = None
    ref_kind: str | None = None
    requested_ref: str | None = None
    reused: bool = False

    def to_json(self) -> dict[str, Any]:
        origin: dict[str, Any] = {"kind": self.source.kind.value, "reason": self.source.reason}
        if self.source.kind is SourceKind.GIT:
            origin.update(
                repository=self.source.shown_repository,
                ref=self.source.ref,
                ref_kind=self.ref_kind,
                requested_ref=self.requested_ref,
                commit=self.commit,
                cached=self.reused,
            )
        else:
            origin["path"] = str(self.dockerfile)
        return {
            "context": str(self.context_dir),
            "dockerfile": str(self.dockerfile),
            "origin": origin,
            "build_args": dict(self.build_args),
            "fingerprint": self.fingerprint,
            "tag": self.tag,
        }
