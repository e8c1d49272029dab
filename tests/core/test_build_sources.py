"""Choosing the build source (in the order of docs/IMAGE_MANAGEMENT.md)
and materialising a local Dockerfile."""

from __future__ import annotations

from pathlib import Path

import pytest

from sindri_core import __version__
from sindri_core.build.context import BuildContextRequest, SourceKind, build_tag
from sindri_core.build.fetch import fetch_build_context
from sindri_core.build.fingerprint import fingerprint
from sindri_core.build.refs import RefKind, redact_url, sindri_version_for
from sindri_core.build.sources import DEFAULT_REPOSITORY, select_source
from sindri_core.errors import ConfigError
from tests.support.fetch_driver import source_config


def _config(enabled: bool = False, ref: str | None = None, repository: str | None = None):
    return source_config(repository, ref, enabled=enabled)


def _dockerfiles(project: Path, *candidates: str) -> None:
    for candidate in candidates:
        (project / candidate).parent.mkdir(parents=True, exist_ok=True)
        (project / candidate).write_text(f"FROM scratch\n# {candidate}\n")


def test_local_dockerfiles_are_found_in_order(tmp_path):
    _dockerfiles(tmp_path, "Dockerfile", "v3/Dockerfile", "deploy/Dockerfile")
    found = []
    for candidate in ("Dockerfile", "v3/Dockerfile", "deploy/Dockerfile"):
        choice = select_source(_config(), tmp_path)
        assert choice.present and choice.source.kind is SourceKind.LOCAL
        found.append(choice.source.dockerfile)
        assert choice.source.reason == f"a local Dockerfile was found at ./{candidate}"
        (tmp_path / candidate).unlink()

    assert found == [
        tmp_path / "Dockerfile",
        tmp_path / "v3/Dockerfile",
        tmp_path / "deploy/Dockerfile",
    ]


def test_without_a_local_dockerfile_the_sindri_sources_are_used_and_the_reason_says_so(tmp_path):
    (tmp_path / "Dockerfile").mkdir()  # a directory is not a Dockerfile

    choice = select_source(_config(), tmp_path)

    assert not choice.present
    assert (choice.source.kind, choice.source.repository, choice.source.ref) == (
        SourceKind.GIT,
        DEFAULT_REPOSITORY,
        "v3",
    )
    assert choice.source.reason == (
        f"no local Dockerfile found at ./Dockerfile, ./v3/Dockerfile, ./deploy/Dockerfile "
        f"(in {tmp_path}); using the Sindri sources at {DEFAULT_REPOSITORY}@v3"
    )


def test_build_from_source_wins_over_a_local_dockerfile(tmp_path):
    _dockerfiles(tmp_path, "Dockerfile")

    enabled = select_source(_config(enabled=True, ref="v3.1.4"), tmp_path)
    flag = select_source(_config(), tmp_path, from_source=True)

    assert (enabled.source.kind, enabled.source.ref, enabled.present) == (
        SourceKind.GIT,
        "v3.1.4",
        True,
    )
    assert enabled.source.reason == "deployment.buildFromSource.enabled is true"
    assert (flag.source.kind, flag.source.reason) == (SourceKind.GIT, "--from-source")


def test_the_repository_comes_from_config_then_environment_then_default(tmp_path, monkeypatch):
    monkeypatch.setenv("SINDRI_SOURCE_REPO", "file:///srv/sindri.git")

    from_env = select_source(_config(), tmp_path).source.repository
    from_config = select_source(_config(repository="git://example.test/s.git"), tmp_path)

    assert from_env == "file:///srv/sindri.git"
    assert from_config.source.repository == "git://example.test/s.git"


@pytest.mark.parametrize("ref", ["--upload-pack=touch /tmp/x", "a..b", "has space", "x.lock"])
def test_refs_git_would_reject_or_read_as_options_are_config_errors(tmp_path, ref):
    with pytest.raises(ConfigError) as failure:
        select_source(_config(ref=ref), tmp_path)

    assert str(failure.value).startswith(f"deployment.buildFromSource.gitRef: {ref!r} is not")


def test_a_repository_that_git_would_read_as_an_option_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SINDRI_SOURCE_REPO", "--upload-pack=evil")

    with pytest.raises(ConfigError) as failure:
        select_source(_config(), tmp_path)

    assert str(failure.value).startswith("SINDRI_SOURCE_REPO: ")


def test_a_local_dockerfile_is_used_in_place(tmp_path):
    _dockerfiles(tmp_path, "deploy/Dockerfile")
    (tmp_path / "deploy" / "app.txt").write_text("app\n")
    config = _config()
    source = select_source(config, tmp_path).source

    context = fetch_build_context(BuildContextRequest(config, tmp_path, source))

    assert context.context_dir == tmp_path / "deploy"  # the Dockerfile's directory, not copied
    assert context.dockerfile == tmp_path / "deploy" / "Dockerfile"
    assert context.build_args == {"DISTRO": "ubuntu", "SINDRI_VERSION": __version__}
    assert context.fingerprint == fingerprint(
        tmp_path / "deploy", context.dockerfile, context.build_args
    )
    assert context.tag == f"sindri:{__version__}-{context.fingerprint[:12]}"
    assert context.to_json()["origin"] == {
        "kind": "local",
        "reason": "a local Dockerfile was found at ./deploy/Dockerfile",
        "path": str(tmp_path / "deploy" / "Dockerfile"),
    }


def test_sindri_version_is_the_version_tag_without_v_and_otherwise_the_cli_version():
    assert sindri_version_for("v3.1.4", RefKind.TAG, "3.2.0") == "3.1.4"
    assert sindri_version_for("3.1.4-rc.1", RefKind.TAG, "3.2.0") == "3.1.4-rc.1"
    assert sindri_version_for("v3", RefKind.TAG, "3.2.0") == "3.2.0"
    assert sindri_version_for("v3.1.4", RefKind.BRANCH, "3.2.0") == "3.2.0"
    assert sindri_version_for(None, None, "3.2.0") == "3.2.0"


def test_build_tags_are_valid_docker_tags():
    assert build_tag("SOURCE") == f"sindri:{__version__}-SOURCE"
    assert "+" not in build_tag("abc1234")


def test_urls_are_redacted_for_display():
    assert redact_url("https://user:tok@host/x.git") == "https://***@host/x.git"
    assert redact_url("https://tok@host:8443/x.git") == "https://***@host:8443/x.git"
    assert redact_url("ssh://git@host/x.git") == "ssh://git@host/x.git"
    assert redact_url("https://host/x.git") == "https://host/x.git"
