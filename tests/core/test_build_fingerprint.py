""".dockerignore semantics (moby's ignorefile + patternmatcher) and the build fingerprint."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from sindri_core.build.dockerignore import IgnoreRules, read_patterns
from sindri_core.build.fingerprint import context_digest, fingerprint
from sindri_core.errors import ConfigError

ARGS = {"DISTRO": "ubuntu", "SINDRI_VERSION": "3.2.0"}


# -- .dockerignore ------------------------------------------------------------------------------


def test_dockerignore_lines_are_normalised_as_docker_reads_them():
    text = "\ufeff# comment\n  \n/abs/path\n ! keep/../kept.txt \nsub/./dir/\n #not-a-comment\n"

    assert read_patterns(text) == ["abs/path", "!kept.txt", "sub/dir", "#not-a-comment"]


@pytest.mark.parametrize(
    ("patterns", "path", "ignored"),
    [
        (["*.md"], "README.md", True),
        (["*.md"], "docs/guide.md", False),  # `*` never crosses `/`
        (["**/*.md"], "docs/deep/guide.md", True),
        (["**/*.md"], "README.md", True),  # `**/` also matches no directory
        (["docs"], "docs/a/b.txt", True),  # a matched parent excludes everything below
        (["docs/*"], "docs", False),
        (["docs/*"], "docs/x/y", True),
        (["a?c"], "abc", True),
        (["a?c"], "a/c", False),
        (["[ab].txt"], "b.txt", True),
        (["[ab].txt"], "c.txt", False),
        (["**"], "any/thing", True),
        (["build**"], "build-cache/x", True),  # a trailing ** is a prefix match
        (["*", "!keep.txt"], "keep.txt", False),
        (["*", "!keep.txt"], "other.txt", True),
        (["x", "!x", "x"], "x", True),  # the last matching pattern wins
        (["file.(1)+$"], "file.(1)+$", True),  # regex characters are literal
        (["foo\\*"], "foo*", True),  # a backslash escapes
        (["foo\\*"], "foobar", False),
    ],
)
def test_patterns_match_as_docker_matches_them(patterns, path, ignored):
    assert IgnoreRules(patterns).ignored(path) is ignored


def test_an_excluded_directory_is_only_entered_for_an_exception_below_it():
    rules = IgnoreRules(["node_modules", "vendor", "!node_modules/keep"])

    assert rules.may_descend("node_modules") and not rules.may_descend("vendor")


@pytest.mark.parametrize("pattern", ["[", "!"])
def test_invalid_patterns_are_config_errors_naming_the_file(tmp_path, pattern):
    (tmp_path / ".dockerignore").write_text(f"{pattern}\n")

    with pytest.raises(ConfigError) as failure:
        IgnoreRules.for_context(tmp_path)

    assert ".dockerignore" in str(failure.value) and failure.value.exit_code == 2


# -- the fingerprint ----------------------------------------------------------------------------


@pytest.fixture
def context(tmp_path: Path) -> Path:
    root = tmp_path / "ctx"
    (root / "src").mkdir(parents=True)
    (root / "Dockerfile").write_text("FROM scratch\nCOPY src /src\n")
    (root / "src" / "app.sh").write_text("echo hi\n")
    (root / "notes.log").write_text("debug output\n")
    (root / "cache").mkdir()
    (root / "cache" / "blob").write_text("big\n")
    (root / ".dockerignore").write_text("*.log\ncache\n")
    return root


def _fp(root: Path, args: dict[str, str] = ARGS) -> str:
    return fingerprint(root, root / "Dockerfile", args)


def _changed(context: Path, change) -> bool:  # type: ignore[no-untyped-def]
    before = _fp(context)
    change(context)
    return _fp(context) != before


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda c: (c / "Dockerfile").write_text("FROM scratch\n"), id="dockerfile"),
        pytest.param(lambda c: (c / "src" / "app.sh").write_text("echo bye\n"), id="used-file"),
        pytest.param(lambda c: (c / "src" / "new.txt").write_text("x"), id="new-file"),
        pytest.param(lambda c: (c / "src" / "app.sh").chmod(0o755), id="file-mode"),
        pytest.param(
            lambda c: (c / "src" / "app.sh").rename(c / "src" / "run.sh"), id="renamed-file"
        ),
        pytest.param(lambda c: (c / "src" / "empty").mkdir(), id="empty-directory"),
        pytest.param(lambda c: (c / "src" / "link").symlink_to("app.sh"), id="symlink"),
        pytest.param(
            lambda c: (c / ".dockerignore").write_text("*.log\ncache\n!notes.log\n"),
            id="dockerignore",
        ),
    ],
)
def test_the_fingerprint_changes_with_what_the_build_can_see(context, change):
    assert _changed(context, change)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda c: (c / "notes.log").write_text("other\n"), id="ignored-file"),
        pytest.param(lambda c: (c / "more.log").write_text("x"), id="new-ignored-file"),
        pytest.param(lambda c: (c / "cache" / "blob").write_text("x"), id="in-ignored-dir"),
        pytest.param(lambda c: os.utime(c / "src" / "app.sh", (1, 1)), id="mtime"),
        pytest.param(
            lambda c: (c / ".sindri" / "docker").mkdir(parents=True), id="sindri-output-dir"
        ),
    ],
)
def test_the_fingerprint_ignores_what_the_build_cannot_see(context, change):
    assert not _changed(context, change)


def test_the_fingerprint_changes_with_a_build_argument(context):
    assert _fp(context) != _fp(context, {**ARGS, "DISTRO": "fedora"})
    assert _fp(context) != _fp(context, {**ARGS, "EXTRA": "1"})
    assert _fp(context) == _fp(context, dict(reversed(ARGS.items())))  # order is irrelevant


def test_a_symlink_is_hashed_as_its_target_text_and_not_followed(context, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("one\n")
    (context / "src" / "link").symlink_to(outside)
    linked = _fp(context)

    outside.write_text("two\n")
    unchanged = _fp(context)
    (context / "src" / "link").unlink()
    (context / "src" / "link").symlink_to(tmp_path / "elsewhere.txt")

    assert unchanged == linked and _fp(context) != linked


def test_an_exception_under_an_ignored_directory_is_included(context):
    (context / ".dockerignore").write_text("cache\n!cache/keep\n")
    (context / "cache" / "keep").write_text("kept\n")
    before = _fp(context)

    (context / "cache" / "keep").write_text("changed\n")
    after_kept = _fp(context)
    (context / "cache" / "blob").write_text("changed\n")

    assert after_kept != before and _fp(context) == after_kept


def test_the_dockerfile_counts_even_when_dockerignore_lists_it(context):
    (context / ".dockerignore").write_text("Dockerfile\n.dockerignore\n")
    before = _fp(context)
    (context / "Dockerfile").write_text("FROM scratch\n# changed\n")

    assert _fp(context) != before


def test_identical_contexts_have_identical_fingerprints(context, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(context, copy, symlinks=True)

    assert _fp(copy) == _fp(context)
    assert context_digest(copy, copy / "Dockerfile") == context_digest(
        context, context / "Dockerfile"
    )
    assert len(_fp(context)) == 64


# -- against the real Docker engine -------------------------------------------------------------

DOCKERIGNORE = """\
# build output
*.md
!IMPORTANT.md
**/*.txt
/abs.log
node_modules
!node_modules/keep
docs/**/secret*
a?c
"""
FILES = [
    "README.md",
    "IMPORTANT.md",
    "sub/guide.md",
    "notes.txt",
    "sub/deep/notes.txt",
    "abs.log",
    "sub/abs.log",
    "node_modules/drop/x.js",
    "node_modules/keep/k.js",
    "docs/secret.key",
    "docs/a/b/secret-2.key",
    "docs/public.key",
    "abc",
    "abcd",
    "app/main.py",
]


def _docker_sees(context: Path, tag: str) -> set[str]:
    """The files ``COPY . /ctx/`` copies, read back from the image."""

    def run(*argv: str) -> str:
        return subprocess.run(argv, check=True, capture_output=True, text=True).stdout.strip()

    run("docker", "build", "--quiet", "--tag", tag, str(context))
    container = run("docker", "create", tag, "none")
    try:
        export = subprocess.run(
            ["docker", "export", container], check=True, capture_output=True
        ).stdout
    finally:
        run("docker", "rm", container)
        run("docker", "rmi", "--force", tag)
    with tarfile.open(fileobj=io.BytesIO(export)) as tar:
        return {m.name.removeprefix("ctx/") for m in tar.getmembers() if m.name.startswith("ctx/")}


@pytest.mark.docker
@pytest.mark.skipif(shutil.which("docker") is None, reason="needs the docker CLI and engine")
def test_the_fingerprint_covers_exactly_the_files_docker_build_sends(tmp_path):
    context = tmp_path / "ctx"
    for name in FILES:
        (context / name).parent.mkdir(parents=True, exist_ok=True)
        (context / name).write_text(f"{name}\n")
    (context / "Dockerfile").write_text("FROM scratch\nCOPY . /ctx/\n")
    (context / ".dockerignore").write_text(DOCKERIGNORE)

    seen = _docker_sees(context, f"sindri-test-ignore:{tmp_path.name.lower()}")

    assert "app/main.py" in seen and "README.md" not in seen  # the probe itself works
    counted = set()
    for name in FILES:
        before = _fp(context)
        (context / name).write_text("changed\n")
        if _fp(context) != before:
            counted.add(name)
    assert counted == {name for name in FILES if name in seen}
