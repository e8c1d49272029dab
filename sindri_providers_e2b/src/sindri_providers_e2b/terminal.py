"""``sindri connect`` inside a sandbox, through the SDK's process service (envd).

``connect CMD ARGS…`` runs exactly that argv: envd starts ``/bin/bash -l -c <string>``, so the
argv is joined with POSIX shell quoting, which bash splits back into the same words (dash
arguments included; nothing is parsed by a CLI in between). Its output streams through and its
exit status is returned. ``connect`` alone opens an interactive login shell on an E2B PTY, with
the local terminal in raw mode and the PTY sized like it (at start; resizes are not followed).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import threading
from typing import Any

__all__ = ["run_command", "shell"]


def _write(stream: Any) -> Any:
    def write(text: str) -> None:
        stream.write(text)
        stream.flush()

    return write


def run_command(sandbox: Any, argv: tuple[str, ...], *, user: str, cwd: str) -> int:
    """Run ``argv`` in the sandbox; its exit status."""
    from e2b import CommandExitException

    try:
        result = sandbox.commands.run(
            shlex.join(argv),
            user=user,
            cwd=cwd,
            timeout=0,  # as long as the command runs
            on_stdout=_write(sys.stdout),
            on_stderr=_write(sys.stderr),
        )
    except CommandExitException as exc:
        return exc.exit_code
    return result.exit_code


def shell(sandbox: Any, *, user: str, cwd: str) -> int:
    """An interactive login shell on a PTY; its exit status."""
    import termios
    import tty

    from e2b import CommandExitException, PtySize

    columns, rows = shutil.get_terminal_size()
    env = {"TERM": os.environ.get("TERM", "xterm-256color")}
    size = PtySize(rows=rows, cols=columns)
    # timeout=0: the SDK's default would end the session after 60 seconds.
    handle = sandbox.pty.create(size, user=user, cwd=cwd, envs=env, timeout=0)
    stdin = sys.stdin.fileno()
    saved = termios.tcgetattr(stdin) if os.isatty(stdin) else None

    def forward_input() -> None:
        while True:
            data = os.read(stdin, 4096)
            if not data:
                return
            try:
                sandbox.pty.send_stdin(handle.pid, data)
            except Exception:  # the shell ended: what is typed after it goes nowhere
                return

    if saved is not None:
        tty.setraw(stdin)
    try:
        threading.Thread(target=forward_input, daemon=True).start()
        result = handle.wait(on_pty=lambda data: os.write(sys.stdout.fileno(), data))
    except CommandExitException as exc:
        return exc.exit_code
    finally:
        if saved is not None:
            termios.tcsetattr(stdin, termios.TCSADRAIN, saved)
    return result.exit_code
