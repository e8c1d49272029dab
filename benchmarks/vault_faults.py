"""Hostile Vault servers (issue 24): peak memory and wall time of ``sindri plan`` reading one
``source: vault`` secret.

Each scenario is served on loopback and a fresh ``sindri plan`` process (docker provider,
registry image) runs against it with the default limits (Vault deadline 60 s unless
``--deadline`` is given). Prints one line per scenario: exit status, peak RSS (from
``wait4``), wall time, and the error sindri printed, with the token and the address replaced.

    .venv/bin/python benchmarks/vault_faults.py [--deadline SECONDS] [scenario ...]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.hostile_registry import resolve_measured  # noqa: E402

TOKEN = "s.benchmark-token-4242"  # noqa: S105 (a loopback stub's token)
CONFIG = """\
version: "3.0"
name: vault-bench
deployment:
  provider: docker
  image: registry.example.com/team/box:1.2.3
secrets:
  - name: TOKEN
    source: vault
    vaultPath: dev/app
    vaultKey: token
"""


def _endless(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"x" * 65536
    with contextlib.suppress(OSError):
        while True:
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def _trickle(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    with contextlib.suppress(OSError):
        for _ in range(100000):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.2)  # the hostile server's pace


def _redirect(handler: BaseHTTPRequestHandler) -> None:
    port = handler.server.server_address[1]
    handler.send_response(307)
    handler.send_header("Location", f"http://localhost:{port}/elsewhere")
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def _echo(handler: BaseHTTPRequestHandler) -> None:
    body = f'{{"errors": ["bad token {TOKEN} \\u001b]0;pwned\\u0007\\u001b[31m"]}}'.encode()
    handler.send_response(500)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


SCENARIOS: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {
    "endless-body": _endless,
    "trickle": _trickle,
    "redirect-away": _redirect,
    "echoes-token": _echo,
}


@contextlib.contextmanager
def serve(answer: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/elsewhere":  # the other origin: it must never be asked
                print("  !! the token reached the other origin", file=sys.stderr)
            answer(self)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://user:PASSWORD@127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadline", type=float, help="SINDRI_VAULT_DEADLINE (default: unset)")
    parser.add_argument("scenarios", nargs="*", help=f"some of: {', '.join(SCENARIOS)}")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SINDRI_", "VAULT_"))}
    env["VAULT_TOKEN"] = TOKEN
    if args.deadline is not None:
        env["SINDRI_VAULT_DEADLINE"] = str(args.deadline)
    with tempfile.TemporaryDirectory() as scratch:
        env["SINDRI_CACHE_DIR"] = str(Path(scratch) / "cache")
        print(f"{'scenario':<14} {'exit':>4} {'peak MB':>8} {'seconds':>8}  error")
        for name in args.scenarios or SCENARIOS:
            project = Path(scratch) / name
            project.mkdir()
            (project / "sindri.yaml").write_text(CONFIG)
            with serve(SCENARIOS[name]) as address:
                run = resolve_measured(project, {**env, "VAULT_ADDR": address}, ("plan",))
            error = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ""
            error = error.replace(address.split("@")[1], "HOST")
            leaks = [word for word in (TOKEN, "PASSWORD", "\x1b") if word in run.stderr]
            figures = f"{run.exit_code:>4} {run.peak_mb:>8.0f} {run.seconds:>8.1f}"
            print(f"{name:<14} {figures}  {error}" + (f"  LEAKED {leaks}" if leaks else ""))


if __name__ == "__main__":
    main()
