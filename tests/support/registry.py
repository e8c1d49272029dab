"""A real OCI registry on loopback for tests, plus a fault-injecting proxy in front of it.

Fixtures (re-exported by ``tests.support.fixtures``):

``registry``
    A session-wide Debian ``docker-registry`` (distribution 2.8) on ``127.0.0.1:<free port>``
    with filesystem storage in a temp dir and deletes enabled. Open (no auth).
``auth_registry``
    The same with htpasswd Basic auth; ``.username`` / ``.password`` hold the credentials.
``token_registry``
    The same with Bearer token auth served by :class:`TokenServer` (ES256 JWTs, as
    distribution's ``auth.token`` expects). Anonymous token requests get ``pull``; requests
    with ``.username``/``.password`` (or an OAuth2 ``POST`` with ``.token_server.refresh_token``
    as refresh token) get what they ask for. ``.token_server.log`` counts
    token requests; ``.token_server.expires_in`` and ``.token_server.anonymous_pull`` can be
    changed by a test (restore them, the server is session-wide).
``faulty_proxy``
    A factory: ``proxy = faulty_proxy(registry)`` starts a :class:`FaultyProxy` forwarding to
    the registry, logging every request by kind and injecting faults on demand. Closed after
    the test.

Every registry object offers ``push_image(repo, tags, media_type="oci"|"docker",
variant="")`` (a tiny real image: config blob + one gzipped tar layer + manifest, through the
registry HTTP API), ``tag(repo, digest, tags)`` (re-PUT a pushed manifest under more tags,
concurrently — fast for thousands), ``push_index(repo, tags, digests)``, ``digest_of(repo,
tag)``, ``delete(repo, reference)`` and ``unique_repo(prefix)`` (repositories are shared by
the session; use a fresh name per test).

The helpers here speak the registry protocol themselves (their own small challenge handling)
so that tests never depend on the client under test to set up their data.
"""

from __future__ import annotations

import base64
import email.utils
import gzip
import hashlib
import io
import json
import shutil
import socket
import struct
import subprocess
import tarfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

__all__ = [
    "DOCKER_LIST",
    "DOCKER_MANIFEST",
    "MANIFEST_ACCEPT",
    "OCI_INDEX",
    "OCI_MANIFEST",
    "Fault",
    "FaultyProxy",
    "LoggedRequest",
    "RegistryServer",
    "RequestLog",
    "TokenServer",
    "auth_registry",
    "faulty_proxy",
    "registry",
    "token_registry",
]

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST_ACCEPT = ", ".join((OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST))

_LAYER_TYPES = {
    "oci": (
        "application/vnd.oci.image.config.v1+json",
        "application/vnd.oci.image.layer.v1.tar+gzip",
    ),
    "docker": (
        "application/vnd.docker.container.image.v1+json",
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
    ),
}
_MANIFEST_TYPES = {"oci": OCI_MANIFEST, "docker": DOCKER_MANIFEST}
_INDEX_TYPES = {"oci": OCI_INDEX, "docker": DOCKER_LIST}
_START_TIMEOUT = 15.0


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out after {timeout:g}s waiting for {what}")


# -- request logging ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedRequest:
    """One request seen by a proxy or the token server.

    ``kind`` is ``ping`` (``/v2/``), ``tags``, ``manifest``, ``blob``, ``token`` or ``other``;
    ``fault`` names the injected fault, if any.
    """

    method: str
    path: str
    kind: str
    status: int | None
    fault: str | None = None
    authorization: str | None = None


