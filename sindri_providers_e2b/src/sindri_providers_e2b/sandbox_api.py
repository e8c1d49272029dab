"""E2B sandboxes through the E2B REST API.

The e2b CLI cannot give a sandbox metadata or environment when it creates one, and secrets must
never travel on a command line, so sandboxes are created, listed, paused, resumed and killed
over HTTPS (``E2B_API_URL``, default https://api.e2b.dev) with the ``E2B_API_KEY`` header.
"""

from __future__ import annotations

import os
from typing import Any

import attrs

from sindri_core.plugin import OperationError

__all__ = ["DEFAULT_API_URL", "Sandbox", "SandboxApi"]

DEFAULT_API_URL = "https://api.e2b.dev"
TIMEOUT = (10.0, 60.0)


@attrs.frozen
class Sandbox:
    sandbox_id: str
    template_id: str
    state: str  # running | paused
    started_at: str | None = None
    end_at: str | None = None
    metadata: dict[str, str] = attrs.field(factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Sandbox:
        return cls(
            sandbox_id=data["sandboxID"],
            template_id=data.get("templateID", ""),
            state=str(data.get("state", "running")).lower(),
            started_at=data.get("startedAt"),
            end_at=data.get("endAt"),
            metadata=dict(data.get("metadata") or {}),
        )


class SandboxApi:
    """A small client for the sandbox endpoints; the API key is never logged or shown."""

    def __init__(self, api_key: str, base_url: str | None = None) -> None:
        import requests

        self._session = requests.Session()
        self._session.headers["X-API-Key"] = api_key
        self.base_url = (base_url or os.environ.get("E2B_API_URL") or DEFAULT_API_URL).rstrip("/")

    def __repr__(self) -> str:
        return f"SandboxApi({self.base_url})"

    def _call(self, method: str, path: str, *, ok: tuple[int, ...], **kwargs: Any) -> Any:
        import requests

        url = f"{self.base_url}{path}"
        try:
            response = self._session.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise OperationError(f"E2B API {method} {path}: {type(exc).__name__}") from None
        if response.status_code not in ok:
            raise OperationError(
                f"E2B API {method} {path} answered {response.status_code}: {_message(response)}"
            )
        return response.json() if response.content else None

    def find(self, name: str) -> Sandbox | None:
        """The running or paused sandbox whose metadata says it is ``name``."""
        params = [("metadata", f"sindri_name={name}"), ("state", "running"), ("state", "paused")]
        listed = self._call("GET", "/v2/sandboxes", ok=(200,), params=params) or []
        matches = [
            Sandbox.from_json(item)
            for item in listed
            if (item.get("metadata") or {}).get("sindri_name") == name
        ]
        matches.sort(key=lambda s: (s.state != "running", s.started_at or ""))
        return matches[0] if matches else None

    def create(self, body: dict[str, Any]) -> Sandbox:
        data = self._call("POST", "/sandboxes", ok=(200, 201), json=body)
        return Sandbox(
            sandbox_id=data["sandboxID"],
            template_id=data.get("templateID", ""),
            state="running",
            metadata=dict(body.get("metadata", {})),
        )

    def pause(self, sandbox_id: str) -> None:
        self._call("POST", f"/sandboxes/{sandbox_id}/pause", ok=(204, 409))

    def resume(self, sandbox_id: str, *, timeout: int, auto_pause: bool) -> None:
        self._call(
            "POST",
            f"/sandboxes/{sandbox_id}/resume",
            ok=(200, 201, 204, 409),
            json={"timeout": timeout, "autoPause": auto_pause},
        )

    def kill(self, sandbox_id: str) -> None:
        self._call("DELETE", f"/sandboxes/{sandbox_id}", ok=(204, 404))


def _message(response: Any) -> str:
    try:
        return str(response.json().get("message", "")).splitlines()[0][:200]
    except (ValueError, AttributeError, IndexError):
        return response.reason or ""
