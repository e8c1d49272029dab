"""A fake E2B API on 127.0.0.1, reached by the official ``e2b`` SDK through ``E2B_API_URL``.

Contract: :mod:`tests.e2b.contract` — E2B's published OpenAPI definition (e2b-dev/infra
``spec/openapi.yml`` at 54693ff3, from the shared material) plus the operations the current SDK
calls that it lacks (``/v2/sandboxes`` POSTs…), derived from the SDK's generated client
(``tests/e2b/contract/README.md``). Every request to an API path is validated with openapi-core
against it, strictly (a property the contract does not list is an error), and answered 400 when
it does not conform, as the real server's OpenAPI middleware does; a path or method the contract
does not have is answered 404. Every response the fake gives is validated too, and a
non-conforming one is recorded in ``faults`` (the fixture fails the test on any).

Server behaviours modelled beyond the schema, from the API server of e2b-dev/infra at
54693ff353d26c5fe1951db5467e751f3e2f984e (``packages/api/``; each has a test naming its file):

- ``main.go``: the OpenAPI validator middleware answers an unknown path or method with 404;
- a query parameter declared ``explode: false`` (``state`` on ``GET /v2/sandboxes``) given more
  than once → 400;
- ``handlers/sandboxes_list.go`` (``GetV2Sandboxes``) with ``utils/pagination.go`` and
  ``utils/sandboxes_list.go``: newest first (``startedAt``, then id), pages of ``limit`` (100 at
  most, ``default_limit`` here), ``X-Next-Token`` (base64url ``<time>__<id>``) when more remain,
  400 on a bad token or a ``metadata`` query that is not ``k=v&…``;
- ``handlers/sandbox_create.go`` (``PostSandboxes``; the v2 POST behaves alike and is always
  secured, as its SDK model says): the template name must parse (``^[a-z0-9-_]+$``, 400) and
  exist (404); ``handlers/timeout_helper.go``: ``timeout`` ≤ 0 or above the team's
  ``max_length_hours`` → 400; secured access needs the template's envd ≥ 0.2.0 (400);
  ``allowPublicTraffic: false`` needs secured access (400); ``denyOut`` and the IP entries of
  ``allowOut`` must be IPs/CIDRs with a specified address (``0.0.0.0/0`` the only unspecified
  one allowed; ``shared/pkg/sandbox-network/firewall.go``); domains in ``allowOut`` need
  ``0.0.0.0/0`` in ``denyOut``; ``orchestrator/create_instance.go``: a private sandbox gets a
  ``trafficAccessToken``;
- ``handlers/sandbox_connect.go``: ``timeout`` above the team maximum → 400; a sandbox being
  killed → 409; 200 when running, 201 after resuming a paused one;
- ``POST /sandboxes/{id}/pause`` → 204, 409 when already paused; ``DELETE`` → 204 or 404;
  an ``X-API-Key`` other than :data:`API_KEY` → 401;
- ``handlers/template_request_build_v3.go``, ``template/register_build.go``,
  ``team/limits.go``, ``shared/pkg/id/id.go``: name ``^[a-z0-9-_]+$`` (optionally ``:tag``),
  tags ``^[a-z0-9-_.]+$`` and not a UUID, CPU 1 or even, ≤ 32 and ≤ the team's, memory
  ≥ 128 MiB, even and ≤ the team's (400 each), 429 when ``build_concurrency`` builds of other
  templates are in progress; the build id is a UUID; another team's alias is not reused;
- ``handlers/template_start_build_v2.go``: a build id that is not a UUID → 400, a build not
  waiting (started already) → 400;
- ``handlers/template_build_status.go``: ``waiting`` until started, then ``building``, then
  ``ready`` (or ``error`` with a reason) with the log entries after ``logsOffset``;
- ``handlers/template_layer_files_upload.go``: the files hash must be 64 lowercase hex (400);
  the answer is an upload link to this server's ``/upload/`` (standing in for the storage
  bucket, outside the API and so outside the contract);
- ``handlers/template_alias.go``: 400 on a malformed alias, 404 unknown, 403 for another team's
  alias (the SDK reads 403 as "exists").
"""

from __future__ import annotations

import base64
import ipaddress
import itertools
import json
import re
import threading
import uuid
from typing import Any
from urllib.parse import parse_qsl, unquote

