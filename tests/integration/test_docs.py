"""Documentation cannot drift: code blocks run or match tested files; the config reference is
generated from the model and covers every JSON Schema field."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sindri_core.config.reference_doc import render
from sindri_core.config.schema import document_schema
from sindri_core.plugin_host import get_host

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
CHECKED_LANGUAGES = {"bash", "sh", "console", "python", "py", "toml", "yaml"}
BLOCK = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
MARKER = re.compile(r"<!-- doctest: (run|file|skip)\s*(.*?)\s*-->\s*$")


def blocks():
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            language, body = match.group(1), match.group(2)
            if language not in CHECKED_LANGUAGES:
                continue
            before = text[: match.start()].rstrip().splitlines()
            marker = MARKER.match(before[-1]) if before else None
            line = text[: match.start()].count("\n") + 1
            yield pytest.param(doc, language, body, marker, id=f"{doc.relative_to(ROOT)}:{line}")


@pytest.mark.parametrize(("doc", "language", "body", "marker"), list(blocks()))
def test_code_block(doc, language, body, marker, tmp_path):
    assert marker is not None, (
        "every command, Python, TOML or YAML block needs a <!-- doctest: run|file PATH|skip "
        "REASON --> line before it"
    )
    kind, argument = marker.group(1), marker.group(2)
    if kind == "skip":
        assert argument, "say why the block is not run"
        return
    if kind == "file":
        assert body.strip() == (ROOT / argument).read_text(encoding="utf-8").strip()
        return
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    if language in {"python", "py"}:
        argv = [sys.executable, "-c", body]
    else:
        argv = ["bash", "-euo", "pipefail", "-c", body]
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_configuration_reference_is_generated_from_the_model():
    committed = (ROOT / "docs" / "CONFIGURATION.md").read_text(encoding="utf-8")
    assert committed == render(get_host().catalog), (
        "regenerate: python -m sindri_core.config.reference_doc > docs/CONFIGURATION.md"
    )


def _schema_paths(schema: dict, prefix: str = ""):
    for key, prop in schema.get("properties", {}).items():
        path = f"{prefix}.{key}" if prefix else key
        yield path
        for option in [prop, *prop.get("anyOf", [])]:
            if option.get("type") == "object":
                yield from _schema_paths(option, path)
            if option.get("type") == "array" and option.get("items", {}).get("type") == "object":
                yield from _schema_paths(option["items"], path + "[]")


def test_every_schema_field_is_documented():
    text = (ROOT / "docs" / "CONFIGURATION.md").read_text(encoding="utf-8")
    schema = document_schema(get_host().catalog)
    missing = []
    for path in _schema_paths(schema):
        parts = path.split(".")
        if parts[0] == "providers" and len(parts) > 1 and parts[1] != "k8s":
            info = get_host().catalog.lookup(parts[1])
            path = ".".join(["providers", info.name, *parts[2:]])  # aliases share a section
        # providers.k8s is the local cluster block, documented under its own name.
        if f"`{path}`" not in text:
            missing.append(path)
    assert not missing
