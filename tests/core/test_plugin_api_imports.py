"""The five providers and the example import sindri only through ``sindri_core.plugin``, the
declared plugin API (docs/adr/0014-plugin-host-contract.md): the rest of ``sindri_core`` may
change in any release."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sindri_core import plugin
from tests.support.required import REPOSITORY

SOURCES = sorted(
    [
        *REPOSITORY.glob("sindri_providers_*/src"),
        *REPOSITORY.glob("examples/plugin/*/src"),
    ]
)


def _sindri_imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """``(line, module, names)`` of every import of sindri_core in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sindri_core"):
            found.append((node.lineno, node.module or "", [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, alias.name, [])
                for alias in node.names
                if alias.name.startswith("sindri_core")
            ]
    return found


def test_there_are_sources_to_check() -> None:
    assert len(SOURCES) == 6


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(REPOSITORY)))
def test_plugins_import_only_the_plugin_api(source: Path) -> None:
    outside = [
        f"{path.relative_to(REPOSITORY)}:{line}: {module}"
        for path in sorted(source.rglob("*.py"))
        for line, module, _ in _sindri_imports(path)
        if module != "sindri_core.plugin"
    ]
    assert outside == [], "import these from sindri_core.plugin (add them to its __all__)"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(REPOSITORY)))
def test_plugins_import_only_declared_names(source: Path) -> None:
    undeclared = [
        f"{path.relative_to(REPOSITORY)}:{line}: {name}"
        for path in sorted(source.rglob("*.py"))
        for line, _, names in _sindri_imports(path)
        for name in names
        if name not in plugin.__all__
    ]
    assert undeclared == []
