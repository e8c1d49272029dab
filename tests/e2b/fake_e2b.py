"""A fake E2B API on 127.0.0.1, reached by the official ``e2b`` SDK through ``E2B_API_URL``.

Contract: E2B's OpenAPI definition, e2b-dev/E2B ``spec/openapi.yml`` at b8029973 (the commit
that released the Python SDK 2.45.1), read from the shared material as
``contracts/e2b-openapi.yml`` through :func:`tests.support.required.shared_file`. Every
request to an API path is validated with openapi-core against that file (path, method,
parameters and their serialisation, body) and answered 400 when it does not conform, as the
real server's OpenAPI middleware does; every response the fake gives is validated too, and a
non-conforming one is recorded in ``faults`` (the fixture fails the test on any).

Server behaviours modelled beyond the schema (the API server of e2b-dev/infra 54693ff):

- a query parameter declared ``explode: false`` (``state`` on ``GET /v2/sandboxes``) given more
  than once → 400; ``metadata`` is one query-encoded string (``k%3Dv&k2%3Dv2``);
- ``POST /sandboxes``: an absent ``network.allowPublicTraffic`` means public;
  ``allowPublicTraffic: false`` requires ``secure: true`` (else 400); an ``allowOut`` holding a
  domain requires ``0.0.0.0/0`` in ``denyOut`` (else 400); ``denyOut`` takes IPs and CIDRs only
  (a domain → 400);
- ``POST /sandboxes/{id}/pause`` → 204, 409 when already paused, 404 when unknown;
  ``POST /sandboxes/{id}/connect`` → 200 when running, 201 after resuming a paused one;
  ``DELETE /sandboxes/{id}`` → 204 or 404; ``X-API-Key`` other than the expected key → 401;
- templates, as ``Template.build`` drives them: ``POST /v3/templates`` (202, template and build
  ids), ``GET /templates/{id}/files/{hash}`` (an upload link to this server's ``/upload/``,
  standing in for the storage bucket, outside the API and so outside the contract),
  ``POST /v2/templates/{id}/builds/{build}`` (the template definition: ``fromImage``,
  ``fromImageRegistry``, ``steps``…, kept for tests to read back), ``GET
  /templates/{id}/builds/{build}/status`` (ready, with log entries once), ``GET
  /templates/aliases/{alias}`` (200 or 404).
"""

from __future__ import annotations

import functools
import ipaddress
import itertools
import json
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import attrs
import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests.support.required import shared_file

SPEC_SERVER = "https://api.e2b.app"
API_KEY = "e2b_0123456789abcdef0123456789abcdef01234567"
DEFAULT_ENVD = "0.2.4"


def _contract() -> tuple[OpenAPI, dict]:
    return _parsed(shared_file("contracts/e2b-openapi.yml"))


@functools.cache
def _parsed(path: Path) -> tuple[OpenAPI, dict]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return OpenAPI.from_dict(document), document


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any) -> None:  # keep test output clean
        pass


class _AsSpecServer(WerkzeugOpenAPIRequest):
    """The request as if it had been sent to the contract's server (only the host differs)."""

    @property
    def host_url(self) -> str:
        return SPEC_SERVER


@attrs.define
class Call:
    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any
    api_key: str | None


@attrs.define
class TemplateRecord:
    template_id: str
    alias: str
    builds: list[dict] = attrs.field(factory=list)  # each: the build's definition (request body)
    cpu_count: int = 0
    memory_mb: int = 0