class RequestLog:
    """Thread-safe list of :class:`LoggedRequest` with counting helpers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    @property
    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def count(self, kind: str | None = None, method: str | None = None) -> int:
        return len(
            [
                e
                for e in self.entries
                if (kind is None or e.kind == kind) and (method is None or e.method == method)
            ]
        )

    def kinds(self) -> list[str]:
        return [e.kind for e in self.entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def request_kind(path: str) -> str:
    bare = path.split("?", 1)[0]
    if bare in ("/v2", "/v2/"):
        return "ping"
    if bare.endswith("/tags/list"):
        return "tags"
    if "/manifests/" in bare:
        return "manifest"
    if "/blobs/" in bare:
        return "blob"
    if bare.startswith("/token"):
        return "token"
    return "other"


# -- token server -------------------------------------------------------------------------------


def _libtrust_kid(public_key: Any) -> str:
    """distribution 2.8 finds the signing key in ``rootcertbundle`` by this key ID."""
    from cryptography.hazmat.primitives import serialization

    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    b32 = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(b32[i : i + 4] for i in range(0, len(b32), 4))


class TokenServer:
    """A minimal Docker token server (``GET /token?service=&scope=``) issuing ES256 JWTs."""

    service = "test-registry"
    issuer = "test-issuer"

    def __init__(self, directory: Path, username: str, password: str) -> None:
        import datetime

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self.username = username
        self.password = password
        self.expires_in = 300
        self.anonymous_pull = True
        self.refresh_token = "refresh-" + uuid.uuid4().hex
        self.log = RequestLog()
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._kid = _libtrust_kid(self._key.public_key())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sindri test token server")])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(self._key, hashes.SHA256())
        )
        self.cert_path = directory / "token-cert.pem"
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self._server = _serve(self._handler_class())
        self.port = self._server.server_address[1]
        self.realm = f"http://127.0.0.1:{self.port}/token"

    def _basic(self) -> str:
        pair = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode()

    def _grant(self, authorization: str | None, scopes: list[str]) -> list[dict[str, Any]] | None:
        """The access list for a request, or ``None`` for bad credentials."""
        authenticated = False
        if authorization:
            if not authorization.startswith("Basic "):
                return None
            user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
            if (user, password) != (self.username, self.password):
                return None
            authenticated = True
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            wanted = [a for a in actions.split(",") if a]
            if authenticated:
                granted = wanted
            else:
                granted = [a for a in wanted if a == "pull" and self.anonymous_pull]
            access.append({"type": kind, "name": name, "actions": granted})
        return access

    def _token(self, access: list[dict[str, Any]], subject: str) -> str:
        import jwt

        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": subject,
            "aud": self.service,
            "exp": now + self.expires_in,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        return jwt.encode(claims, self._key, algorithm="ES256", headers={"kid": self._kid})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(_QuietHandler):
            def do_GET(self) -> None:
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                authorization = self.headers.get("Authorization")
                access = server._grant(authorization, query.get("scope", []))
                if access is None:
                    status, body = 401, {"errors": [{"code": "UNAUTHORIZED"}]}
                else:
                    subject = server.username if authorization else "anonymous"
                    token = server._token(access, subject)
                    status = 200
                    body = {"token": token, "access_token": token, "expires_in": server.expires_in}
                server.log.add(
                    LoggedRequest("GET", self.path, "token", status, authorization=authorization)
                )
                self.send_json(status, body)

            def do_POST(self) -> None:
                """OAuth2 refresh-token grant (what identity tokens are exchanged by)."""
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                valid = form.get("grant_type") == ["refresh_token"] and form.get(
                    "refresh_token"
                ) == [server.refresh_token]
                if valid:
                    access = server._grant(server._basic(), form.get("scope", []))
                    token = server._token(access or [], server.username)
                    status, body = 200, {"access_token": token, "expires_in": server.expires_in}
                else:
                    status, body = 401, {"errors": [{"code": "UNAUTHORIZED"}]}
                server.log.add(LoggedRequest("POST", self.path, "token", status))
                self.send_json(status, body)

        return Handler

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # the tests read logs, not stderr
        pass

    def send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def _serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# -- the registry process -----------------------------------------------------------------------


class _ChallengeSession:
    """Just enough of the auth dance to push test data: Basic, or Bearer from the realm."""

    def __init__(self, username: str | None, password: str | None) -> None:
        self.username = username
        self.password = password
        self._local = threading.local()
        self._headers: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def request(self, method: str, url: str, repo: str, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        for _ in range(2):
            with self._lock:
                auth = self._headers.get(repo)
            if auth:
                headers["Authorization"] = auth
            response = self.session.request(method, url, headers=headers, timeout=30, **kwargs)
            if response.status_code != 401:
                return response
            with self._lock:
                self._headers[repo] = self._authorize(response, repo)
        return response

    def _authorize(self, response: requests.Response, repo: str) -> str:
        challenge = response.headers.get("WWW-Authenticate", "")
        basic = "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        if challenge.startswith("Basic"):
            return basic
        params = dict(
            part.split("=", 1) for part in challenge[len("Bearer ") :].replace('"', "").split(",")
        )
        token = self.session.get(
            params["realm"],
            params={"service": params["service"], "scope": f"repository:{repo}:pull,push"},
            headers={"Authorization": basic} if self.username else {},
            timeout=30,
        )
        token.raise_for_status()
        return "Bearer " + token.json()["token"]


class RegistryServer:
    """A running ``docker-registry serve`` with helpers to push test images.

    :ivar host: ``127.0.0.1:PORT`` — what goes into an image reference.
    :ivar url: ``http://127.0.0.1:PORT``.
    """

    def __init__(
        self,
        directory: Path,
        *,
        auth: str | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        if shutil.which("docker-registry") is None:
            raise RuntimeError(
                "docker-registry is not installed (apt-get install docker-registry); "
                "the registry tests need a real registry"
            )
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.username = username
        self.password = password
        self.token_server: TokenServer | None = None
        self._manifests: dict[str, tuple[str, bytes]] = {}
        self._http = _ChallengeSession(username, password)
        self.port = _free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.host}"
        config: dict[str, Any] = {
            "version": 0.1,
            "log": {"level": "warn"},
            "storage": {
                "filesystem": {"rootdirectory": str(directory / "data")},
                "delete": {"enabled": True},
            },
            "http": {"addr": self.host, "secret": uuid.uuid4().hex},
        }
        if auth == "basic":
            htpasswd = directory / "htpasswd"
            subprocess.run(
                ["htpasswd", "-Bbc", str(htpasswd), username, password],
                check=True,
                capture_output=True,
            )
            config["auth"] = {"htpasswd": {"realm": "basic-realm", "path": str(htpasswd)}}
        elif auth == "token":
            assert username and password
            self.token_server = TokenServer(directory, username, password)
            config["auth"] = {
                "token": {
                    "realm": self.token_server.realm,
                    "service": TokenServer.service,
                    "issuer": TokenServer.issuer,
                    "rootcertbundle": str(self.token_server.cert_path),
                }
            }
        config_path = directory / "config.yml"
        # JSON is YAML; no YAML writer needed for a fixture.
        config_path.write_text(json.dumps(config))
        self._log_path = directory / "registry.log"
        with self._log_path.open("wb") as log:
            self._process = subprocess.Popen(
                ["docker-registry", "serve", str(config_path)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_until(self._ready, _START_TIMEOUT, f"docker-registry on {self.host}")
        except RuntimeError:
            self.close()
            raise RuntimeError(self._log_path.read_text(errors="replace")[-2000:]) from None

    def _ready(self) -> bool:
        if self._process.poll() is not None:
            raise RuntimeError(
                "docker-registry exited: " + self._log_path.read_text(errors="replace")[-2000:]
            )
        try:
            return requests.get(f"{self.url}/v2/", timeout=1).status_code in (200, 401)
        except requests.ConnectionError:
            return False

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self.token_server is not None:
            self.token_server.close()

    # -- data ------------------------------------------------------------------------------

    def unique_repo(self, prefix: str = "test") -> str:
        """A repository name nobody else in the session uses."""
        return f"{prefix}/{uuid.uuid4().hex[:12]}"

    def reference(self, repo: str, tag: str | None = None, digest: str | None = None) -> str:
        text = f"{self.host}/{repo}"
        if tag:
            text += f":{tag}"
        if digest:
            text += f"@{digest}"
        return text

    def _request(self, method: str, repo: str, path: str, **kwargs: Any) -> requests.Response:
        url = path if path.startswith("http") else f"{self.url}/v2/{repo}/{path}"
        return self._http.request(method, url, repo, **kwargs)

    def _upload_blob(self, repo: str, data: bytes) -> str:
        digest = _sha256(data)
        if self._request("HEAD", repo, f"blobs/{digest}").status_code == 200:
            return digest
        start = self._request("POST", repo, "blobs/uploads/")
        assert start.status_code == 202, start.text
        location = urllib.parse.urljoin(self.url, start.headers["Location"])
        separator = "&" if "?" in location else "?"
        done = self._request(
            "PUT",
            repo,
            f"{location}{separator}digest={digest}",
            data=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        assert done.status_code == 201, done.text
        return digest

    def _put_manifest(self, repo: str, reference: str, media_type: str, body: bytes) -> str:
        response = self._request(
            "PUT", repo, f"manifests/{reference}", data=body, headers={"Content-Type": media_type}
        )
        assert response.status_code == 201, f"{response.status_code} {response.text}"
        digest = response.headers["Docker-Content-Digest"]
        assert digest == _sha256(body)
        self._manifests[digest] = (media_type, body)
        return digest

    def push_image(
        self, repo: str, tags: list[str], *, media_type: str = "oci", variant: str = ""
    ) -> str:
        """Push a tiny image under ``tags``; returns its manifest digest.

        :param media_type: ``oci`` or ``docker`` (Docker v2 schema 2).
        :param variant: any text; a different variant gives a different digest.
        """
        config_type, layer_type = _LAYER_TYPES[media_type]
        raw_layer = _tar_with_file("hello.txt", f"sindri test image {variant}\n".encode())
        layer = gzip.compress(raw_layer, mtime=0)
        config = json.dumps(
            {
                "architecture": "amd64",
                "os": "linux",
                "config": {"Labels": {"dev.sindri.test.variant": variant}},
                "rootfs": {"type": "layers", "diff_ids": [_sha256(raw_layer)]},
            },
            sort_keys=True,
        ).encode()
        manifest = {
            "schemaVersion": 2,
            "mediaType": _MANIFEST_TYPES[media_type],
            "config": {
                "mediaType": config_type,
                "digest": self._upload_blob(repo, config),
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": layer_type,
                    "digest": self._upload_blob(repo, layer),
                    "size": len(layer),
                }
            ],
        }
        body = json.dumps(manifest, sort_keys=True).encode()
        digest = self._put_manifest(
            repo, tags[0] if tags else _sha256(body), manifest["mediaType"], body
        )
        self.tag(repo, digest, tags[1:])
        return digest

    def push_index(
        self, repo: str, tags: list[str], digests: list[str], *, media_type: str = "oci"
    ) -> str:
        """Push an image index (multi-platform list) over already pushed manifests."""
        manifests = []
        for number, digest in enumerate(digests):
            child_type, child = self._manifests[digest]
            manifests.append(
                {
                    "mediaType": child_type,
                    "digest": digest,
                    "size": len(child),
                    "platform": {
                        "architecture": ["amd64", "arm64", "riscv64"][number % 3],
                        "os": "linux",
                    },
                }
            )
        index_type = _INDEX_TYPES[media_type]
        body = json.dumps(
            {"schemaVersion": 2, "mediaType": index_type, "manifests": manifests}
        ).encode()
        digest = self._put_manifest(repo, tags[0], index_type, body)
        self.tag(repo, digest, tags[1:])
        return digest

    def tag(self, repo: str, digest: str, tags: list[str], *, workers: int = 16) -> None:
        """Point more ``tags`` at an already pushed manifest (concurrent PUTs)."""
        media_type, body = self._manifests[digest]
        if not tags:
            return
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda t: self._put_manifest(repo, t, media_type, body), tags))

    def digest_of(self, repo: str, tag: str) -> str:
        response = self._request(
            "HEAD", repo, f"manifests/{tag}", headers={"Accept": MANIFEST_ACCEPT}
        )
        assert response.status_code == 200, response.status_code
        return response.headers["Docker-Content-Digest"]

    def delete(self, repo: str, reference: str) -> None:
        """Delete a manifest (by digest, or by the digest a tag points at) and its tags."""
        digest = reference if ":" in reference else self.digest_of(repo, reference)
        response = self._request("DELETE", repo, f"manifests/{digest}")
        assert response.status_code == 202, response.text

    def tags(self, repo: str) -> list[str]:
        response = self._request("GET", repo, "tags/list")
        response.raise_for_status()
        return response.json()["tags"] or []


def _tar_with_file(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo(name)
        info.size = len(content)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


# -- the fault-injecting proxy ------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """Something the proxy does instead of (or to) the upstream answer.

    Build with the constructors: :meth:`status`, :meth:`reset`, :meth:`truncate`,
    :meth:`drop_headers`, :meth:`stall`.
    """

    name: str
    status_code: int = 0
    retry_after: str | None = None
    retry_after_in: float | None = None
    keep: float = 0.5
    honest_length: bool = True
    seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    drop: tuple[str, ...] = ()

    @classmethod
    def status(
        cls,
        code: int,
        *,
        retry_after: str | None = None,
        retry_after_in: float | None = None,
        headers: dict[str, str] | None = None,
    ) -> Fault:
        """Answer ``code`` without asking upstream. ``retry_after`` is sent verbatim
        (seconds); ``retry_after_in`` sends an HTTP date that many seconds ahead."""
        return cls(
            f"status-{code}",
            status_code=code,
            retry_after=retry_after,
            retry_after_in=retry_after_in,
            headers=dict(headers or {}),
        )

    @classmethod
    def reset(cls) -> Fault:
        """Close the connection with a TCP RST before answering."""
        return cls("reset")

    @classmethod
    def truncate(cls, keep: float = 0.5, *, honest_length: bool = True) -> Fault:
        """Forward upstream's answer with only ``keep`` of its body. With ``honest_length``
        the Content-Length matches the cut body (valid HTTP, broken JSON); otherwise it
        announces the full length and the connection closes early."""
        return cls("truncate", keep=keep, honest_length=honest_length)

    @classmethod
    def drop_headers(cls, *names: str) -> Fault:
        """Forward upstream's answer without the response headers ``names``."""
        return cls("drop-headers", drop=tuple(name.lower() for name in names))

    @classmethod
    def stall(cls, seconds: float = 60.0) -> Fault:
        """Say nothing for ``seconds`` (or until the proxy closes), then close."""
        return cls("stall", seconds=seconds)


