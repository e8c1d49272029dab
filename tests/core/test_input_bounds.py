"""Hostile configuration files: too large, nested too deep (directly or through aliases),
binary, or tagged with a constructor. Each is one located line, exit 2, quickly — never a
RecursionError, never a crashed process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sindri_core.config.loader import MAX_CONFIG_BYTES
from sindri_core.config.yaml_document import MAX_DEPTH

BASE = "version: '3.0'\nname: demo\ndeployment:\n  provider: docker\n"


def validate(tmp_path: Path, content: str | bytes) -> tuple[int, str]:
    """``sindri config validate`` in its own process: a crash must not take pytest along."""
    path = tmp_path / "sindri.yaml"
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "sindri_core", "config", "validate"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "internal error" not in lines[0]
    return result.returncode, lines[0]


def nested_block(levels: int) -> str:
    return "".join(" " * i + f"k{i}:\n" for i in range(levels)) + " " * levels + "v: 1\n"


# Each fits the size limit; before the bounds the first crashed the process (SIGSEGV in the
# C composer) and the last was an internal RecursionError.
@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("flow list 32,000 deep", "x: " + "[" * 32_000 + "]" * 32_000 + "\n", "5:67"),
        ("block mapping 300 deep", nested_block(300), f"{MAX_DEPTH + 5}:{MAX_DEPTH + 1}"),
        ("block lists 1,500 deep", "x:\n  " + "- " * 1_500 + "a\n", f"6:{2 * MAX_DEPTH + 1}"),
    ],
)
def test_deep_nesting_is_one_located_line(tmp_path: Path, name: str, text: str, where: str) -> None:
    code, line = validate(tmp_path, BASE + text)
    assert code == 2
    assert (
        line == f"error: sindri.yaml:{where}: invalid YAML: nested deeper than {MAX_DEPTH} levels"
    )


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    keys = "".join(f"key{i}: {i}\n" for i in range(MAX_CONFIG_BYTES // 8))
    code, line = validate(tmp_path, BASE + keys)
    assert code == 2
    assert line == (
        "error: sindri.yaml: the file is larger than 64 KiB; a configuration file must be "
        "UTF-8 text of at most 64 KiB"
    )


def test_a_binary_file_is_not_utf8(tmp_path: Path) -> None:
    code, line = validate(tmp_path, b"\x7fELF\x02\x01\x01\x00\xff\xfe" * 10)
    assert code == 2
    assert line.startswith("error: sindri.yaml: the file is not UTF-8 text (byte 9 is invalid)")
