"""A loopback stub of HashiCorp Vault's KV version 2 "read secret version" endpoint.

Written from Vault's HTTP API documentation (api-docs/secret/kv/kv-v2, "Read secret
version"; api-docs/index: authentication and namespaces):

- ``GET /v1/<mount>/data/<path>`` answers 200 with ``{"data": {"data": {...},
  "metadata": {"version": n, ...}}, "lease_id": "", ...}``;
- the token travels in ``X-Vault-Token``; a missing or unknown token is 403
  ``{"errors": ["permission denied"]}``;
- ``X-Vault-Namespace`` selects the namespace whose mounts the path is resolved in;
- a path holding no secret is 404 ``{"errors": []}``.

Only this endpoint exists; anything else is 404, as for an unmounted path. Every request is
recorded (method, path, the two headers) so tests can check what was asked. A test of a
hostile server sets ``answer`` to write its own response instead.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import attrs


@attrs.frozen
class VaultRequest:
    method: str
    path: str
    token: str | None
    namespace: str | None


class VaultStub:
    """Secrets keyed by ``(namespace, mount, path)``; ``namespace`` is ``""`` for the root."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.secrets: dict[tuple[str, str, str], dict[str, object]] = {}
        self.requests: list[VaultRequest] = []
        self.answer: Callable[[BaseHTTPRequestHandler], None] | None = None
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub._answer(self)

            def log_message(self, *args: object) -> None:  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def put(self, mount: str, path: str, data: dict[str, object], namespace: str = "") -> None:
        self.secrets[(namespace, mount, path)] = data

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        token = handler.headers.get("X-Vault-Token")
        namespace = handler.headers.get("X-Vault-Namespace")
        self.requests.append(VaultRequest("GET", handler.path, token, namespace))
        if self.answer is not None:
            self.answer(handler)
            return
        if token != self.token:
            self._send(handler, 403, {"errors": ["permission denied"]})
            return
        path = handler.path.split("?", 1)[0]
        found = None
        for (ns, mount, secret_path), data in self.secrets.items():
            if ns == (namespace or "").strip("/") and path == f"/v1/{mount}/data/{secret_path}":
                found = data
        if found is None:
            self._send(handler, 404, {"errors": []})
            return
        metadata = {
            "created_time": "2026-01-01T00:00:00.000000Z",
            "custom_metadata": None,
            "deletion_time": "",
            "destroyed": False,
            "version": 1,
        }
        body = {
            "request_id": "00000000-0000-0000-0000-000000000000",
            "lease_id": "",
            "renewable": False,
            "lease_duration": 0,
            "data": {"data": found, "metadata": metadata},
            "wrap_info": None,
            "warnings": None,
            "auth": None,
        }
        self._send(handler, 200, body)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: dict[str, object]) -> None:
        payload = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