_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"}


class FaultyProxy:
    """An HTTP proxy in front of a registry (``upstream`` = ``host:port``).

    :ivar log: every request with its kind, status and the fault applied.
    :ivar host: ``127.0.0.1:PORT``; use it in image references instead of the registry's.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.log = RequestLog()
        self._lock = threading.Lock()
        self._queued: dict[str, list[Fault]] = {}
        self._always: dict[str, Fault] = {}
        self._page_size: int | None = None
        self._absolute_links = False
        self._closing = threading.Event()
        self._local = threading.local()
        self._server = _serve(self._handler_class())
        self.port = self._server.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.host}"

    # -- configuration -----------------------------------------------------------------------

    def inject(self, kind: str, *faults: Fault) -> None:
        """Apply ``faults`` to the next requests of ``kind`` (``any`` for every kind), one
        fault per request, in order."""
        with self._lock:
            self._queued.setdefault(kind, []).extend(faults)

    def inject_always(self, kind: str, fault: Fault) -> None:
        """Apply ``fault`` to every request of ``kind`` until :meth:`clear`."""
        with self._lock:
            self._always[kind] = fault

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()
            self._always.clear()

    def paginate_tags(self, page_size: int = 1000, *, absolute: bool = False) -> None:
        """Serve ``tags/list`` sorted, ``page_size`` (or the client's smaller ``n``) at a time,
        honouring ``last`` and linking the next page with ``Link: <…>; rel="next"`` —
        relative (``/v2/…``) or absolute (``http://host/v2/…``)."""
        self._page_size = page_size
        self._absolute_links = absolute

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()

    # -- behaviour ---------------------------------------------------------------------------

    def _next_fault(self, kind: str) -> Fault | None:
        with self._lock:
            for key in (kind, "any"):
                if self._queued.get(key):
                    return self._queued[key].pop(0)
            return self._always.get(kind) or self._always.get("any")

    @property
    def _session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def _forward(self, handler: BaseHTTPRequestHandler) -> requests.Response:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        headers = {
            k: v for k, v in handler.headers.items() if k.lower() not in ("host", "connection")
        }
        headers["Accept-Encoding"] = "identity"
        return self._session.request(
            handler.command,
            f"http://{self.upstream}{handler.path}",
            headers=headers,
            data=body,
            allow_redirects=False,
            timeout=60,
        )

    def _paginated(self, handler: BaseHTTPRequestHandler, upstream: requests.Response) -> bytes:
        split = urllib.parse.urlsplit(handler.path)
        query = urllib.parse.parse_qs(split.query)
        size = min(int(query.get("n", [self._page_size])[0]), self._page_size or 0)
        document = upstream.json()
        tags = sorted(document.get("tags") or [])
        last = query.get("last", [None])[0]
        start = 0
        if last is not None:
            start = next((i for i, t in enumerate(tags) if t > last), len(tags))
        page = tags[start : start + size]
        handler._extra_headers = {}  # type: ignore[attr-defined]
        if start + size < len(tags):
            next_query = urllib.parse.urlencode({"n": size, "last": page[-1]})
            link = f"{split.path}?{next_query}"
            if self._absolute_links:
                link = self.url + link
            handler._extra_headers["Link"] = f'<{link}>; rel="next"'  # type: ignore[attr-defined]
        return json.dumps({"name": document.get("name"), "tags": page}).encode()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(_QuietHandler):
            def handle_any(self) -> None:
                kind = request_kind(self.path)
                self._respond(kind, proxy._next_fault(kind))

            def _record(self, kind: str, fault: Fault | None, status: int | None) -> None:
                """Logged before the answer is sent: a client that saw the answer can
                count on the log holding it."""
                proxy.log.add(
                    LoggedRequest(
                        self.command,
                        self.path,
                        kind,
                        status,
                        fault.name if fault else None,
                        self.headers.get("Authorization"),
                    )
                )

            def _respond(self, kind: str, fault: Fault | None) -> None:
                if fault is not None and fault.name == "reset":
                    self._record(kind, fault, None)
                    self._reset()
                    return
                if fault is not None and fault.name == "stall":
                    self._record(kind, fault, None)
                    proxy._closing.wait(fault.seconds)
                    self.close_connection = True
                    return
                if fault is not None and fault.name.startswith("status-"):
                    self._drain()
                    self._record(kind, fault, fault.status_code)
                    headers = dict(fault.headers)
                    if fault.retry_after is not None:
                        headers["Retry-After"] = fault.retry_after
                    if fault.retry_after_in is not None:
                        headers["Retry-After"] = email.utils.formatdate(
                            time.time() + fault.retry_after_in, usegmt=True
                        )
                    self.send_json(
                        fault.status_code,
                        {"errors": [{"code": "INJECTED", "message": fault.name}]},
                        headers,
                    )
                    return
                upstream = proxy._forward(self)
                body = upstream.content
                self._extra_headers: dict[str, str] = {}
                if (
                    kind == "tags"
                    and proxy._page_size
                    and self.command == "GET"
                    and upstream.status_code == 200
                ):
                    body = proxy._paginated(self, upstream)
                announced = len(body)
                if fault is not None and fault.name == "truncate":
                    body = body[: int(len(body) * fault.keep)]
                    if fault.honest_length:
                        announced = len(body)
                    self.close_connection = True
                self._record(kind, fault, upstream.status_code)
                self.send_response(upstream.status_code)
                dropped = set(fault.drop) if fault is not None else set()
                for key, value in upstream.headers.items():
                    if key.lower() not in _HOP_HEADERS | dropped:
                        self.send_header(key, value)
                for key, value in self._extra_headers.items():
                    self.send_header(key, value)
                if self.command == "HEAD":
                    self.send_header("Content-Length", upstream.headers.get("Content-Length", "0"))
                else:
                    self.send_header("Content-Length", str(announced))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _drain(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)

            def _reset(self) -> None:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                self.connection.close()

            do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any

        return Handler


# -- fixtures -----------------------------------------------------------------------------------


def _running(directory: Path, **options: Any) -> Iterator[RegistryServer]:
    server = RegistryServer(directory, **options)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryServer]:
    yield from _running(tmp_path_factory.mktemp("registry"))


def _authenticated(factory: pytest.TempPathFactory, auth: str) -> Iterator[RegistryServer]:
    secret = f"{auth}-Secr3t-{uuid.uuid4().hex[:8]}"
    directory = factory.mktemp(f"{auth}-registry")
    yield from _running(directory, auth=auth, username=f"sindri-{auth}-user", password=secret)


@pytest.fixture(scope="session")
def auth_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryServer]:
    yield from _authenticated(tmp_path_factory, "basic")


@pytest.fixture(scope="session")
def token_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryServer]:
    yield from _authenticated(tmp_path_factory, "token")


@pytest.fixture
def faulty_proxy() -> Iterator[Callable[[Any], FaultyProxy]]:
    proxies: list[FaultyProxy] = []

    def start(upstream: Any) -> FaultyProxy:
        proxy = FaultyProxy(upstream if isinstance(upstream, str) else upstream.host)
        proxies.append(proxy)
        return proxy

    yield start
    for proxy in proxies:
        proxy.close()
