"""Signals and pipes at the CLI's edge: SIGTERM ends a command like Ctrl-C (its tool is
stopped, exit 143), and a reader that leaves early (`| head -1`) is no internal error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

DIGEST = "sha256:" + "a" * 64

# A cosign that tells the test it runs (its pid, through a FIFO), then waits "forever".
SLOW_COSIGN = """#!{python}
import os, sys, time
with open({fifo!r}, "w") as fifo:
    fifo.write(str(os.getpid()) + "\\n")
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0): it ended but its parent has not reaped it.
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.split(")")[-1].split()[0] != "Z"


def test_sigterm_stops_the_running_tool_and_exits_143(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fifo = tmp_path / "started"
    os.mkfifo(fifo)
    cosign = bin_dir / "cosign"
    cosign.write_text(SLOW_COSIGN.format(python=sys.executable, fifo=str(fifo)))
    cosign.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    sindri = subprocess.Popen(
        [sys.executable, "-m", "sindri_core", "image", "verify", f"127.0.0.1:9/x@{DIGEST}"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with fifo.open() as started:
        tool_pid = int(started.readline())
    sindri.send_signal(signal.SIGTERM)
    _, stderr = sindri.communicate(timeout=60)
    assert sindri.returncode == 143, stderr
    assert stderr.strip() == "error: terminated"
    assert not _alive(tool_pid)


def test_a_reader_that_left_is_no_internal_error(tmp_path: Path) -> None:
    # stdout is a pipe whose reader is already gone (`| head -1` after its line): every
    # write fails with EPIPE, deterministically.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "sindri_core", "config", "schema"],
            cwd=tmp_path,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    # The reader has what it wanted: no error, and `set -o pipefail` pipelines pass.
    assert result.returncode == 0
    assert result.stderr == ""


def test_a_pipeline_through_head_succeeds(tmp_path: Path) -> None:
    script = f"set -o pipefail; {sys.executable} -m sindri_core config schema | head -1"
    result = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "{\n", "")
