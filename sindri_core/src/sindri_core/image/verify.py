"""Cosign verification of the image the chain resolved (docs/IMAGE_MANAGEMENT.md, "Verification").

Verification always names the image by the **digest** the chain resolved (``name@sha256:…``),
never by a tag: a tag can be moved to another image between verification and pull, a digest
cannot. A reference that only has a tag is first resolved to its digest through the registry.

It fails closed. When verification is requested and cosign is missing, or cosign rejects the
image, or cosign's answer cannot be read, :class:`~sindri_core.errors.VerificationError` says
how to fix it; nothing warns and carries on. The one loosening, skipping the transparency log
for key-signed images (offline, ``--tlog-upload=false``), needs an explicit
``SINDRI_COSIGN_IGNORE_TLOG=1`` and is reported (docs/adr/0003-cosign-offline.md).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from sindri_core.config.model import ImageConfig
from sindri_core.errors import ConfigError, ExternalCommandError, UsageError, VerificationError
from sindri_core.image.reference import ImageReference
from sindri_core.image.registry import RegistryClient, is_plain_http
from sindri_core.image.resolution import ImageResolution
from sindri_core.runner import CommandResult, CommandRunner

__all__ = [
    "DEFAULT_IDENTITY",
    "DEFAULT_ISSUER",
    "IGNORE_TLOG_ENV",
    "Provenance",
    "Signature",
    "VerificationReport",
    "verify_reference",
    "verify_resolution",
    "verify_with_config",
]

DEFAULT_IDENTITY = "https://github.com/pacphi/sindri"
DEFAULT_ISSUER = "https://token.actions.githubusercontent.com"
IGNORE_TLOG_ENV = "SINDRI_COSIGN_IGNORE_TLOG"
INSTALL_URL = "https://docs.sigstore.dev/cosign/system_config/installation/"
# SLSA v1 first; v0.2 is what older builders (and slsa-github-generator v1) still publish.
PROVENANCE_TYPES = ("slsaprovenance1", "slsaprovenance02")
COSIGN_TIMEOUT = 120.0

_FIELD = "deployment.image_config"
_TLOG_WORDS = ("tlog", "rekor", "transparency log", "tuf")


@attrs.frozen
class Signature:
    """One signature cosign accepted. ``issuer``/``subject`` only exist for keyless ones."""

    digest: str | None
    identity: str | None
    issuer: str | None = None
    subject: str | None = None

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class Provenance:
    """What the accepted SLSA provenance attestation says about the build."""

    predicate_type: str | None
    builder_id: str | None
    build_type: str | None
    source: str | None

    def to_json(self) -> dict[str, Any]:
        return {"verified": True, **attrs.asdict(self)}


@attrs.frozen
class VerificationReport:
    """A successful verification (failures raise instead).

    :param reference: the image as resolved (``name:tag@sha256:…`` when the tag is known).
    :param digest: the digest cosign verified.
    :param mode: ``key`` or ``keyless``.
    :param transparency_log: ``False`` when the user opted out with ``SINDRI_COSIGN_IGNORE_TLOG``.
    :param signatures: ``None`` when the signature was not checked.
    :param provenance: ``None`` when provenance was not checked.
    """

    reference: str
    digest: str
    mode: str
    transparency_log: bool
    signatures: tuple[Signature, ...] | None
    provenance: Provenance | None

    def to_json(self) -> dict[str, Any]:
        signature = None
        if self.signatures is not None:
            signature = {"verified": True, "signatures": [s.to_json() for s in self.signatures]}
        return {
            "reference": self.reference,
            "digest": self.digest,
            "mode": self.mode,
            "transparency_log": self.transparency_log,
            "signature": signature,
            "provenance": self.provenance.to_json() if self.provenance is not None else None,
        }


# -- entry points -------------------------------------------------------------------------------


def verify_resolution(
    resolution: ImageResolution,
    image_config: ImageConfig | None,
    *,
    runner: CommandRunner,
    base_dir: Path | None = None,
) -> VerificationReport:
    """Verify what the chain resolved, as ``image_config`` asks (see :func:`verify_with_config`).

    :raises UsageError: the resolution is a local build or nothing: there is nothing to verify.
    :raises VerificationError: verification failed or cosign is missing.
    """
    if resolution.reference is None or resolution.is_build:
        raise UsageError(
            f"nothing to verify: the image comes from {resolution.source.value} "
            f"({resolution.reason}); only registry images carry signatures"
        )
    reference = ImageReference.parse(resolution.reference)
    if reference.digest is None and resolution.digest is not None:
        reference = reference.with_digest(resolution.digest)
    return verify_with_config(str(reference), image_config, runner=runner, base_dir=base_dir)


def verify_with_config(
    ref: str,
    image_config: ImageConfig | None,
    *,
    runner: CommandRunner,
    base_dir: Path | None = None,
) -> VerificationReport:
    """Verify ``ref`` with the key, identity and checks of ``image_config``.

    An explicit verification always checks something: when ``image_config`` is absent or asks
    for neither check (e.g. ``sindri image verify`` on a legacy ``image``), the signature is
    verified with the keyless defaults.
    """
    if image_config is None:
        return verify_reference(ref, runner=runner, base_dir=base_dir)
    asked = image_config.verify_signature or image_config.verify_provenance
    return verify_reference(
        ref,
        public_key=image_config.public_key,
        identity=image_config.certificate_identity,
        issuer=image_config.certificate_oidc_issuer,
        signature=image_config.verify_signature or not asked,
        provenance=image_config.verify_provenance,
        runner=runner,
        base_dir=base_dir,
    )


def verify_reference(
    ref_with_digest: str,
    *,
    public_key: str | None = None,
    identity: str | None = None,
    issuer: str | None = None,
    signature: bool = True,
    provenance: bool = False,
    runner: CommandRunner,
    base_dir: Path | None = None,
) -> VerificationReport:
    """Verify the signature and/or SLSA provenance of one image with cosign.

    :param ref_with_digest: an image reference; one without a digest is resolved to its
        digest through the registry first, and only that digest is verified.
    :param public_key: key mode: a path to a cosign public key (relative to ``base_dir``) or the
        PEM text itself. Keyless mode when ``None``.
    :param identity: keyless: regular expression for the certificate identity.
    :param issuer: keyless: the certificate's OIDC issuer.
    :raises ConfigError: the public key file does not exist, or ``SINDRI_COSIGN_IGNORE_TLOG``
        has an unknown value.
    :raises VerificationError: cosign is missing, rejected the image, or answered unreadably.
    """
    if not (signature or provenance):
        raise UsageError("nothing to verify: neither the signature nor provenance was requested")
    reference = ImageReference.parse(ref_with_digest)
    key_mode = public_key is not None
    ignore_tlog = key_mode and _ignore_tlog_requested(os.environ)
    cosign = _require_cosign(runner, signature=signature, provenance=provenance)
    digest = reference.digest or _registry_digest(reference)
    pinned = reference.with_digest(digest)
    target = f"{reference.name}@{digest}"
    with _public_key_file(public_key, base_dir) as key_path:
        flags = _trust_flags(key_path, identity, issuer)
        if ignore_tlog:
            flags += ("--insecure-ignore-tlog",)
        if is_plain_http(reference.api_host):
            flags += ("--allow-http-registry",)
        call = _Cosign(runner, cosign, flags, target, digest, key_mode)
        signatures = call.signatures() if signature else None
        attested = call.provenance() if provenance else None
    return VerificationReport(
        reference=str(pinned),
        digest=digest,
        mode="key" if key_mode else "keyless",
        transparency_log=not ignore_tlog,
        signatures=signatures,
        provenance=attested,
    )


# -- cosign ---------------------------------------------------------------------------------------


@attrs.frozen
class _Cosign:
    """The cosign calls for one target, sharing the trust and transport flags."""

    runner: CommandRunner
    executable: str
    flags: tuple[str, ...]
    target: str
    digest: str
    key_mode: bool

    def signatures(self) -> tuple[Signature, ...]:
        result = self._run("verify")
        if not result.ok:
            raise self._failure("signature", _cosign_error(result), "verify_signature")
        found = tuple(_signature(entry) for entry in _json_entries(result.stdout))
        matching = tuple(s for s in found if s.digest == self.digest)
        if not matching:
            raise self._failure(
                "signature",
                f"cosign accepted it but listed no signature for {self.digest}",
                "verify_signature",
            )
        return matching

    def provenance(self) -> Provenance:
        errors: list[str] = []
        for predicate_type in PROVENANCE_TYPES:
            result = self._run("verify-attestation", "--type", predicate_type)
            if result.ok:
                return self._read_provenance(result.stdout)
            errors.append(_cosign_error(result))
        # A type mismatch on one version says less than the other version's real error.
        telling = [e for e in errors if "predicate type" not in e] or errors
        raise self._failure(
            "provenance",
            f"no SLSA provenance (v1 or v0.2) verified: {telling[0]}",
            "verify_provenance",
        )

    def _read_provenance(self, stdout: str) -> Provenance:
        for entry in _json_entries(stdout):
            statement = _statement(entry)
            if statement is not None and _names_digest(statement, self.digest):
                return _provenance(statement)
        raise self._failure(
            "provenance",
            f"cosign accepted an attestation but none has {self.digest} as its subject",
            "verify_provenance",
        )

    def _run(self, *command: str) -> CommandResult:
        argv = [self.executable, *command, *self.flags, "--output", "json", self.target]
        try:
            return self.runner.run(argv, timeout=COSIGN_TIMEOUT, check=False)
        except ExternalCommandError as exc:  # timed out, or vanished since the PATH lookup
            raise VerificationError(
                f"cosign could not verify {self.target}: {exc}",
                hint=_skip_hint("verify_signature/verify_provenance"),
            ) from None

    def _failure(self, what: str, detail: str, flag: str) -> VerificationError:
        trust = "public_key" if self.key_mode else "certificate_identity/certificate_oidc_issuer"
        hint = f"check {_FIELD}.{trust}, or {_skip_hint(flag)}"
        if self.key_mode and any(word in detail.lower() for word in _TLOG_WORDS):
            hint = (
                f"for an image signed with --tlog-upload=false or when offline, set "
                f"{IGNORE_TLOG_ENV}=1 (see docs/adr/0003-cosign-offline.md); or {hint}"
            )
        return VerificationError(
            f"{what} verification failed for {self.target}: {detail}", hint=hint
        )


def _require_cosign(runner: CommandRunner, *, signature: bool, provenance: bool) -> str:
    found = runner.which("cosign")
    if found is not None:
        return found
    flags = [
        f"{_FIELD}.{flag}: false"
        for flag, asked in (("verify_signature", signature), ("verify_provenance", provenance))
        if asked
    ]
    raise VerificationError(
        "cosign is not installed (not found on PATH), so the image cannot be verified",
        hint=f"install cosign from {INSTALL_URL}, or set {' and '.join(flags)}, "
        "or deploy with --skip-image-verification",
    )


def _skip_hint(flag: str) -> str:
    return f"set {_FIELD}.{flag}: false, or deploy with --skip-image-verification"


def _trust_flags(key_path: str | None, identity: str | None, issuer: str | None) -> tuple[str, ...]:
    if key_path is not None:
        return ("--key", key_path)
    return (
        "--certificate-identity-regexp",
        identity or DEFAULT_IDENTITY,
        "--certificate-oidc-issuer",
        issuer or DEFAULT_ISSUER,
    )


def _ignore_tlog_requested(environ: Mapping[str, str]) -> bool:
    value = environ.get(IGNORE_TLOG_ENV, "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ConfigError(
        f"{IGNORE_TLOG_ENV}={value!r} is not understood",
        hint="use 1 to verify key-signed images without the transparency log, or 0",
    )


@contextlib.contextmanager
def _public_key_file(public_key: str | None, base_dir: Path | None) -> Iterator[str | None]:
    """The path cosign reads the key from; PEM text goes to a private temp file meanwhile."""
    if public_key is None:
        yield None
    elif "-----BEGIN" in public_key:
        descriptor, name = tempfile.mkstemp(prefix="sindri-cosign-", suffix=".pub")  # mode 0600
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(public_key.strip() + "\n")
            yield name
        finally:
            Path(name).unlink(missing_ok=True)
    else:
        path = Path(public_key).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if not path.is_file():
            raise ConfigError(
                f"public key file not found: {path}",
                path=f"{_FIELD}.public_key",
                hint="give the path of a cosign public key (PEM) or the PEM text itself",
            )
        yield str(path)


def _registry_digest(reference: ImageReference) -> str:
    return RegistryClient(reference.registry).manifest_digest(
        reference.repository, reference.tag or "latest"
    )


# -- reading cosign's output --------------------------------------------------------------------


def _cosign_error(result: CommandResult) -> str:
    """cosign's own one-line reason (its ``Error: …`` line), without its log noise."""
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    text = errors[-1][len("Error:") :].strip() if errors else (lines[-1] if lines else "")
    return text[:400] or f"cosign exited with status {result.returncode}"


