"""``sindri.lock``: the image a configuration resolved, committed so every machine and CI run
the same one until someone moves it (docs/IMAGE_MANAGEMENT.md, "The lock file"; ADR 0021).

The file sits beside the configuration (``sindri.yaml`` → ``sindri.lock``, ``other.yaml`` →
``other.lock``: :attr:`~sindri_core.config.loader.LoadedConfig.lock_path`). It is JSON with
sorted keys and a trailing newline, and holds no time or version of sindri, so writing the
same answer twice gives the same bytes:

``version``
    The format (:data:`LOCK_FORMAT`).
``inputs``, ``inputs_hash``
    The normalised image inputs of the configuration (provider, distro, ``deployment.image``,
    ``image_config``, ``buildFromSource``; nothing else, so an unrelated edit keeps the lock
    fresh) and the sha256 of their canonical JSON. Comparing them names what changed.
``resolved``
    What the chain answered: ``level`` (1 to 5), ``source``, ``reference`` (pinned), ``registry``,
    ``constraint``, ``strategy``, ``tag``, ``digest`` (the index digest where the registry
    serves one) and, for level 5, ``build``: the local Dockerfile and its fingerprint, or the
    Sindri sources' repository, ref, ref kind and **commit**.

A lock comes from a repository, so it is read like ``sindri.yaml``: bounded in size, strict
JSON, every field checked, errors on one line with the file, line and column (exit 2). A lock
that is valid but no longer answers for the configuration is *stale*
(:attr:`LockState.changes` says why); only ``--locked`` turns that into an error (exit 5).

Reading a fresh lock is cheap by design: no HTTP stack, no ``hashlib`` (the inputs hash uses
the interpreter's built-in sha256 module, not OpenSSL's), no YAML parser unless an error needs
a position.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from sindri_core.errors import ConfigError, StaleLockError
from sindri_core.image.reference import ImageReference, validate_digest, validate_tag
from sindri_core.image.resolution import ImageResolution, ImageSource
from sindri_core.small_files import NotSmallText, read_small_text

if TYPE_CHECKING:
    from sindri_core.build.context import BuildContext, BuildSource

__all__ = [
    "LEVELS",
    "LOCK_FORMAT",
    "MAX_LOCK_BYTES",
    "ImageLock",
    "LockState",
    "LockUpdate",
    "LockedBuild",
    "differences",
    "image_inputs",
    "input_changes",
    "inputs_hash",
    "lock_state",
    "locked_build",
    "pinned",
    "read_lock",
    "write_lock",
]

LOCK_FORMAT = 1
MAX_LOCK_BYTES = 64 * 1024
_MAX_TEXT = 1024  # any single string of a lock; the longest real one is a reference

LEVELS = {
    ImageSource.DIGEST: 1,
    ImageSource.TAG_OVERRIDE: 2,
    ImageSource.VERSION: 3,
    ImageSource.IMAGE: 4,
    ImageSource.BUILD: 5,
}
_SOURCE_OF_LEVEL = {level: source for source, level in LEVELS.items()}
_HEX64 = frozenset("0123456789abcdef")


# -- the inputs ----------------------------------------------------------------------------------


def image_inputs(config: Any, provider: str) -> dict[str, Any]:
    """The configuration's image inputs, normalised: defaults filled in, YAML key names,
    the provider's canonical name (an alias does not make a lock stale), and the source
    repository without credentials (a token is not an input, and never written)."""
    from sindri_core.config.fields import yaml_key

    def plain(section: Any) -> dict[str, Any] | None:
        if section is None:
            return None
        return {yaml_key(f): getattr(section, f.name) for f in attrs.fields(type(section))}

    deployment = config.deployment
    build = plain(deployment.build_from_source)
    assert build is not None
    if build["repository"] is not None:
        from sindri_core.build.refs import redact_url  # only then: a warm resolve needs no URLs

        build["repository"] = redact_url(build["repository"])
    return {
        "provider": provider,
        "distro": deployment.distro,
        "image": deployment.image,
        "image_config": plain(deployment.image_config),
        "buildFromSource": build,
    }


def _sha256() -> Callable[[bytes], Any]:
    # The built-in module (3.11: _sha256, 3.12+: _sha2) rather than hashlib, which loads
    # OpenSSL: a warm locked resolve should cost no more than `config validate`.
    try:
        from _sha256 import sha256  # type: ignore[import-not-found]
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found,no-redef]
        except ImportError:
            from hashlib import sha256  # type: ignore[assignment]
    return sha256  # type: ignore[no-any-return]


def inputs_hash(inputs: Mapping[str, Any]) -> str:
    """``sha256:<hex>`` of the inputs' canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + _sha256()(canonical.encode()).hexdigest()


