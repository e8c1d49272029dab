"""Verification results remembered per digest, in the user's cache (ADR 0021).

A digest names one image forever, so what cosign accepted for it under one trust policy (the
key or the keyless identity and issuer, which checks, whether the transparency log was
required) stays true; ``deploy`` after ``deploy`` — the everyday case once ``sindri.lock``
pins the digest — need not run cosign again. The result is kept for :data:`TTL` seconds so a
revoked key or signature is noticed within a day, and only a success is kept: a failure is
checked again every time.

It lives in the user's cache (``<cache>/verified/``), never in ``sindri.lock``: a lock comes
from a repository, and a verification is only worth what the machine that ran it saw.
``sindri image verify`` always runs cosign (it is asked for a verification, not for a past one).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from sindri_core.cache_dir import cache_root
from sindri_core.config.model import ImageConfig
from sindri_core.image.verify import (
    IGNORE_TLOG_ENV,
    Provenance,
    Signature,
    VerificationReport,
)

__all__ = ["TTL", "VerifiedCache"]

TTL = 24 * 3600.0
_MAX_BYTES = 256 * 1024


class VerifiedCache:
    """The cached result of verifying one digest under one trust policy."""

    def __init__(self, name: str, digest: str, policy: dict[str, Any]) -> None:
        material = json.dumps({"name": name, "digest": digest, **policy}, sort_keys=True)
        self.path = (
            cache_root() / "verified" / f"{hashlib.sha256(material.encode()).hexdigest()}.json"
        )
        self.digest = digest

    @classmethod
    def for_image(
        cls, name: str, digest: str, image_config: ImageConfig, base_dir: Path
    ) -> VerifiedCache | None:
        """The cache entry of ``name@digest`` verified as ``image_config`` asks; ``None`` when
        the key file cannot be read (verification then reports that itself)."""
        key = image_config.public_key
        key_text: str | None = None
        if key is not None and "-----BEGIN" not in key:
            path = Path(key).expanduser()
            path = path if path.is_absolute() else base_dir / path
            try:
                key_text = path.read_bytes()[:_MAX_BYTES].decode("utf-8", "replace")
            except OSError:
                return None
        elif key is not None:
            key_text = key.strip()
        policy = {
            "key": hashlib.sha256(key_text.encode()).hexdigest() if key_text else None,
            "identity": image_config.certificate_identity,
            "issuer": image_config.certificate_oidc_issuer,
            "signature": image_config.verify_signature,
            "provenance": image_config.verify_provenance,
            "ignore_tlog": os.environ.get(IGNORE_TLOG_ENV, "").strip().lower(),
        }
        return cls(name, digest, policy)

    def get(self) -> VerificationReport | None:
        """The remembered success, when younger than :data:`TTL`; anything unreadable is a
        miss."""
        try:
            if time.time() - self.path.stat().st_mtime > TTL:
                return None
            data = json.loads(self.path.read_bytes()[:_MAX_BYTES])
            report = _report(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return report if report.digest == self.digest else None

    def put(self, report: VerificationReport) -> None:
        """Remember a success; an unwritable cache only costs a cosign run next time."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(report.to_json(), sort_keys=True))
            temporary.replace(self.path)
        except OSError:
            pass


def _report(data: dict[str, Any]) -> VerificationReport:
    signature = data["signature"]
    provenance = data["provenance"]
    return VerificationReport(
        reference=str(data["reference"]),
        digest=str(data["digest"]),
        mode=str(data["mode"]),
        transparency_log=bool(data["transparency_log"]),
        signatures=tuple(Signature(**s) for s in signature["signatures"])
        if signature is not None
        else None,
        provenance=Provenance(**{k: v for k, v in provenance.items() if k != "verified"})
        if provenance is not None
        else None,
    )