import attrs
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests.e2b.contract import contract

SPEC_SERVER = "https://api.e2b.app"
API_KEY = "e2b_0123456789abcdef0123456789abcdef01234567"
DEFAULT_ENVD = "0.2.4"
IDENTIFIER = re.compile(r"^[a-z0-9-_]+$")  # shared/pkg/id/id.go
TAG = re.compile(r"^[a-z0-9-_.]+$")
FILES_HASH = re.compile(r"^[0-9a-f]{64}$")  # handlers/template_layer_files_upload.go
SANDBOXES_MAX_LIMIT = 100  # handlers/sandboxes_list.go


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
    headers: dict[str, str] = attrs.field(factory=dict)


@attrs.define
class TemplateRecord:
    template_id: str
    alias: str
    builds: list[dict] = attrs.field(factory=list)  # each: the build's definition (request body)
    cpu_count: int = 0
    memory_mb: int = 0


class _Refused(Exception):
    """An error answer, raised from deep inside a route."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class FakeE2b:
    def __init__(self, *, envd_version: str = DEFAULT_ENVD) -> None:
        self.openapi, self.document = contract()
        self.envd_version = envd_version
        self.envd_token = "envd-access-token-0123"
        self.traffic_token = "traffic-access-token-0123"
        # The team the API key belongs to (auth/pkg/types TeamLimits); the free tier's values.
        self.max_length_hours = 1
        self.max_vcpu = 8
        self.max_ram_mb = 8192
        self.build_concurrency = 20
        self.default_limit = SANDBOXES_MAX_LIMIT
        self.foreign_aliases: set[str] = set()  # aliases another team owns
        self.calls: list[Call] = []
        self.faults: list[str] = []
        self.sandboxes: dict[str, dict] = {}
        self.templates: dict[str, TemplateRecord] = {}  # by template id
        self.uploads: dict[str, bytes] = {}  # files hash -> uploaded archive
        self.build_status = "ready"  # how a started build ends: ready | error
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

    def add_sandbox(
        self,
        name: str,
        state: str = "running",
        template: str = "tpl",
        started_at: str = "2026-11-22T10:00:00Z",
    ) -> str:
        sandbox_id = f"sbx{next(self._ids):05d}"
        self.sandboxes[sandbox_id] = {
            "sandboxID": sandbox_id,
            "templateID": template,
            "clientID": "c0",
            "startedAt": started_at,
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
        call = Call(
            request.method,
            request.path,
            query,
            body,
            request.headers.get("X-API-Key"),
            dict(request.headers.items()),
        )
        self.calls.append(call)
        if request.path.startswith("/upload/"):
            self.uploads[request.path.rsplit("/", 1)[-1]] = request.get_data()
            return Response(status=200)
        if self._operation(request.method, request.path) is None:
            return self._error(404, f"no matching operation was found: {request.method}")
        if call.api_key != API_KEY:
            return self._error(401, "Invalid API key")
        repeated = self._repeated_unexploded(request)
        if repeated:
            return self._error(400, f"query parameter {repeated} given more than once")
        validation = self.openapi.unmarshal_request(_AsSpecServer(request))
        if validation.errors:
            detail = "; ".join(_describe(e) for e in validation.errors)
            return self._error(400, f"request does not match the API: {detail}")
        headers: dict[str, str] = {}
        try:
            status, data = self._route(request.method, request.path, query, body, headers)
        except _Refused as refused:
            status, data = refused.status, {"code": refused.status, "message": refused.message}
        response = self._answer(status, data)
        response.headers.update(headers)
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
        """The parameters of the contract's operation for ``method path`` (None: no such one)."""
        matches = [t for t in self.document["paths"] if _matches(t, path)]
        # A literal segment wins over a template one, as in the server's router.
        matches.sort(key=lambda t: t.count("{"))
        for template in matches:
            item = self.document["paths"][template]
            if method.lower() in item:
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

    def _route(
        self, method: str, path: str, query: list, body: Any, headers: dict[str, str]
    ) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        route = (method, *parts)
        if route == ("GET", "v2", "sandboxes"):
            return self._list(query, headers)
        if route in {("POST", "sandboxes"), ("POST", "v2", "sandboxes")}:
            return self._create(body, always_secure=parts[0] == "v2")
        if route[:3] == ("POST", "v2", "sandboxes") and parts[3:] == ["connect"]:
            return self._sandbox(method, parts[2], parts[3:], body)
        if route[:2] in {("GET", "sandboxes"), ("POST", "sandboxes"), ("DELETE", "sandboxes")}:
            return self._sandbox(method, parts[1], parts[2:], body)
        if route[:3] == ("POST", "v3", "templates"):
            return self._request_build(body)
        if route[:3] == ("GET", "templates", "aliases"):
            return self._alias(unquote(parts[2]))
        if method == "GET" and parts[0] == "templates" and parts[2:3] == ["files"]:
            return self._upload_link(parts[1], parts[3])
        if route[:3] == ("POST", "v2", "templates") and parts[3:4] == ["builds"]:
            return self._start_build(parts[2], parts[4], body)
        if method == "GET" and parts[0] == "templates" and parts[-1] == "status":
            return self._build_status(parts[1], parts[3], query)
        return 404, {"code": 404, "message": f"no route for {method} {path}"}

    def _listed(self, sandbox: dict) -> dict:
        return {k: v for k, v in sandbox.items() if not k.startswith("_")}

    def _list(self, query: list, headers: dict[str, str]) -> tuple[int, Any]:
        params = dict(query)
        wanted = _metadata_filter(params["metadata"]) if "metadata" in params else {}
        states = params.get("state", "running,paused").split(",")
        limit = min(int(params.get("limit", self.default_limit)), SANDBOXES_MAX_LIMIT)
        found = [
            s
            for s in self.sandboxes.values()
            if s["state"] in states
            and not s.get("_killing")
            and all(s["metadata"].get(k) == v for k, v in wanted.items())
        ]
        found.sort(key=lambda s: (s["startedAt"], s["sandboxID"]), reverse=True)
        if params.get("nextToken"):
            after = _cursor(params["nextToken"])
            found = [s for s in found if (s["startedAt"], s["sandboxID"]) < after]
        if len(found) > limit:
            last = found[limit - 1]
            token = f"{last['startedAt']}__{last['sandboxID']}"
            headers["X-Next-Token"] = base64.urlsafe_b64encode(token.encode()).decode()
        return 200, [self._listed(s) for s in found[:limit]]

    def _check_timeout(self, timeout: int | None, *, create: bool) -> None:
        """handlers/timeout_helper.go (create) and handlers/sandbox_connect.go (connect)."""
        if timeout is None:
            return
        if create and timeout <= 0:
            raise _Refused(400, "Timeout must be greater than 0")
        if timeout > self.max_length_hours * 3600:
            raise _Refused(400, f"Timeout cannot be greater than {self.max_length_hours} hours")

    def _check_network(self, network: dict, secure: bool) -> None:
        deny = network.get("denyOut") or []
        for entry in deny:
            if not _specified_ip_or_cidr(entry):
                raise _Refused(400, f"invalid denied CIDR {entry}")
        allow = network.get("allowOut") or []
        for entry in (e for e in allow if _ip_or_cidr(e)):
            if not _specified_ip_or_cidr(entry):
                raise _Refused(400, f"invalid allowed address {entry}")
        if any(not _ip_or_cidr(e) for e in allow) and "0.0.0.0/0" not in deny:
            raise _Refused(
                400,
                "When specifying allowed domains in allow out, you must include 'ALL_TRAFFIC' "
                "in deny out to block all other traffic.",
            )
        if network.get("allowPublicTraffic", True) is False and not secure:
            raise _Refused(
                400,
                "You cannot create a sandbox without public access unless you enable secure "
                "envd access via 'secure' flag.",
            )

    def _create(self, body: dict, *, always_secure: bool) -> tuple[int, Any]:
        template = body["templateID"]
        identifier, _, _ = template.partition(":")
        if not IDENTIFIER.match(identifier.strip().lower()):
            raise _Refused(400, f"Invalid template reference: invalid template ID: {template}")
        if self.template(identifier) is None and identifier not in self.templates:
            raise _Refused(404, f"template '{template}' not found")
        self._check_timeout(body.get("timeout"), create=True)
        secure = always_secure or body.get("secure") is True
        if secure and _version(self.envd_version) < (0, 2, 0):
            raise _Refused(400, "Template is not compatible with secured access.")
        network = body.get("network")
        if network is not None:
            self._check_network(network, secure)
        sandbox_id = self.add_sandbox("", template=template)
        sandbox = self.sandboxes[sandbox_id]
        sandbox["metadata"] = dict(body.get("metadata") or {})
        sandbox["_request"] = body
        public = (network or {}).get("allowPublicTraffic")
        sandbox["_public"] = public is not False
        return 201, self._created(sandbox, secure=secure)

    def _created(self, sandbox: dict, *, secure: bool = True) -> dict:
        answer = {
            "sandboxID": sandbox["sandboxID"],
            "templateID": sandbox["templateID"],
            "clientID": "c0",
            "envdVersion": self.envd_version,
            "domain": None,
            "trafficAccessToken": None if sandbox.get("_public", True) else self.traffic_token,
        }
        if secure:
            answer["envdAccessToken"] = self.envd_token
        return answer

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
            return self._connect(sandbox, action, body or {})
        if action == "timeout":
            sandbox["_timeout"] = body["timeout"]
            return 204, None
        return 404, {"code": 404, "message": "not found"}

    def _connect(self, sandbox: dict, action: str, body: dict) -> tuple[int, Any]:
        self._check_timeout(body.get("timeout"), create=False)
        sandbox_id = sandbox["sandboxID"]
        if sandbox.get("_killing"):
            message = f"Sandbox {sandbox_id} is in the process of changing state to killing"
            return 409, {"code": 409, "message": message}
        status = 201 if sandbox["state"] == "paused" else 200
        if action == "resume" and status == 200:
            return 409, {"code": 409, "message": f"sandbox {sandbox_id} is already running"}
        sandbox["state"] = "running"
        sandbox["_timeout"] = body.get("timeout")
        return (status if action == "connect" else 201), self._created(sandbox)

    # -- templates ----------------------------------------------------------------------------

    def _alias(self, alias: str) -> tuple[int, Any]:
        identifier, _, _ = alias.partition(":")
        if not IDENTIFIER.match(identifier.strip().lower()):
            raise _Refused(400, f"Invalid alias format: invalid template ID: {alias}")
        if identifier in self.foreign_aliases:
            raise _Refused(403, "You don't have access to this template alias")
        found = self.template(identifier)
        if found is None:
            raise _Refused(404, f"template '{identifier}' not found")
        return 200, {"templateID": found.template_id, "public": False}

    def _check_resources(self, body: dict) -> None:
        """team/limits.go LimitResources, with this fake team's limits."""
        cpu, memory = body.get("cpuCount"), body.get("memoryMB")
        if cpu is not None:
            if cpu > 32:
                raise _Refused(400, "CPU count must be at most 32")
            if cpu != 1 and cpu % 2:
                raise _Refused(400, "CPU count must be 1 or an even number")
            if cpu > self.max_vcpu:
                raise _Refused(400, f"CPU count can't be higher than {self.max_vcpu}")
        if memory is not None:
            if memory % 2:
                raise _Refused(400, "Memory must be divisible by 2")
            if memory > self.max_ram_mb:
                raise _Refused(400, f"Memory can't be higher than {self.max_ram_mb} MiB")

    def _request_build(self, body: dict) -> tuple[int, Any]:
        name = body.get("name") or body.get("alias")
        if not name:
            raise _Refused(400, "Name is required")
        identifier, has_tag, tag = name.strip().partition(":")
        identifier = identifier.lower()
        if not IDENTIFIER.match(identifier):
            raise _Refused(400, f"Invalid name: invalid template ID: {name}")
        tags = ([tag] if has_tag else []) + list(body.get("tags") or [])
        for candidate in tags:
            if not TAG.match(candidate.strip().lower()) or _is_uuid(candidate):
                raise _Refused(400, f"Invalid tag: invalid tag '{candidate}'")
        self._check_resources(body)
        in_progress = sum(
            1
            for record in self.templates.values()
            if record.alias != identifier
            for build in record.builds
            if build["_status"] in ("waiting", "building")
        )
        if in_progress >= self.build_concurrency:
            message = (
                "you have reached the maximum number of concurrent template builds "
                f"({self.build_concurrency})."
            )
            raise _Refused(429, message)
        record = self.template(identifier)
        if record is None:  # another team's alias is not reused: this team gets its own
            record = TemplateRecord(template_id=f"tpl{next(self._ids):05d}", alias=identifier)
            self.templates[record.template_id] = record
        record.cpu_count, record.memory_mb = body.get("cpuCount", 2), body.get("memoryMB", 1024)
        build_id = str(uuid.uuid4())
        record.builds.append({"_id": build_id, "_status": "waiting", "_polls": 0})
        return 202, {
            "templateID": record.template_id,
            "buildID": build_id,
            "public": False,
            "names": [identifier],
            "tags": sorted(set(tags)) or ["default"],
            "aliases": [identifier],
        }

    def _build(self, template_id: str, build_id: str) -> dict:
        if not _is_uuid(build_id):
            raise _Refused(400, f"Invalid build ID: {build_id}")
        record = self.templates.get(template_id)
        build = next((b for b in record.builds if b["_id"] == build_id), None) if record else None
        if build is None:
            raise _Refused(404, f"build {build_id} not found")
        return build

    def _upload_link(self, template_id: str, files_hash: str) -> tuple[int, Any]:
        if not FILES_HASH.match(files_hash):
            raise _Refused(400, "Invalid files hash")
        if template_id not in self.templates:
            raise _Refused(404, f"Error when getting template: {template_id} not found")
        url = f"{self.url}/upload/{template_id}/{files_hash}"
        return 201, {"present": files_hash in self.uploads, "url": url}

    def _start_build(self, template_id: str, build_id: str, body: dict) -> tuple[int, Any]:
        build = self._build(template_id, build_id)
        if build["_status"] != "waiting":
            raise _Refused(400, "build is not in waiting state")
        build.update(body)
        build["_status"] = "building"
        return 202, None

    def _build_status(self, template_id: str, build_id: str, query: list) -> tuple[int, Any]:
        build = self._build(template_id, build_id)
        offset = int(dict(query).get("logsOffset", 0))
        if build["_status"] == "building":
            build["_polls"] += 1
            if build["_polls"] > 1:  # the second look finds it finished
                build["_status"] = self.build_status
        lines = {
            "waiting": [],
            "building": [f"Building template {template_id}"],
        }.get(build["_status"], [f"Building template {template_id}", "Build finished"])
        entries = [
            {"timestamp": "2026-11-22T10:00:00Z", "message": line, "level": "info"}
            for line in lines[offset:]
        ]
        answer = {
            "templateID": template_id,
            "buildID": build_id,
            "status": build["_status"],
            "logs": [e["message"] for e in entries],
            "logEntries": entries,
        }
        if build["_status"] == "error":
            answer["reason"] = {"message": "step failed: exit status 1"}
        return 200, answer


