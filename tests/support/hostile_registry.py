"""A registry on loopback that misbehaves on purpose, for the fault tests and the benchmark.

Each scenario answers ``GET /v2/`` and ``GET /v2/<repo>/tags/list`` the way a broken or hostile
registry might: an endless chunked body, a page of two million tags, a 200 MB token, one byte
every so often, ``429 Retry-After`` on everything, or a redirect to itself forever.
Bodies are generated as they are sent, so the server itself stays small.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs

SCENARIOS = (
    "endless_body",
    "two_million_tags",
    "huge_token",
    "trickle",
    "storm_429",
    "endless_redirect",
    "token_unavailable",
)
REPOSITORY = "hostile/dev"
TRICKLE_GAP = 0.2  # seconds between two bytes of the trickling body
_BLOCK = b'"1.0.0",' * 8192


class HostileRegistry:
    """``with HostileRegistry("trickle") as server: server.host`` → ``127.0.0.1:PORT``."""

    def __init__(self, scenario: str) -> None:
        if scenario not in SCENARIOS:
            raise ValueError(scenario)
        self.scenario = scenario
        self.stopping = threading.Event()
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HostileRegistry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _endless() -> Iterator[bytes]:
    yield b'{"name":"hostile/dev","tags":['
    yield from itertools.repeat(_BLOCK)


def _two_million() -> Iterator[bytes]:
    yield b'{"name":"hostile/dev","tags":['
    for _ in range(2_000_000 // 8192):
        yield _BLOCK
    yield b'"1.0.0"]}'


def _huge_token() -> Iterator[bytes]:
    yield b'{"token":"'
    block = b"A" * 1024 * 1024
    for _ in range(200):
        yield block
    yield b'"}'


def _handler(server: HostileRegistry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            server.requests.append(self.path)
            # The client giving up is what the scenario is for.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._answer()

        def _answer(self) -> None:
            scenario, path = server.scenario, self.path
            if scenario == "storm_429":
                return self._send(429, b"", {"Retry-After": "29"})
            if path == "/v2/":
                if scenario in ("huge_token", "token_unavailable"):
                    realm = f"http://{server.host}/token"
                    challenge = f'Bearer realm="{realm}",service="hostile"'
                    return self._send(401, b"{}", {"WWW-Authenticate": challenge})
                return self._send(200, b"{}")
            if path.startswith("/token"):
                if scenario == "token_unavailable":
                    return self._send(503, b"down")
                return self._chunked(_huge_token())
            if scenario == "endless_redirect":  # to itself, each time with an endless body
                return self._chunked(_endless(), 302, {"Location": path + "&again=1"})
            if scenario == "endless_body":
                return self._chunked(_endless())
            if scenario == "two_million_tags":
                return self._chunked(_two_million())
            if scenario == "trickle":
                return self._trickle(json.dumps({"tags": ["1.0.0"] * 100}).encode())
            return self._send(404, b"{}")

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _chunked(
            self, chunks: Iterator[bytes], status: int = 200, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in chunks:
                if server.stopping.is_set():
                    return
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")

        def _trickle(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for index in range(len(body)):
                if server.stopping.wait(TRICKLE_GAP):
                    return
                self.wfile.write(body[index : index + 1])
                self.wfile.flush()

    return Handler


# -- running `sindri image resolve` against it, measured -------------------------------------


@attrs.frozen
class Measured:
    """One ``sindri image resolve`` run: its exit status, stderr, peak RSS and wall time."""

    exit_code: int
    stderr: str
    peak_mb: float
    seconds: float


def write_project(directory: Path, host: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sindri.yaml").write_text(
        "version: '3.0'\nname: hostile\ndeployment:\n  provider: docker\n  image_config:\n"
        f"    registry: {host}/{REPOSITORY}\n    version: '^1.0.0'\n"
    )
    return directory


# Runs the command and prints its own peak RSS. The measured process must be forked from this
# small interpreter, not from the test process: Linux carries the forking process's RSS high-water
# mark into the child's ``ru_maxrss`` (through fork or vfork, and across execve), so a child of a
# large pytest process would report pytest's size.
_MEASURE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def resolve_measured(
    project: Path, env: dict[str, str], command: tuple[str, ...] = ("image", "resolve")
) -> Measured:
    """Run ``sindri image resolve`` (or ``command``) in a fresh process; its peak RSS from
    ``wait4``'s rusage."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as err:
        measured = subprocess.run(
            [sys.executable, "-c", _MEASURE, sys.executable, "-m", "sindri_core", *command],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
            check=False,
        )
        seconds = time.monotonic() - started
        err.seek(0)
        stderr = err.read().decode("utf-8", errors="replace")
    peak_mb = int(measured.stdout.split()[-1]) / 1024  # Linux: KiB
    return Measured(measured.returncode, stderr, peak_mb, seconds)
