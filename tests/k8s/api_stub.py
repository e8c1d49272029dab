"""A loopback stand-in for a Kubernetes API server, so the tests can run the real kubectl.

It answers the requests kubectl 1.32 makes for the commands sindri runs, with the objects and
shapes the API server uses (k8s.io/apimachinery ``meta/v1``: ``APIVersions``, ``APIGroupList``,
``APIResourceList``, ``Status``, lists with ``metadata.resourceVersion``):

* legacy discovery (``/api``, ``/apis``, ``/api/v1``, ``/apis/<group>/<version>``); the
  aggregated form kubectl asks for first is not offered, so it falls back, as with an older
  server;
* ``/openapi/v3`` and one document per group version whose PATCH operations declare the
  ``fieldValidation`` query parameter: kubectl checks that to validate on the server
  (kubernetes/cli-runtime 69e8693, ``pkg/resource/query_param_verifier_v3.go``);
* GET, LIST (``labelSelector`` ``k=v,…``, ``fieldSelector`` ``metadata.name=…``), server-side
  apply (PATCH ``application/apply-patch+yaml`` with ``fieldManager``), strategic-merge and
  merge patches (``rollout restart``; ``scale`` through ``deployments/scale``), DELETE;
* WATCH requests get a stream without events, kept open until kubectl hangs up;
* ``pods/exec`` is refused with 403, which is enough to see the command kubectl asked for.

A Deployment is "rolled out" as soon as it is stored (status copied from the spec), and it gets
one Running, Ready pod from its template, as a controller would. Every request is recorded.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

import attrs


class Kind(NamedTuple):
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def prefix(self) -> str:
        return f"/apis/{self.group_version}" if self.group else f"/api/{self.version}"


KINDS = (
    Kind("", "v1", "namespaces", "Namespace", False, ("ns",)),
    Kind("", "v1", "pods", "Pod", True, ("po",)),
    Kind("", "v1", "services", "Service", True, ("svc",)),
    Kind("", "v1", "secrets", "Secret", True),
    Kind("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True, ("pvc",)),
    Kind("apps", "v1", "deployments", "Deployment", True, ("deploy",)),
    Kind("networking.k8s.io", "v1", "ingresses", "Ingress", True, ("ing",)),
)
VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
POD_IMAGE_ID = "ghcr.io/pacphi/sindri@sha256:" + "a" * 64


class Request(NamedTuple):
    method: str
    path: str
    query: dict[str, list[str]]
    content_type: str
    body: Any


@attrs.define
class ApiStub:
    """The stub's objects (``(plural, namespace, name)`` → object) and what it was asked."""

    objects: dict[tuple[str, str, str], dict[str, Any]] = attrs.field(factory=dict)
    requests: list[Request] = attrs.field(factory=list)
    version: int = 1000
    lock: threading.Lock = attrs.field(factory=threading.Lock)

    def next_version(self) -> str:
        self.version += 1
        return str(self.version)

    def stored(self, plural: str) -> list[dict[str, Any]]:
        return [obj for (p, _, _), obj in sorted(self.objects.items()) if p == plural]

    def applied(self) -> list[Any]:
        """The documents kubectl sent with server-side apply, in order."""
        return [r.body for r in self.requests if r.content_type == "application/apply-patch+yaml"]


# -- discovery ---------------------------------------------------------------------------------


def _resource_list(group_version: str) -> dict[str, Any]:
    resources = []
    for kind in KINDS:
        if kind.group_version != group_version:
            continue
        resources.append(
            {
                "name": kind.plural,
                "singularName": kind.kind.lower(),
                "namespaced": kind.namespaced,
                "kind": kind.kind,
                "verbs": VERBS,
                "shortNames": list(kind.short_names),
            }
        )
        if kind.plural == "deployments":
            resources.append(
                {
                    "name": "deployments/scale",
                    "singularName": "",
                    "namespaced": True,
                    "group": "autoscaling",
                    "version": "v1",
                    "kind": "Scale",
                    "verbs": ["get", "patch", "update"],
                }
            )
        if kind.plural == "pods":
            resources.append(
                {
                    "name": "pods/exec",
                    "singularName": "",
                    "namespaced": True,
                    "kind": "PodExecOptions",
                    "verbs": ["create", "get"],
                }
            )
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
            "resources": resources}  # fmt: skip


def _group_list() -> dict[str, Any]:
    groups = sorted({k.group for k in KINDS if k.group})
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [
            {
                "name": group,
                "versions": [{"groupVersion": f"{group}/v1", "version": "v1"}],
                "preferredVersion": {"groupVersion": f"{group}/v1", "version": "v1"},
            }
            for group in groups
        ],
    }


