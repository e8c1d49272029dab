"""The repository stands on its own: what its docs and docstrings cite is in it, and the tests
that need files from outside it say so (tests/support/required.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.required import REPOSITORY, required_file

SKIPPED_DIRS = {".venv", ".git", "__pycache__", ".ruff_cache", ".pytest_cache", ".hypothesis"}
TEXT_SUFFIXES = {".py", ".md", ".toml", ".txt", ".yaml", ".yml", ".cfg", ""}


def _text_files() -> list[Path]:
    files = []
    for path in REPOSITORY.rglob("*"):
        relative = path.relative_to(REPOSITORY)
        if SKIPPED_DIRS & set(relative.parts) or not path.is_file():
            continue
        if path.suffix in TEXT_SUFFIXES and (path.suffix or relative.parts[0] in {"scripts"}):
            files.append(path)
    return files


# Material only the project's authors have: a reader of the repository cannot open it.
OUTSIDE = re.compile(r"SPEC §|SPEC\.md|peers\.md|shared/reference|reference implementation")


def test_docs_and_docstrings_cite_nothing_outside_the_repository() -> None:
    found = [
        f"{path.relative_to(REPOSITORY)}:{number}: {line.strip()}"
        for path in _text_files()
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert found == []


ADR_FILE = re.compile(r"(?:docs/)?adr/(\d{4}-[a-z0-9-]+\.md)")


def test_every_cited_adr_file_exists() -> None:
    adrs = REPOSITORY / "docs" / "adr"
    cited = {
        (path.relative_to(REPOSITORY), name)
        for path in _text_files()
        for name in ADR_FILE.findall(path.read_text(encoding="utf-8"))
    }
    assert cited, "the repository cites its ADRs by file"
    assert [(str(p), n) for p, n in sorted(cited) if not (adrs / n).is_file()] == []


def test_only_the_support_module_reaches_for_the_shared_material() -> None:
    reaching = [
        str(path.relative_to(REPOSITORY))
        for path in (REPOSITORY / "tests").rglob("*.py")
        if re.search(r"""/\s*["']shared["']|\.\./shared""", path.read_text(encoding="utf-8"))
        and path.name != "required.py"
    ]
    assert reaching == []


def test_a_missing_required_file_skips_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"needs the schema at .*missing\.json"):
        required_file(tmp_path / "missing.json", "the schema")


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_a_missing_required_file_fails_under_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="CI requires it"):
        required_file(tmp_path / "missing.json", "the schema")
    (tmp_path / "present.json").write_text("{}")
    assert required_file(tmp_path / "present.json", "the schema") == tmp_path / "present.json"


def test_ci_sets_ci() -> None:
    assert "export CI=true" in (REPOSITORY / ".ci" / "run").read_text()