def _json_entries(stdout: str) -> list[dict[str, Any]]:
    """Every JSON object cosign printed, between log lines: one document per line or pretty
    printed, each an object or an array of them (cosign 2 and 3 differ)."""
    decoder = json.JSONDecoder()
    entries: list[dict[str, Any]] = []
    position = 0
    while True:
        starts = [i for i in (stdout.find("{", position), stdout.find("[", position)) if i >= 0]
        if not starts:
            return entries
        try:
            value, position = decoder.raw_decode(stdout, min(starts))
        except ValueError:
            position = min(starts) + 1
            continue
        items = value if isinstance(value, list) else [value]
        entries.extend(item for item in items if isinstance(item, dict))


def _get(data: Any, *path: str) -> Any:
    """``data[path…]`` with case-insensitive keys (cosign has used both spellings); ``None``
    when any step is missing."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = next((v for k, v in data.items() if k.lower() == key.lower()), None)
    return data


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _signature(entry: dict[str, Any]) -> Signature:
    return Signature(
        digest=_text(_get(entry, "critical", "image", "docker-manifest-digest")),
        identity=_text(_get(entry, "critical", "identity", "docker-reference")),
        issuer=_text(_get(entry, "optional", "Issuer")),
        subject=_text(_get(entry, "optional", "Subject")),
    )


def _statement(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The in-toto statement inside a DSSE envelope printed by ``verify-attestation``."""
    payload = _get(entry, "payload") or _get(entry, "dsseEnvelope", "payload")
    if not isinstance(payload, str):
        return None
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            statement = json.loads(decode(payload + "=" * (-len(payload) % 4)))
        except (binascii.Error, ValueError):
            continue
        return statement if isinstance(statement, dict) else None
    return None


def _names_digest(statement: dict[str, Any], digest: str) -> bool:
    algorithm, _, hex_value = digest.partition(":")
    subjects = statement.get("subject")
    return isinstance(subjects, list) and any(
        _get(subject, "digest", algorithm) == hex_value for subject in subjects
    )


def _provenance(statement: dict[str, Any]) -> Provenance:
    predicate = statement.get("predicate")
    return Provenance(
        predicate_type=_text(statement.get("predicateType")),
        # SLSA v1 keeps these under runDetails/buildDefinition; v0.2 at the top.
        builder_id=_text(_get(predicate, "runDetails", "builder", "id"))
        or _text(_get(predicate, "builder", "id")),
        build_type=_text(_get(predicate, "buildDefinition", "buildType"))
        or _text(_get(predicate, "buildType")),
        source=_text(
            _get(_first(_get(predicate, "buildDefinition", "resolvedDependencies")), "uri")
        )
        or _text(_get(predicate, "invocation", "configSource", "uri"))
        or _text(_get(_first(_get(predicate, "materials")), "uri")),
    )


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else None
