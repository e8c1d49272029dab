"""A loopback envd (the agent inside an E2B sandbox) serving its process service.

It is the SDK's own generated server side of envd's Connect RPC service
(``e2b.envd.process.process_connect.ProcessWSGIApplication``, from envd's
``process/process.proto`` in e2b-dev/E2B ``spec/envd``), so requests and responses are the
real protobuf messages over the real Connect protocol; the SDK reaches it through its own
``E2B_SANDBOX_URL`` setting. ``Start`` runs the requested process for real, as envd does, on
this machine (``/bin/bash -l -c <command>`` for ``commands.run``) with ``HOME`` in a scratch
directory, and streams ``start``, ``data`` (stdout, stderr) and ``end`` (exit code, ``exit
status N``) events. With ``pty`` set, the process gets a real pseudo-terminal of that size, its
output streams as ``pty`` data and ``SendInput`` writes to it. Requests without the sandbox's
``X-Access-Token`` are refused (unauthenticated), as envd does for a ``secure`` sandbox.
"""

from __future__ import annotations

import base64
import fcntl
import os
import pty
import struct
import subprocess
import termios
import threading
from pathlib import Path
from typing import Any

import attrs
from connectrpc.code import Code
from connectrpc.errors import ConnectError
from e2b.envd.process import process_pb
from e2b.envd.process.process_connect import ProcessSync, ProcessWSGIApplication
from protobuf import Oneof
from werkzeug.serving import WSGIRequestHandler, make_server


@attrs.define
class Started:
    cmd: str
    args: list[str]
    cwd: str
    user: str | None
    envs: dict[str, str]


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any) -> None:
        pass


def _event(**kind: Any) -> process_pb.StartResponse:
    ((name, value),) = kind.items()
    return process_pb.StartResponse(event=process_pb.ProcessEvent(event=Oneof(name, value)))


class FakeEnvd(ProcessSync):
    """Run with ``FakeEnvd(home, access_token)``; ``started`` lists every process started."""

    def __init__(self, home: Path, access_token: str) -> None:
        self.home = home
        self.access_token = access_token
        self.started: list[Started] = []
        self.terminals: dict[int, int] = {}  # pid -> PTY master
        app = ProcessWSGIApplication(self)
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def start(self, request: process_pb.StartRequest, ctx: Any) -> Any:
        headers = ctx.request_headers
        if headers.get("x-access-token") != self.access_token:
            raise ConnectError(Code.UNAUTHENTICATED, "invalid access token")
        auth = headers.get("authorization", "")
        user = (
            base64.b64decode(auth[6:]).decode().rstrip(":") if auth.startswith("Basic ") else None
        )
        config = request.process
        self.started.append(
            Started(config.cmd, list(config.args), config.cwd, user, dict(config.envs))
        )
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home)}
        env.update(config.envs)
        if request.pty is not None:
            yield from self._terminal([config.cmd, *config.args], env, request.pty.size)
            return
        done = subprocess.run(
            [config.cmd, *config.args],
            cwd=self.home,  # the sandbox's directories do not exist here
            env=env,
            capture_output=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        yield _event(start=process_pb.ProcessEvent.StartEvent(pid=4242))
        for stream, data in (("stdout", done.stdout), ("stderr", done.stderr)):
            if data:
                yield _event(data=process_pb.ProcessEvent.DataEvent(output=Oneof(stream, data)))
        yield _end(done.returncode)

    def _terminal(self, argv: list[str], env: dict[str, str], size: Any) -> Any:
        master, slave = pty.openpty()
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", size.rows, size.cols, 0, 0))
        process = subprocess.Popen(
            argv,
            cwd=self.home,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
        os.close(slave)
        self.terminals[process.pid] = master
        yield _event(start=process_pb.ProcessEvent.StartEvent(pid=process.pid))
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the terminal's last writer exited
                data = b""
            if not data:
                break
            yield _event(data=process_pb.ProcessEvent.DataEvent(output=Oneof("pty", data)))
        del self.terminals[process.pid]
        os.close(master)
        yield _end(process.wait())

    def send_input(self, request: process_pb.SendInputRequest, ctx: Any) -> Any:
        master = self.terminals.get(request.process.selector.value)
        if master is None:
            raise ConnectError(Code.NOT_FOUND, "process not found")
        os.write(master, request.input.input.value)
        return process_pb.SendInputResponse()


def _end(code: int) -> process_pb.StartResponse:
    end = process_pb.ProcessEvent.EndEvent(
        exit_code=code, exited=True, status=f"exit status {code}"
    )
    return _event(end=end)
