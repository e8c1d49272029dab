"""A fake E2B API on 127.0.0.1 and a fake `e2b` CLI, for the e2b provider's tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import attrs
import pytest

API_KEY = "e2b_test_key_0123456789"


@attrs.define
class Request:
    method: str
    path: str
    query: dict
    body: dict | None
    api_key: str | None


class FakeE2bApi:
    """Answers the sandbox endpoints the provider uses, keeping sandboxes in memory."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.sandboxes: dict[str, dict] = {}
        self._counter = 0
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _answer(self, status: int, data=None) -> None:
                payload = json.dumps(data).encode() if data is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _handle(self) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                api.requests.append(
                    Request(
                        self.command,
                        url.path,
                        parse_qs(url.query),
                        body,
                        self.headers.get("X-API-Key"),
                    )
                )
                if self.headers.get("X-API-Key") != API_KEY:
                    return self._answer(401, {"code": 401, "message": "Invalid API key"})
                status, data = api.route(self.command, url.path, parse_qs(url.query), body)
                self._answer(status, data)

            do_GET = do_POST = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, name: str, state: str = "running", template: str = "demo") -> str:
        self._counter += 1
        sandbox_id = f"sbx{self._counter:04d}"
        self.sandboxes[sandbox_id] = {
            "sandboxID": sandbox_id,
            "templateID": template,
            "state": state,
            "startedAt": "2026-11-22T10:00:00Z",
            "endAt": "2026-11-22T10:05:00Z",
            "metadata": {"sindri_name": name},
            "cpuCount": 2,
            "memoryMB": 4096,
        }
        return sandbox_id

    def route(self, method: str, path: str, query: dict, body: dict | None):
        parts = path.strip("/").split("/")
        if method == "GET" and path == "/v2/sandboxes":
            wanted = dict(pair.split("=", 1) for pair in query.get("metadata", []))
            states = query.get("state", ["running"])
            return 200, [
                s
                for s in self.sandboxes.values()
                if s["state"] in states
                and all(s["metadata"].get(k) == v for k, v in wanted.items())
            ]
        if method == "POST" and path == "/sandboxes":
            sandbox_id = self.add("", template=body["templateID"])
            self.sandboxes[sandbox_id]["metadata"] = body.get("metadata", {})
            return 201, {
                "sandboxID": sandbox_id,
                "templateID": body["templateID"],
                "clientID": "c1",
                "envdVersion": "0.2.0",
            }
        if len(parts) >= 2 and parts[0] == "sandboxes" and parts[1] in self.sandboxes:
            sandbox = self.sandboxes[parts[1]]
            if method == "DELETE":
                del self.sandboxes[parts[1]]
                return 204, None
            if parts[-1] == "pause":
                if sandbox["state"] == "paused":
                    return 409, {"code": 409, "message": "already paused"}
                sandbox["state"] = "paused"
                return 204, None
            if parts[-1] == "resume":
                sandbox["state"] = "running"
                return 201, {"sandboxID": parts[1]}
        return 404, {"code": 404, "message": f"not found: {path}"}

    def calls(self, method: str | None = None, path: str | None = None) -> list[Request]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (path is None or r.path == path)
        ]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def e2b_api(monkeypatch: pytest.MonkeyPatch):
    api = FakeE2bApi()
    monkeypatch.setenv("E2B_API_URL", api.url)
    monkeypatch.setenv("E2B_API_KEY", API_KEY)
    yield api
    api.close()


CREATE_HELP = """Usage: e2b template create [options] <template-name>

build Dockerfile as a Sandbox template.

Options:
  -p, --path <path>          change root directory where command is executed
  -d, --dockerfile <file>    specify path to Dockerfile
  --cpu-count <cpu-count>    specify the number of CPUs
  --memory-mb <memory-mb>    specify the amount of memory in megabytes
  --no-cache                 skip cache when building the template.
"""

OLD_BUILD_HELP = """Usage: e2b template build [options] [template]

Options:
  -p, --path <path>          change root directory
  -d, --dockerfile <file>    specify path to Dockerfile
  -n, --name <template-name> specify sandbox template name
  -t, --team <team-id>       specify the team ID
  --cpu-count <cpu-count>    specify the number of CPUs
  --memory-mb <memory-mb>    specify the amount of memory in megabytes
"""


def template_json(alias: str) -> list[dict]:
    return [
        {
            "templateID": "tpl123",
            "aliases": [alias],
            "names": [f"team/{alias}"],
            "cpuCount": 2,
            "memoryMB": 4096,
            "public": False,
            "buildID": "b1",
        }
    ]


@pytest.fixture
def e2b_cli(fake_tools):
    """The current CLI: `template create`; templates appear after a build."""
    e2b = fake_tools.tool("e2b")
    e2b.on("--version", stdout="2.19.0\n")
    e2b.on("template", "create", "--help", stdout=CREATE_HELP)
    e2b.on(
        "template",
        "list",
        "--format",
        "json",
        when={"built": True},
        stdout="\n" + json.dumps(template_json("demo-env")),
    )
    e2b.on("template", "list", "--format", "json", stdout="\n[]\n")
    e2b.on("template", "create", stdout="Building sandbox template...\n", set={"built": True})
    e2b.on("sandbox", "connect", stdout="")
    return e2b


@pytest.fixture
def old_e2b_cli(fake_tools):
    """An older CLI that only has `template build`."""
    e2b = fake_tools.tool("e2b")
    e2b.on("template", "create", "--help", stderr="error: unknown command 'create'", exit=1)
    e2b.on("template", "build", "--help", stdout=OLD_BUILD_HELP)
    e2b.on("template", "list", "--json", stdout="[]")
    e2b.on("template", "build", stdout="Building...\n", set={"built": True})
    return e2b
