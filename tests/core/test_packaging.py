"""What the release rests on, checked in the source tree: one licence text everywhere, a
changelog in Keep a Changelog form that the README links, and a type-checker configuration that
is strict exactly on the public surfaces (docs/adr/0013-type-checker.md).

Building and checking the archives themselves is tests/core/test_distributions.py.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests.support.type_check import mypy_errors

ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = tomllib.loads((ROOT / "pyproject.toml").read_text())
MEMBERS = WORKSPACE["tool"]["uv"]["workspace"]["members"]
MYPY = WORKSPACE["tool"]["mypy"]
CHANGE_TYPES = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")


@pytest.mark.parametrize("member", MEMBERS)
def test_every_distribution_holds_the_root_licence_and_py_typed(member: str) -> None:
    assert (ROOT / member / "LICENSE").read_text() == (ROOT / "LICENSE").read_text()
    assert (ROOT / member / "src" / member / "py.typed").is_file()
    project = tomllib.loads((ROOT / member / "pyproject.toml").read_text())["project"]
    assert (project["license"], project["license-files"]) == ("MIT", ["LICENSE"])


def test_changelog_is_in_keep_a_changelog_form() -> None:
    lines = (ROOT / "CHANGELOG.md").read_text().splitlines()
    assert lines[0] == "# Changelog"
    releases = [line for line in lines if line.startswith("## ")]
    assert releases[0] == "## [Unreleased]"
    for release in releases[1:]:
        assert re.fullmatch(r"## \[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}", release), release
    body = lines[lines.index("## [Unreleased]") :]
    sections = [line.removeprefix("### ") for line in body if line.startswith("### ")]
    assert sections, "an empty changelog section list"
    for section in sections:
        assert section in CHANGE_TYPES
    for line in body:
        assert not line or line.startswith(("#", "- ")), f"one line per entry: {line!r}"


def test_readme_links_the_changelog_and_the_licence() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "(CHANGELOG.md)" in readme
    assert "(LICENSE)" in readme


def test_mypy_checks_every_distribution_and_is_strict_on_each_public_surface() -> None:
    assert set(MYPY["files"]) >= {f"{member}/src" for member in MEMBERS}
    strict = next(o for o in MYPY["overrides"] if o.get("disallow_untyped_defs"))
    expected = {"sindri_core.api", "sindri_core.plugin"} | {
        f"{member}.{module}"
        for member in MEMBERS
        if member.startswith("sindri_providers_")
        for module in ("plugin", "settings")
    }
    assert set(strict["module"]) == expected


def test_the_strict_override_is_strict_there_and_only_there(tmp_path: Path) -> None:
    """A per-module ``strict = true`` would switch strict mode on for every module; the spelled-out
    flags must bite in a listed module and leave an unlisted one in the default mode."""
    package = tmp_path / "sindri_core"
    package.mkdir()
    (package / "__init__.py").write_text("")
    untyped = "def f(x):\n    return x\n"
    (package / "plugin.py").write_text(untyped)
    (package / "other.py").write_text(untyped)
    errors, output = mypy_errors(
        "--config-file", str(ROOT / "pyproject.toml"), "sindri_core", cwd=tmp_path
    )
    assert errors == [
        "sindri_core/plugin.py:1: error: Function is missing a type annotation  [no-untyped-def]"
    ], output


def test_sindri_core_has_an_extra_per_provider_and_all() -> None:
    # `pip install "sindri-core[fly]"`, `"sindri-core[all]"` (ADR 0019).
    from sindri_core.provider import FIRST_PARTY

    core = tomllib.loads((ROOT / "sindri_core" / "pyproject.toml").read_text())
    extras = core["project"]["optional-dependencies"]
    distributions = sorted(set(FIRST_PARTY.values()))
    version = core["project"]["version"]
    major, minor = version.split(".")[:2]
    for distribution in distributions:
        extra = distribution.removeprefix("sindri-providers-")
        assert extras[extra] == [f"{distribution}>={major}.{minor},<{int(major) + 1}"]
        folder = ROOT / distribution.replace("-", "_")
        member = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
        assert (member["name"], member["version"]) == (distribution, version)
    assert sorted(extras["all"]) == sorted(
        f"{d}>={major}.{minor},<{int(major) + 1}" for d in distributions
    )
    assert set(extras) == {d.removeprefix("sindri-providers-") for d in distributions} | {"all"}