def input_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Each input that differs, as ``deployment.<path>: old → new``."""
    changes: list[str] = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if isinstance(before, dict) and isinstance(after, dict):
            for inner in input_changes(before, after):
                changes.append(f"{key}.{inner}")
        elif before != after:
            changes.append(f"{key}: {_shown(before)} → {_shown(after)}")
    return changes


def _shown(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, dict):
        return "{…}"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "…"


# -- the file's content --------------------------------------------------------------------------


@attrs.frozen(eq=False)  # never compared: an eq and a hash cost start-up time
class LockedBuild:
    """Level 5's source: a local Dockerfile (``dockerfile``, ``fingerprint``) or the Sindri
    sources (``repository`` without credentials, ``ref``, ``ref_kind``, ``commit``)."""

    kind: str
    dockerfile: str | None = None
    fingerprint: str | None = None
    repository: str | None = None
    ref: str | None = None
    ref_kind: str | None = None
    commit: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in attrs.asdict(self).items() if v is not None}

    def describe(self) -> str:
        if self.kind == "local":
            return f"local {self.dockerfile} (fingerprint {str(self.fingerprint)[:12]})"
        return f"{self.repository}@{self.ref} at commit {self.commit}"


@attrs.frozen(eq=False)  # never compared: an eq and a hash cost start-up time
class ImageLock:
    """One lock: the inputs it answers for and what the chain resolved from them."""

    inputs: dict[str, Any]
    inputs_hash: str
    level: int
    source: ImageSource
    reference: str
    registry: str | None = None
    constraint: str | None = None
    strategy: str | None = None
    tag: str | None = None
    digest: str | None = None
    build: LockedBuild | None = None

    @classmethod
    def of(
        cls, inputs: dict[str, Any], resolution: ImageResolution, build: LockedBuild | None
    ) -> ImageLock:
        """The lock of ``resolution`` (levels 2 and 3 pinned to their digest)."""
        assert resolution.reference is not None
        image_config = inputs.get("image_config") or {}
        level = LEVELS[resolution.source]
        return cls(
            inputs=inputs,
            inputs_hash=inputs_hash(inputs),
            level=level,
            source=resolution.source,
            reference=resolution.reference,
            registry=image_config.get("registry") if level <= 3 else None,
            constraint=resolution.constraint,
            strategy=image_config.get("resolution_strategy") if level == 3 else None,
            tag=resolution.tag,
            digest=resolution.digest,
            build=build,
        )

    def to_json(self) -> dict[str, Any]:
        resolved = {
            "level": self.level,
            "source": self.source.value,
            "reference": self.reference,
            "registry": self.registry,
            "constraint": self.constraint,
            "strategy": self.strategy,
            "tag": self.tag,
            "digest": self.digest,
            "build": self.build.to_json() if self.build is not None else None,
        }
        return {
            "version": LOCK_FORMAT,
            "inputs": self.inputs,
            "inputs_hash": self.inputs_hash,
            "resolved": resolved,
        }

    def text(self) -> str:
        """The file's bytes: the same lock always gives the same text."""
        return json.dumps(self.to_json(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"

    def resolution(self, reason: str, notes: tuple[str, ...] = ()) -> ImageResolution:
        """The chain's answer for levels 2 and 3, taken from the lock (no registry request)."""
        return ImageResolution(
            reference=self.reference,
            source=self.source,
            reason=reason,
            tag=self.tag,
            digest=self.digest,
            constraint=self.constraint,
            notes=notes,
            locked=True,
        )

    def pin(self, source: BuildSource) -> BuildSource | None:
        """``source`` at the locked commit, when this lock pins it (a git build of the same
        repository and ref); ``None`` otherwise."""
        build = self.build
        if build is None or build.kind != "git" or source.kind.value != "git":
            return None
        if (build.repository, build.ref) != (source.shown_repository, source.ref):
            return None
        return attrs.evolve(source, commit=build.commit, ref_kind=build.ref_kind)

    def summary(self) -> dict[str, str | None]:
        """What ``image update`` compares: one value per thing that can move."""
        build = self.build or LockedBuild(kind="")
        return {
            "inputs": self.inputs_hash,
            "level": str(self.level),
            "reference": self.reference,
            "tag": self.tag,
            "digest": self.digest,
            "commit": build.commit,
            "fingerprint": build.fingerprint,
        }


@attrs.frozen(eq=False)  # never compared: an eq and a hash cost start-up time
class LockState:
    """The lock beside a configuration, as read, and whether it answers for it.

    :param lock: ``None`` when there is no lock file.
    :param changes: why the lock no longer answers (empty when fresh or missing).
    """

    path: Path
    lock: ImageLock | None
    changes: tuple[str, ...] = ()

    @property
    def missing(self) -> bool:
        return self.lock is None

    @property
    def fresh(self) -> bool:
        return self.lock is not None and not self.changes

    @property
    def state(self) -> str:
        return "missing" if self.missing else "fresh" if self.fresh else "stale"

    def usable(self) -> ImageLock | None:
        """The lock when its inputs are the configuration's (the chain may then use it)."""
        return self.lock if self.fresh else None

    def stale(self, *changes: str) -> LockState:
        return attrs.evolve(self, changes=(*self.changes, *changes))

    def require(self) -> None:
        """``--locked``: a missing or stale lock is an error (exit 5).

        :raises StaleLockError: naming the file and what changed.
        """
        if self.missing:
            raise StaleLockError(
                f"{self.path.name} does not exist",
                hint="run `sindri image lock` and commit it",
            )
        if self.changes:
            raise StaleLockError(
                f"{self.path.name} is stale: {'; '.join(self.changes)}",
                hint="run `sindri image lock` and commit it",
            )

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "state": self.state, "changes": list(self.changes)}


def lock_state(path: Path, inputs: dict[str, Any]) -> LockState:
    """Read the lock at ``path`` and compare its inputs with ``inputs``.

    :raises ConfigError: the lock is invalid (exit 2).
    """
    lock = read_lock(path)
    state = LockState(path, lock)
    if lock is None:
        return state
    if lock.inputs_hash != inputs_hash(lock.inputs):
        return state.stale("inputs_hash does not match the inputs it was written for")
    if lock.inputs != inputs:
        changed = input_changes(lock.inputs, inputs)
        return state.stale(*(c if c.startswith("provider") else f"deployment.{c}" for c in changed))
    return state.stale(*_not_the_configured(lock))


def _not_the_configured(lock: ImageLock) -> list[str]:
    """What the lock resolved that its own inputs do not allow: a reference in another
    registry (a lock edited to point elsewhere), another tag_override or digest."""
    image_config = lock.inputs.get("image_config") or {}
    if lock.level <= 3 and lock.registry != image_config.get("registry"):
        return [
            f"resolved.registry {lock.registry!r} is not the configured registry "
            f"{image_config.get('registry')!r}"
        ]
    expected = {
        1: ("digest", lock.digest, image_config.get("digest")),
        2: ("tag", lock.tag, image_config.get("tag_override")),
        4: ("reference", lock.reference, lock.inputs.get("image")),
    }.get(lock.level)
    if expected is not None and expected[1] != expected[2]:
        name, locked, configured = expected
        return [f"resolved.{name} {locked!r} is not the configured {configured!r}"]
    return []


def differences(
    lock: ImageLock,
    resolution: ImageResolution,
    local_fingerprint: Callable[[], str] | None = None,
) -> list[str]:
    """Why ``lock`` does not hold the chain's answer ``resolution``.

    :param local_fingerprint: computes the fingerprint of a local Dockerfile's context (only
        called when both are local builds).
    """
    level = LEVELS.get(resolution.source)
    if level != lock.level:
        return [
            f"the chain now answers at level {level} ({resolution.source.value}), the lock "
            f"holds level {lock.level} ({lock.source.value})"
        ]
    if level == 5:
        return _build_differences(lock, resolution, local_fingerprint)
    if not resolution.locked and resolution.reference != lock.reference:
        return [f"reference {lock.reference} → {resolution.reference}"]
    return []


def _build_differences(
    lock: ImageLock, resolution: ImageResolution, local_fingerprint: Callable[[], str] | None
) -> list[str]:
    build, source = lock.build, resolution.build
    assert build is not None and source is not None  # level 5 always has them
    if resolution.locked:
        return []
    if build.kind != source.kind.value or build.kind == "git":
        return [f"the build source is now {source.describe()}, the lock holds {build.describe()}"]
    if local_fingerprint is not None:
        current = local_fingerprint()
        if current != build.fingerprint:
            return [
                f"the build context of ./{build.dockerfile} changed: fingerprint "
                f"{str(build.fingerprint)[:12]} → {current[:12]}"
            ]
    return []


def pinned(resolution: ImageResolution) -> ImageResolution:
    """``resolution`` as a lock holds it: a tag the chain names without pinning it
    (``explicit``, ``latest``) pinned to the digest it names now (one ``HEAD``), so levels 2
    and 3 are always locked to a digest.

    :raises RegistryError: the registry cannot answer.
    """
    if resolution.source not in (ImageSource.TAG_OVERRIDE, ImageSource.VERSION):
        return resolution
    if resolution.digest is not None:
        return resolution
    from sindri_core.image.registry import RegistryClient

    assert resolution.reference is not None and resolution.tag is not None
    reference = ImageReference.parse(resolution.reference)
    digest = RegistryClient(reference.registry).manifest_digest(
        reference.repository, resolution.tag
    )
    return attrs.evolve(resolution, reference=f"{resolution.reference}@{digest}", digest=digest)


def locked_build(build: BuildContext, project_dir: Path) -> LockedBuild:
    """What a lock records of a build context: a local Dockerfile (relative to the project)
    and its fingerprint, or the Sindri sources' repository (redacted), ref and commit."""
    from sindri_core.build.context import SourceKind

    if build.source.kind is SourceKind.LOCAL:
        relative = build.dockerfile.relative_to(project_dir).as_posix()
        return LockedBuild(kind="local", dockerfile=relative, fingerprint=build.fingerprint)
    return LockedBuild(
        kind="git",
        repository=build.source.shown_repository,
        ref=build.requested_ref,
        ref_kind=build.ref_kind,
        commit=build.commit,
    )


# -- reading -------------------------------------------------------------------------------------


def read_lock(path: Path) -> ImageLock | None:
    """The lock at ``path``, or ``None`` when there is none.

    :raises ConfigError: unreadable, over :data:`MAX_LOCK_BYTES`, not JSON, or a field that
        is missing, unknown or invalid; one line naming the file, line, column and field.
    """
    if not path.exists() and not path.is_symlink():
        return None
    name = path.name
    if not path.is_file():  # a fifo would block the read, a device never end
        raise ConfigError("is not a regular file; a lock file is UTF-8 JSON", file=name)
    try:
        text = read_small_text(path, MAX_LOCK_BYTES)
    except NotSmallText as exc:
        raise ConfigError(
            f"the file {exc}; a lock file is UTF-8 JSON of at most {MAX_LOCK_BYTES // 1024} KiB",
            file=name,
        ) from None
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except RecursionError:
        raise ConfigError("nested too deeply to be a lock file", file=name) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"not valid JSON: {exc.msg}", file=name, line=exc.lineno, column=exc.colno
        ) from None
    except _NotStrictJson as exc:
        raise _located(name, text, str(exc)) from None
    return _Reader(name, text).lock(data)