def _openapi_paths() -> dict[str, Any]:
    versions = sorted({k.prefix.lstrip("/") for k in KINDS})
    return {"paths": {v: {"serverRelativeURL": f"/openapi/v3/{v}?hash=1"} for v in versions}}


def _openapi_document(prefix: str) -> dict[str, Any]:
    paths = {}
    for kind in KINDS:
        if kind.prefix != prefix:
            continue
        scope = "/namespaces/{namespace}" if kind.namespaced else ""
        paths[f"{prefix}{scope}/{kind.plural}/{{name}}"] = {
            "patch": {
                "x-kubernetes-group-version-kind": {
                    "group": kind.group, "version": kind.version, "kind": kind.kind,
                },
                "parameters": [
                    {"name": "fieldValidation", "in": "query", "schema": {"type": "string"}},
                    {"name": "fieldManager", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "OK"}},
            }
        }  # fmt: skip
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"},
            "paths": paths}  # fmt: skip


# -- objects -----------------------------------------------------------------------------------


def status(code: int, reason: str, message: str, **details: Any) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "details": details, "code": code}  # fmt: skip


def _resource_name(kind: Kind) -> str:
    return f"{kind.plural}.{kind.group}" if kind.group else kind.plural


def _matches(obj: dict[str, Any], query: dict[str, list[str]]) -> bool:
    labels = obj.get("metadata", {}).get("labels") or {}
    for selector in query.get("labelSelector", []):
        for term in filter(None, selector.split(",")):
            key, _, value = term.partition("=")
            if labels.get(key) != value:
                return False
    for selector in query.get("fieldSelector", []):
        for term in filter(None, selector.split(",")):
            key, _, value = term.partition("=")
            if key == "metadata.name" and obj["metadata"].get("name") != value:
                return False
    return True


def _merge(base: Any, patch: Any) -> Any:
    """JSON merge patch (RFC 7386), which also covers the strategic patches kubectl sends
    for ``rollout restart`` (an annotation) and ``scale`` (a number)."""
    if not isinstance(patch, dict) or not isinstance(base, dict):
        return copy.deepcopy(patch)
    merged = dict(base)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = _merge(merged.get(key), value)
    return merged


def _settle(stub: ApiStub, kind: Kind, obj: dict[str, Any]) -> None:
    """What the controllers would do: roll a Deployment out and give it one ready pod."""
    if kind.plural != "deployments":
        return
    replicas = obj.get("spec", {}).get("replicas", 1)
    obj["status"] = {
        "observedGeneration": obj["metadata"]["generation"],
        "replicas": replicas, "updatedReplicas": replicas, "readyReplicas": replicas,
        "availableReplicas": replicas,
    }  # fmt: skip
    namespace, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
    owner = f"{name}-7d9f8b6c5d"
    for key in [k for k in stub.objects if k[0] == "pods" and k[1] == namespace]:
        references = stub.objects[key]["metadata"].get("ownerReferences") or []
        if any(ref["name"] == owner for ref in references):
            del stub.objects[key]
    if not replicas:
        return
    template = obj.get("spec", {}).get("template", {})
    container = (template.get("spec", {}).get("containers") or [{}])[0]
    pod_name = f"{owner}-x2x9k"
    stub.objects[("pods", namespace, pod_name)] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": pod_name, "namespace": namespace,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": owner,
                                 "uid": "rs-uid", "controller": True}],
            "labels": dict(template.get("metadata", {}).get("labels") or {}),
            "creationTimestamp": "2026-11-22T10:00:05Z", "uid": "pod-uid",
            "resourceVersion": stub.next_version(),
        },
        "spec": template.get("spec", {}),
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{
                "name": container.get("name", "main"), "image": container.get("image", ""),
                "imageID": POD_IMAGE_ID, "ready": True, "restartCount": 0, "started": True,
                "state": {"running": {"startedAt": "2026-11-22T10:00:09Z"}},
            }],
        },
    }  # fmt: skip