class FakeE2b:
    def __init__(self, *, envd_version: str = DEFAULT_ENVD) -> None:
        self.openapi, self.document = _contract()
        self.envd_version = envd_version
        self.envd_token = "envd-access-token-0123"
        self.calls: list[Call] = []
        self.faults: list[str] = []
        self.sandboxes: dict[str, dict] = {}
        self.templates: dict[str, TemplateRecord] = {}  # by template id
        self.uploads: dict[str, bytes] = {}  # files hash -> uploaded archive
        self.build_status = "ready"
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    # -- inspection helpers for tests ---------------------------------------------------------

    def requests(self, method: str | None = None, path: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if (method is None or c.method == method) and (path is None or c.path == path)
        ]

    def template(self, alias: str) -> TemplateRecord | None:
        return next((t for t in self.templates.values() if t.alias == alias), None)

    def add_sandbox(self, name: str, state: str = "running", template: str = "tpl") -> str:
        sandbox_id = f"sbx{next(self._ids):05d}"
        self.sandboxes[sandbox_id] = {
            "sandboxID": sandbox_id,
            "templateID": template,
            "clientID": "c0",
            "startedAt": "2026-11-22T10:00:00Z",
            "endAt": "2026-11-22T10:05:00Z",
            "cpuCount": 2,
            "memoryMB": 4096,
            "diskSizeMB": 10240,
            "state": state,
            "envdVersion": self.envd_version,
            "metadata": {"sindri_name": name},
            "_request": {},
        }
        return sandbox_id

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- HTTP ---------------------------------------------------------------------------------

    def _wsgi(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        with self._lock:
            response = self._handle(request)
        return response(environ, start_response)

    def _handle(self, request: Request) -> Response:
        body = request.get_json(silent=True) if request.content_length else None
        query = parse_qsl(request.query_string.decode(), keep_blank_values=True)
        call = Call(request.method, request.path, query, body, request.headers.get("X-API-Key"))
        self.calls.append(call)
        if request.path.startswith("/upload/"):
            self.uploads[request.path.rsplit("/", 1)[-1]] = request.get_data()
            return Response(status=200)
        if call.api_key != API_KEY:
            return self._error(401, "Invalid API key")
        repeated = self._repeated_unexploded(request)
        if repeated:
            return self._error(400, f"query parameter {repeated} given more than once")
        validation = self.openapi.unmarshal_request(_AsSpecServer(request))
        if validation.errors:
            detail = "; ".join(_describe(e) for e in validation.errors)
            return self._error(400, f"request does not match the API: {detail}")
        status, data = self._route(request.method, request.path, query, body)
        response = self._answer(status, data)
        checked = self.openapi.unmarshal_response(
            _AsSpecServer(request), WerkzeugOpenAPIResponse(response)
        )
        if checked.errors:
            self.faults.append(
                f"{request.method} {request.path} -> {status}: "
                + "; ".join(_describe(e) for e in checked.errors)
            )
        return response

    def _repeated_unexploded(self, request: Request) -> str | None:
        """A form parameter is repeated only when it explodes; ``explode: false`` → one value."""
        operation = self._operation(request.method, request.path)
        if operation is None:
            return None
        declared = {p["name"]: p for p in operation if p.get("in") == "query"}
        for name in set(request.args):
            if len(request.args.getlist(name)) < 2:
                continue
            param = declared.get(name, {})
            array = param.get("schema", {}).get("type") == "array"
            if not (array and param.get("explode", True)):
                return name
        return None

    def _operation(self, method: str, path: str) -> list[dict] | None:
        for template, item in self.document["paths"].items():
            if _matches(template, path) and method.lower() in item:
                params = item.get("parameters", []) + item[method.lower()].get("parameters", [])
                return [self._deref(p) for p in params]
        return None

    def _deref(self, node: dict) -> dict:
        ref = node.get("$ref")
        if not ref:
            return node
        target: Any = self.document
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        return target

    @staticmethod
    def _answer(status: int, data: Any) -> Response:
        if data is None:
            return Response(status=status)
        return Response(json.dumps(data), status=status, content_type="application/json")

    def _error(self, status: int, message: str) -> Response:
        return self._answer(status, {"code": status, "message": message})

    # -- routes -------------------------------------------------------------------------------

    def _route(self, method: str, path: str, query: list, body: Any) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        route = (method, *parts)
        if route[:3] == ("GET", "v2", "sandboxes") and len(parts) == 2:
            return self._list(query)
        if route == ("POST", "sandboxes"):
            return self._create(body)
        if route[:2] in {("GET", "sandboxes"), ("POST", "sandboxes"), ("DELETE", "sandboxes")}:
            return self._sandbox(method, parts[1], parts[2:], body)
        if route[:3] == ("POST", "v3", "templates"):
            return self._request_build(body)
        if route[:3] == ("GET", "templates", "aliases"):
            found = self.template(parts[2])
            if found is None:
                return 404, {"code": 404, "message": f"template '{parts[2]}' not found"}
            return 200, {"templateID": found.template_id, "public": False}
        if method == "GET" and parts[0] == "templates" and parts[2:3] == ["files"]:
            url = f"{self.url}/upload/{parts[1]}/{parts[3]}"
            return 201, {"present": parts[3] in self.uploads, "url": url}
        if route[:3] == ("POST", "v2", "templates") and parts[3:4] == ["builds"]:
            return self._start_build(parts[2], parts[4], body)
        if method == "GET" and parts[0] == "templates" and parts[-1] == "status":
            return self._build_status(parts[1], parts[3], query)
        return 404, {"code": 404, "message": f"no route for {method} {path}"}

    def _listed(self, sandbox: dict) -> dict:
        return {k: v for k, v in sandbox.items() if not k.startswith("_")}

    def _list(self, query: list) -> tuple[int, Any]:
        params = dict(query)
        wanted = dict(parse_qsl(params.get("metadata", ""), keep_blank_values=True))
        states = params.get("state", "running,paused").split(",")
        found = [
            self._listed(s)
            for s in self.sandboxes.values()
            if s["state"] in states and all(s["metadata"].get(k) == v for k, v in wanted.items())
        ]
        return 200, found

    def _network_error(self, body: dict) -> str | None:
        network = body.get("network") or {}
        if network.get("allowPublicTraffic") is False and body.get("secure") is not True:
            return "allowPublicTraffic false requires secure: true"
        deny = network.get("denyOut") or []
        for entry in deny:
            if not _is_ip_or_cidr(entry):
                return f"invalid denied CIDR {entry}: only IP addresses and CIDR blocks"
        domains = [e for e in network.get("allowOut") or [] if not _is_ip_or_cidr(e)]
        if domains and "0.0.0.0/0" not in deny:
            return "allowOut with domains requires denyOut to contain 0.0.0.0/0"
        return None

    def _create(self, body: dict) -> tuple[int, Any]:
        problem = self._network_error(body)
        if problem:
            return 400, {"code": 400, "message": problem}
        template = body["templateID"]
        if self.template(template) is None and template not in self.templates:
            return 404, {"code": 404, "message": f"template '{template}' not found"}
        sandbox_id = self.add_sandbox("", template=template)
        sandbox = self.sandboxes[sandbox_id]
        sandbox["metadata"] = dict(body.get("metadata") or {})
        sandbox["_request"] = body
        public = (body.get("network") or {}).get("allowPublicTraffic", True)
        sandbox["_public"] = public
        return 201, self._created(sandbox)

    def _created(self, sandbox: dict) -> dict:
        return {
            "sandboxID": sandbox["sandboxID"],
            "templateID": sandbox["templateID"],
            "clientID": "c0",
            "envdVersion": self.envd_version,
            "envdAccessToken": self.envd_token,
            "domain": None,
        }

    def _sandbox(self, method: str, sandbox_id: str, rest: list, body: Any) -> tuple[int, Any]:
        sandbox = self.sandboxes.get(sandbox_id)
        if sandbox is None:
            return 404, {"code": 404, "message": f"sandbox {sandbox_id} not found"}
        action = rest[0] if rest else None
        if method == "DELETE" and action is None:
            del self.sandboxes[sandbox_id]
            return 204, None
        if method == "GET" and action is None:
            return 200, self._listed(sandbox)
        if action == "pause":
            if sandbox["state"] == "paused":
                return 409, {"code": 409, "message": f"sandbox {sandbox_id} is already paused"}
            sandbox["state"] = "paused"
            return 204, None
        if action in ("connect", "resume"):
            status = 201 if sandbox["state"] == "paused" else 200
            if action == "resume" and status == 200:
                return 409, {"code": 409, "message": f"sandbox {sandbox_id} is already running"}
            sandbox["state"] = "running"
            sandbox["_timeout"] = (body or {}).get("timeout")
            return (status if action == "connect" else 201), self._created(sandbox)
        if action == "timeout":
            sandbox["_timeout"] = body["timeout"]
            return 204, None
        return 404, {"code": 404, "message": "not found"}

    def _request_build(self, body: dict) -> tuple[int, Any]:
        alias = body.get("name") or body.get("alias")
        record = self.template(alias)
        if record is None:
            record = TemplateRecord(template_id=f"tpl{next(self._ids):05d}", alias=alias)
            self.templates[record.template_id] = record
        record.cpu_count, record.memory_mb = body.get("cpuCount", 2), body.get("memoryMB", 1024)
        build_id = f"build-{next(self._ids):05d}"
        record.builds.append({"_id": build_id})
        return 202, {
            "templateID": record.template_id,
            "buildID": build_id,
            "public": False,
            "names": [alias],
            "tags": ["default"],
            "aliases": [alias],
        }

    def _start_build(self, template_id: str, build_id: str, body: dict) -> tuple[int, Any]:
        record = self.templates.get(template_id)
        build = next((b for b in record.builds if b["_id"] == build_id), None) if record else None
        if build is None:
            return 404, {"code": 404, "message": f"build {build_id} not found"}
        build.update(body)
        return 202, None

    def _build_status(self, template_id: str, build_id: str, query: list) -> tuple[int, Any]:
        offset = int(dict(query).get("logsOffset", 0))
        lines = [f"Building template {template_id}", "Build finished"]
        entries = [
            {"timestamp": "2026-11-22T10:00:00Z", "message": line, "level": "info"}
            for line in lines[offset:]
        ]
        answer = {
            "templateID": template_id,
            "buildID": build_id,
            "status": self.build_status,
            "logs": [e["message"] for e in entries],
            "logEntries": entries,
        }
        if self.build_status == "error":
            answer["reason"] = {"message": "step failed: exit status 1"}
        return 200, answer


def _matches(template: str, path: str) -> bool:
    want, have = template.strip("/").split("/"), path.strip("/").split("/")
    return len(want) == len(have) and all(
        w.startswith("{") or w == h for w, h in zip(want, have, strict=True)
    )


def _is_ip_or_cidr(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _describe(error: Exception) -> str:
    causes = [error, getattr(error, "__cause__", None)]
    schema_errors = getattr(error, "schema_errors", None) or getattr(
        causes[1], "schema_errors", None
    )
    detail = "; ".join(str(e.message) for e in schema_errors or ())
    return f"{type(error).__name__}{': ' + detail if detail else ''}"