class _NotStrictJson(ValueError):
    """What Python's ``json`` accepts and JSON does not: a repeated key (a reviewer would
    read one value, sindri another), ``NaN`` and ``Infinity``."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _NotStrictJson(f"the key {key!r} appears twice")
        data[key] = value
    return data


def _no_constant(name: str) -> Any:
    raise _NotStrictJson(f"{name} is not a JSON value")


def _located(name: str, text: str, problem: str) -> ConfigError:
    """``problem`` where the YAML reader, which refuses repeated keys too, finds it."""
    from sindri_core.config.yaml_document import read_yaml

    try:
        read_yaml(text)
    except ConfigError as exc:
        return ConfigError(problem, file=name, line=exc.line, column=exc.column)
    return ConfigError(problem, file=name)


class _Reader:
    """Checks the lock's data field by field; an error names where the field is."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text

    def fail(self, path: tuple[str, ...], problem: str) -> ConfigError:
        line, column = _position(self.text, path)
        return ConfigError(
            problem, file=self.name, line=line, column=column, path=".".join(path) or None
        )

    def mapping(
        self,
        data: Any,
        path: tuple[str, ...],
        required: set[str],
        optional: frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(path, f"expected an object, got {_kind(data)}")
        unknown = sorted(set(data) - required - optional)
        if unknown:
            raise self.fail((*path, unknown[0]), "unknown key in a lock file")
        missing = sorted(required - set(data))
        if missing:
            raise self.fail(path, f"the key {missing[0]!r} is missing")
        return data

    def text_value(self, data: dict[str, Any], path: tuple[str, ...], *, optional: bool) -> Any:
        value = data.get(path[-1])
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value:
            raise self.fail(path, f"expected a non-empty string, got {_kind(value)}")
        if len(value) > _MAX_TEXT or any(ord(c) < 0x20 for c in value):
            raise self.fail(path, f"at most {_MAX_TEXT} printable characters")
        return value

    def lock(self, data: Any) -> ImageLock:
        top = self.mapping(data, (), {"version", "inputs", "inputs_hash", "resolved"})
        if top["version"] != LOCK_FORMAT or isinstance(top["version"], bool):
            raise self.fail(
                ("version",),
                f"{top['version']!r} is not a lock format this sindri reads; allowed: "
                f"{LOCK_FORMAT}",
            )
        inputs = self.inputs(top["inputs"])
        digest = self.text_value(top, ("inputs_hash",), optional=False)
        if not digest.startswith("sha256:") or validate_digest(digest):
            raise self.fail(("inputs_hash",), f"{digest!r} is not sha256:<64 hex digits>")
        return self.resolved(inputs, digest, top["resolved"])

    def inputs(self, data: Any) -> dict[str, Any]:
        keys = {"provider", "distro", "image", "image_config", "buildFromSource"}
        inputs = self.mapping(data, ("inputs",), keys)
        for key, value in inputs.items():
            if isinstance(value, dict):
                for inner, item in value.items():
                    if not (item is None or isinstance(item, (str, bool, int))):
                        raise self.fail(
                            ("inputs", key, inner), f"expected a plain value, got {_kind(item)}"
                        )
            elif not (value is None or isinstance(value, str)):
                raise self.fail(("inputs", key), f"expected a string, got {_kind(value)}")
        return inputs

    def resolved(self, inputs: dict[str, Any], digest: str, data: Any) -> ImageLock:
        fields = {"level", "source", "reference"}
        optional = frozenset({"registry", "constraint", "strategy", "tag", "digest", "build"})
        resolved = self.mapping(data, ("resolved",), fields, optional)
        level = resolved["level"]
        if not isinstance(level, int) or isinstance(level, bool) or level not in _SOURCE_OF_LEVEL:
            raise self.fail(("resolved", "level"), f"{level!r} is not a chain level; allowed: 1-5")
        source = _SOURCE_OF_LEVEL[level]
        if resolved["source"] != source.value:
            raise self.fail(
                ("resolved", "source"),
                f"{resolved['source']!r} does not match level {level}; expected {source.value!r}",
            )
        text = {
            key: self.text_value(resolved, ("resolved", key), optional=key != "reference")
            for key in ("reference", "registry", "constraint", "strategy", "tag", "digest")
        }
        lock = ImageLock(
            inputs=inputs,
            inputs_hash=digest,
            level=level,
            source=source,
            build=self.build(resolved.get("build")),
            **text,
        )
        self.check_reference(lock)
        return lock

    def check_reference(self, lock: ImageLock) -> None:
        where = ("resolved", "reference")
        try:
            reference = ImageReference.parse(lock.reference)
        except ConfigError as exc:
            raise self.fail(where, exc.message) from None
        if lock.digest is not None and validate_digest(lock.digest):
            raise self.fail(("resolved", "digest"), str(validate_digest(lock.digest)))
        if lock.tag is not None and validate_tag(lock.tag):
            raise self.fail(("resolved", "tag"), str(validate_tag(lock.tag)))
        if lock.level in (2, 3) and lock.digest is None:
            raise self.fail(("resolved", "digest"), f"level {lock.level} is locked to a digest")
        if lock.level <= 3:
            if lock.registry is None:
                raise self.fail(("resolved", "registry"), f"level {lock.level} names its registry")
            expected = lock.registry
            expected += f":{lock.tag}" if lock.tag else ""
            expected += f"@{lock.digest}" if lock.digest else ""
            if lock.reference != expected:
                raise self.fail(
                    where,
                    f"{lock.reference!r} is not the registry, tag and digest it records "
                    f"({expected!r})",
                )
        if (reference.digest, reference.tag) != (lock.digest, lock.tag) and lock.level != 5:
            raise self.fail(where, f"{lock.reference!r} does not carry the locked tag and digest")
        if (lock.level == 5) != (lock.build is not None):
            raise self.fail(("resolved", "build"), "only level 5 (build) has a build source")

    def build(self, data: Any) -> LockedBuild | None:
        if data is None:
            return None
        path = ("resolved", "build")
        keys = frozenset({"dockerfile", "fingerprint", "repository", "ref", "ref_kind", "commit"})
        build = self.mapping(data, path, {"kind"}, keys)
        values = {
            key: self.text_value(build, (*path, key), optional=key != "kind")
            for key in ("kind", *sorted(keys))
        }
        kind = values["kind"]
        if kind == "local":
            return self.local_build(values)
        if kind == "git":
            return self.git_build(values)
        raise self.fail((*path, "kind"), f"{kind!r} is not a build source; allowed: git, local")

    def local_build(self, values: dict[str, Any]) -> LockedBuild:
        from sindri_core.build.sources import DOCKERFILE_CANDIDATES

        path = ("resolved", "build")
        extra = [k for k in ("repository", "ref", "ref_kind", "commit") if values[k] is not None]
        if extra:
            raise self.fail((*path, extra[0]), "a local build records no git source")
        if values["dockerfile"] not in DOCKERFILE_CANDIDATES:
            raise self.fail(
                (*path, "dockerfile"),
                f"{values['dockerfile']!r} is not a Dockerfile sindri builds; allowed: "
                + ", ".join(DOCKERFILE_CANDIDATES),
            )
        if not _is_hex64(values["fingerprint"]):
            raise self.fail((*path, "fingerprint"), "expected 64 lowercase hex digits")
        return LockedBuild(**values)

    def git_build(self, values: dict[str, Any]) -> LockedBuild:
        from sindri_core.build.refs import RefKind, is_commit_sha, validate_ref

        path = ("resolved", "build")
        extra = [k for k in ("dockerfile", "fingerprint") if values[k] is not None]
        if extra:
            raise self.fail((*path, extra[0]), "a git build records no local Dockerfile")
        for key in ("repository", "ref", "ref_kind", "commit"):
            if values[key] is None:
                raise self.fail(path, f"the key {key!r} is missing")
        try:
            validate_ref(values["ref"])
        except ConfigError as exc:
            raise self.fail((*path, "ref"), exc.message) from None
        if values["ref_kind"] not in {kind.value for kind in RefKind}:
            raise self.fail((*path, "ref_kind"), "allowed: branch, tag, commit")
        if not is_commit_sha(values["commit"]):
            raise self.fail((*path, "commit"), "expected a full commit SHA (40 or 64 hex digits)")
        if values["repository"].startswith("-"):
            raise self.fail((*path, "repository"), "not a git repository URL")
        return LockedBuild(**values)


def _is_hex64(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX64


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _position(text: str, path: tuple[str, ...]) -> tuple[int | None, int | None]:
    """Line and column of the key at ``path`` (of the innermost part that exists).

    Only an error needs it, so the YAML reader (JSON is YAML) is loaded only then.
    """
    from sindri_core.config.yaml_document import YamlMapping, read_yaml

    try:
        node = read_yaml(text)
    except ConfigError:
        return None, None
    where: tuple[int, int] | None = getattr(node, "where", None)
    for key in path:
        if not isinstance(node, YamlMapping) or key not in node:
            break
        where = node.key_where.get(key, where)
        node = node[key]
    return where if where is not None else (None, None)


# -- writing -------------------------------------------------------------------------------------


def write_lock(path: Path, lock: ImageLock) -> bool:
    """Write ``lock`` to ``path`` unless it already holds exactly these bytes; atomically
    (a temporary file beside it, renamed), so a reader never sees half a lock.

    :returns: whether the file changed.
    """
    text = lock.text()
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    import tempfile  # here: reading a lock writes nothing

    # mkstemp: a new file of our own (O_EXCL), never one a repository planted as a link.
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        temporary.chmod(0o644)  # mkstemp's 0600 would hide a file meant to be committed
        temporary.replace(path)  # replaces a link named sindri.lock, never its target
    finally:
        temporary.unlink(missing_ok=True)
    return True


@attrs.frozen(eq=False)  # never compared: an eq and a hash cost start-up time
class LockUpdate:
    """What ``image lock``, ``image update`` or ``deploy`` did to the lock.

    :param previous: the lock before (``None``: there was none).
    :param written: the file changed.
    """

    path: Path
    lock: ImageLock
    previous: ImageLock | None
    written: bool

    def changes(self) -> list[tuple[str, str | None, str | None]]:
        """``(what, from, to)`` for every value that moved."""
        before = self.previous.summary() if self.previous is not None else {}
        after = self.lock.summary()
        return [(key, before.get(key), value) for key, value in after.items()
                if before.get(key) != value]  # fmt: skip

    def describe(self) -> list[str]:
        """Lines for humans: ``what: from → to``."""
        if not self.written:
            return [f"{self.path.name} is up to date: {self.lock.reference}"]
        if self.previous is None:
            return [f"Wrote {self.path.name}: {self.lock.reference}"]
        lines = [f"Updated {self.path.name}:"]
        for what, old, new in self.changes():
            lines.append(f"  {what}: {old or 'unset'} → {new or 'unset'}")
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "written": self.written,
            "reference": self.lock.reference,
            "changes": [{"field": w, "from": old, "to": new} for w, old, new in self.changes()]
            if self.written
            else [],
            "lock": self.lock.to_json(),
        }
