"""The five providers and the example import sindri only through ``sindri_core.plugin``, the
declared plugin API (docs/adr/0014-plugin-host-contract.md): the rest of ``sindri_core`` may
change in any release. The API exports names, not modules, and the fence checks attribute
access as well as imports, so no undeclared name is reached through an exported one
(docs/adr/0023-provider-kit.md)."""

from __future__ import annotations

import ast
import types
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


def test_the_plugin_api_exports_names_not_modules() -> None:
    modules = [n for n in plugin.__all__ if isinstance(getattr(plugin, n), types.ModuleType)]
    assert modules == []


def _api_attribute_reads(path: Path) -> list[tuple[int, str, str]]:
    """``(line, owner, attribute)`` for every attribute read off the plugin API module
    (``import sindri_core.plugin as api; api.X``: owner ``sindri_core.plugin``) or off a name
    imported from it (``Plan.compared``: owner ``Plan``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    owners: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "sindri_core.plugin":
                    owners[a.asname or a.name] = "sindri_core.plugin"
        elif isinstance(node, ast.ImportFrom) and node.module == "sindri_core.plugin":
            owners.update({a.asname or a.name: a.name for a in node.names})
    return [
        (node.lineno, owners[ast.unparse(node.value)], node.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and ast.unparse(node.value) in owners
    ]


def _undeclared(owner: str, attribute: str) -> bool:
    if owner == "sindri_core.plugin":
        return attribute not in plugin.__all__
    # a name of the API that is a module would let its undeclared names through
    return isinstance(getattr(plugin, owner), types.ModuleType)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(REPOSITORY)))
def test_plugins_read_only_declared_names_off_the_plugin_api(source: Path) -> None:
    undeclared = [
        f"{path.relative_to(REPOSITORY)}:{line}: {owner}.{attribute}"
        for path in sorted(source.rglob("*.py"))
        for line, owner, attribute in _api_attribute_reads(path)
        if _undeclared(owner, attribute)
    ]
    assert undeclared == []


def test_the_attribute_fence_sees_what_it_must(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import sindri_core.plugin as api\n"
        "from sindri_core.plugin import Plan\n"
        "api.get_host()\n"
        "api.Plan\n"
        "Plan.compared\n"
    )
    reads = _api_attribute_reads(sample)
    assert sorted(reads) == [
        (3, "sindri_core.plugin", "get_host"),
        (4, "sindri_core.plugin", "Plan"),
        (5, "Plan", "compared"),
    ]
    assert [_undeclared(owner, attribute) for _, owner, attribute in sorted(reads)] == [
        True,
        False,
        False,
    ]