# -- the HTTP side -----------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    stub: ApiStub
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # the test output stays readable
        pass

    def _reply(self, code: int, body: Any) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw.strip() else None

    def _watch(self) -> None:
        """A watch with no events, open until kubectl hangs up (as a quiet server's is)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        self.rfile.read(1)  # returns when the client closes the connection
        self.close_connection = True

    def _handle(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if query.get("watch") == ["true"]:
            self.stub.requests.append(Request("WATCH", url.path, query, "", None))
            self._watch()
            return
        body = self._body()
        content_type = (self.headers.get("Content-Type") or "").split(";")[0]
        with self.stub.lock:
            self.stub.requests.append(Request(self.command, url.path, query, content_type, body))
            code, answer = _route(self.stub, self.command, url.path, query, content_type, body)
        self._reply(code, answer)

    do_GET = do_PATCH = do_DELETE = do_POST = do_PUT = _handle


def _route(
    stub: ApiStub, method: str, path: str, query: dict[str, list[str]], ctype: str, body: Any
) -> tuple[int, Any]:
    if path == "/version":
        return 200, {
            "major": "1",
            "minor": "32",
            "gitVersion": "v1.32.0",
            "platform": "linux/amd64",
        }
    if path == "/api":
        return 200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}
    if path == "/apis":
        return 200, _group_list()
    if path == "/openapi/v3":
        return 200, _openapi_paths()
    if path.startswith("/openapi/v3/"):
        return 200, _openapi_document("/" + path.removeprefix("/openapi/v3/"))
    for kind in KINDS:
        if path == kind.prefix:
            return 200, _resource_list(kind.group_version)
        if path.startswith(kind.prefix + "/"):
            routed = _object_route(stub, kind, method, path, query, ctype, body)
            if routed is not None:
                return routed
    return 404, status(404, "NotFound", "the server could not find the requested resource")


def _object_route(
    stub: ApiStub,
    kind: Kind,
    method: str,
    path: str,
    query: dict[str, list[str]],
    ctype: str,
    body: Any,
) -> tuple[int, Any] | None:
    """``<prefix>[/namespaces/<ns>]/<plural>[/<name>[/<subresource>]]`` for ``kind``."""
    parts = path.removeprefix(kind.prefix + "/").split("/")
    namespace = ""
    if parts[0] == "namespaces" and len(parts) >= 3:
        if not kind.namespaced:
            return None  # a namespaced kind's path, not the namespace object's
        namespace, parts = parts[1], parts[2:]
    if parts[0] != kind.plural:
        return None
    name = parts[1] if len(parts) > 1 else None
    sub = parts[2] if len(parts) > 2 else None
    if name is None:
        return _list(stub, kind, namespace, query)
    if sub == "exec":
        return 403, status(403, "Forbidden", f'pods "{name}" is forbidden: exec is not allowed')
    key = (kind.plural, namespace, name)
    current = stub.objects.get(key)
    if method == "PATCH":
        return _patch(stub, kind, key, current, sub, ctype, body)
    if current is None:
        return 404, status(
            404, "NotFound", f'{_resource_name(kind)} "{name}" not found',
            name=name, group=kind.group, kind=kind.plural,
        )  # fmt: skip
    if method == "DELETE":
        del stub.objects[key]
    return 200, current


def _list(
    stub: ApiStub, kind: Kind, namespace: str, query: dict[str, list[str]]
) -> tuple[int, Any]:
    items = [
        obj
        for (plural, ns, _), obj in sorted(stub.objects.items())
        if plural == kind.plural and (not namespace or ns == namespace) and _matches(obj, query)
    ]
    return 200, {"kind": f"{kind.kind}List", "apiVersion": kind.group_version,
                 "metadata": {"resourceVersion": str(stub.version)}, "items": items}  # fmt: skip


def _patch(
    stub: ApiStub,
    kind: Kind,
    key: tuple[str, str, str],
    current: dict[str, Any] | None,
    sub: str | None,
    ctype: str,
    body: Any,
) -> tuple[int, Any]:
    plural, namespace, name = key
    if ctype != "application/apply-patch+yaml" and current is None:
        return 404, status(404, "NotFound", f'{_resource_name(kind)} "{name}" not found')
    if sub == "scale":
        replicas = (body or {}).get("spec", {}).get("replicas")
        updated = _merge(current, {"spec": {"replicas": replicas}})
    elif ctype == "application/apply-patch+yaml":
        updated = _merge(current or {}, body)
    else:
        updated = _merge(current, body)
    metadata = updated.setdefault("metadata", {})
    if kind.namespaced:
        metadata["namespace"] = namespace
    metadata["generation"] = (current or {}).get("metadata", {}).get("generation", 0) + 1
    metadata["resourceVersion"] = stub.next_version()
    metadata.setdefault("uid", f"uid-{plural}-{name}")
    stub.objects[key] = updated
    _settle(stub, kind, updated)
    if sub == "scale":
        scale = {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": metadata,
                 "spec": {"replicas": updated["spec"]["replicas"]}}  # fmt: skip
        return 200, scale
    return (200 if current else 201), updated


@attrs.frozen
class RunningStub:
    stub: ApiStub
    url: str


def serve() -> Iterator[RunningStub]:
    """Run a stub on an ephemeral loopback port for the duration of the generator."""
    stub = ApiStub()
    handler = type("Handler", (_Handler,), {"stub": stub})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield RunningStub(stub, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