def _matches(template: str, path: str) -> bool:
    want, have = template.strip("/").split("/"), path.strip("/").split("/")
    return len(want) == len(have) and all(
        w.startswith("{") or w == h for w, h in zip(want, have, strict=True)
    )


def _ip_or_cidr(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _specified_ip_or_cidr(value: str) -> bool:
    """shared/pkg/sandbox-network/firewall.go IsSpecifiedIPOrCIDR."""
    if not _ip_or_cidr(value):
        return False
    if value == "0.0.0.0/0":
        return True
    return not ipaddress.ip_address(value.split("/", 1)[0]).is_unspecified


def _metadata_filter(query: str) -> dict[str, str]:
    """utils/sandboxes_list.go parseFilters: ``k=v`` pairs joined by ``&``, else 400."""
    filters: dict[str, str] = {}
    for pair in unquote(query).split("&"):
        parts = pair.split("=")
        if len(parts) != 2:
            raise _Refused(400, "Error parsing metadata")
        filters[unquote(parts[0])] = unquote(parts[1])
    return filters


def _cursor(token: str) -> tuple[str, str]:
    try:
        timestamp, _, sandbox_id = base64.urlsafe_b64decode(token).decode().partition("__")
    except ValueError:
        raise _Refused(400, "Invalid next token") from None
    if not sandbox_id:
        raise _Refused(400, "Invalid next token")
    return timestamp, sandbox_id


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def _describe(error: Exception) -> str:
    causes = [error, getattr(error, "__cause__", None)]
    schema_errors = getattr(error, "schema_errors", None) or getattr(
        causes[1], "schema_errors", None
    )
    detail = "; ".join(str(e.message) for e in schema_errors or ())
    return f"{type(error).__name__}{': ' + detail if detail else ''}"
