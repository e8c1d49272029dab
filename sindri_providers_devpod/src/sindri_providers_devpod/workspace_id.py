"""The devpod workspace id of a deployment.

devpod (v0.7.0-alpha.34, ``pkg/workspace/workspace.go``) accepts ids of ``[a-z0-9-]`` up to 48
characters; sindri names are ``^[a-z][a-z0-9-]*$`` up to 63. A name that fits is its own id; a
longer one keeps its first 39 characters and gains ``-`` and 8 hex digits of its SHA-256, so
the id is stable across runs and two long names that share a prefix still differ.
"""

from __future__ import annotations

import hashlib

__all__ = ["MAX_WORKSPACE_ID", "workspace_id"]

MAX_WORKSPACE_ID = 48
HASH_DIGITS = 8


def workspace_id(name: str) -> str:
    if len(name) <= MAX_WORKSPACE_ID:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:HASH_DIGITS]
    return f"{name[: MAX_WORKSPACE_ID - HASH_DIGITS - 1]}-{digest}"
