"""Registry credentials from the Docker config, credential helpers and GITHUB_TOKEN.

The helpers are small executables speaking the real docker-credential protocol (``get``,
server URL on stdin, JSON on stdout), put on PATH for the test.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import sys
import textwrap
from pathlib import Path

import pytest

from sindri_core.errors import RegistryError
from sindri_core.image import credentials as credentials_module
from sindri_core.image.credentials import Credentials, lookup_credentials

SECRET = "s3cr3t-Pa55word-Never-Shown"


def docker_config(data: dict) -> Path:
    path = Path(os.environ["DOCKER_CONFIG"]) / "config.json"
    path.write_text(json.dumps(data))
    return path


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``helper(name, answers)``: a ``docker-credential-<name>`` answering per server URL:
    a dict → JSON on stdout; ``"missing"`` → exit 1 "credentials not found"; ``"hang"`` →
    sleeps; ``"garbage"`` → invalid JSON containing the secret. Every call is logged."""
    bin_dir = tmp_path / "helpers"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    def make(name: str, answers: dict[str, object]) -> Path:
        log = tmp_path / f"{name}.log"
        script = bin_dir / f"docker-credential-{name}"
        script.write_text(
            textwrap.dedent(
                f"""\
                #!{sys.executable}
                import json, sys, time
                answers = {answers!r}
                server = sys.stdin.read()
                with open({str(log)!r}, "a") as log:
                    log.write(json.dumps({{"argv": sys.argv[1:], "stdin": server}}) + "\\n")
                answer = answers.get(server, "missing")
                if answer == "hang":
                    time.sleep(30)
                if answer == "missing":
                    print("credentials not found in native keychain")
                    sys.exit(1)
                if answer == "garbage":
                    print("{{not json {SECRET}")
                    sys.exit(0)
                print(json.dumps(answer))
                """
            )
        )
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        return log

    return make


def calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_no_config_is_anonymous() -> None:
    assert lookup_credentials("ghcr.io") is None


@pytest.mark.parametrize(
    ("key", "registry"),
    [
        ("https://index.docker.io/v1/", "docker.io"),
        ("index.docker.io", "docker.io"),
        ("docker.io", "docker.io"),
        ("ghcr.io", "ghcr.io"),
        ("https://ghcr.io", "ghcr.io"),
        ("http://127.0.0.1:5000/v2/", "127.0.0.1:5000"),
        ("registry.example.com:8443", "registry.example.com:8443"),
    ],
)
def test_auths_base64_under_any_key_form(key: str, registry: str) -> None:
    docker_config({"auths": {key: {"auth": b64(f"alice:{SECRET}")}}})
    found = lookup_credentials(registry)
    assert found is not None
    assert (found.username, found.password, found.identity_token) == ("alice", SECRET, False)
    assert "config.json auths" in found.source


def test_auths_of_another_registry_do_not_apply() -> None:
    docker_config({"auths": {"ghcr.io": {"auth": b64(f"alice:{SECRET}")}}})
    assert lookup_credentials("ghcr.io.evil.example") is None
    assert lookup_credentials("docker.io") is None


def test_auths_username_password_and_identity_token() -> None:
    docker_config(
        {
            "auths": {
                "ghcr.io": {"username": "bob", "password": SECRET},
                "quay.io": {"identitytoken": SECRET},
            }
        }
    )
    assert lookup_credentials("ghcr.io") == Credentials(
        "bob", SECRET, lookup_credentials("ghcr.io").source
    )
    quay = lookup_credentials("quay.io")
    assert quay is not None and quay.identity_token and quay.password == SECRET


def test_empty_auths_entry_is_anonymous() -> None:
    docker_config({"auths": {"ghcr.io": {}}})
    assert lookup_credentials("ghcr.io") is None


@pytest.mark.parametrize("auth", ["!!!not-base64", b64("no-colon-here")])
def test_broken_auths_entry_is_a_clear_error(auth: str) -> None:
    docker_config({"auths": {"ghcr.io": {"auth": auth}}})
    with pytest.raises(RegistryError, match=r"auths entry for ghcr\.io .*docker login"):
        lookup_credentials("ghcr.io")


def test_unreadable_config_is_a_clear_error() -> None:
    path = Path(os.environ["DOCKER_CONFIG"]) / "config.json"
    path.write_text("{broken")
    with pytest.raises(RegistryError, match="cannot read Docker config"):
        lookup_credentials("ghcr.io")


def test_cred_helper_gets_server_on_stdin(helper) -> None:
    log = helper("fake", {"ghcr.io": {"ServerURL": "ghcr.io", "Username": "u", "Secret": SECRET}})
    docker_config(
        {"credHelpers": {"ghcr.io": "fake"}, "auths": {"ghcr.io": {"auth": b64("other:pw")}}}
    )
    found = lookup_credentials("ghcr.io")
    assert found is not None and (found.username, found.password) == ("u", SECRET)
    assert found.source == "docker-credential-fake"
    assert calls(log) == [{"argv": ["get"], "stdin": "ghcr.io"}]


def test_creds_store_for_docker_hub_uses_index_url(helper) -> None:
    log = helper(
        "store",
        {"https://index.docker.io/v1/": {"Username": "hubuser", "Secret": SECRET}},
    )
    docker_config({"credsStore": "store", "auths": {"https://index.docker.io/v1/": {}}})
    found = lookup_credentials("docker.io")
    assert found is not None and found.username == "hubuser"
    assert calls(log)[0]["stdin"] == "https://index.docker.io/v1/"


def test_creds_store_without_entry_falls_back_to_auths(helper) -> None:
    log = helper("store", {})
    docker_config({"credsStore": "store", "auths": {"ghcr.io": {"auth": b64(f"carol:{SECRET}")}}})
    found = lookup_credentials("ghcr.io")
    assert found is not None and found.username == "carol"
    assert len(calls(log)) == 1


def test_helper_identity_token(helper) -> None:
    helper("tok", {"ghcr.io": {"Username": "<token>", "Secret": SECRET}})
    docker_config({"credHelpers": {"ghcr.io": "tok"}})
    found = lookup_credentials("ghcr.io")
    assert found is not None and found.identity_token and found.password == SECRET


def test_hanging_helper_times_out(helper, monkeypatch: pytest.MonkeyPatch) -> None:
    helper("slow", {"ghcr.io": "hang"})
    monkeypatch.setattr(credentials_module, "HELPER_TIMEOUT", 0.5)
    docker_config({"credHelpers": {"ghcr.io": "slow"}})
    with pytest.raises(RegistryError, match=r"did not finish within 0\.5s") as caught:
        lookup_credentials("ghcr.io")
    assert "docker-credential-slow" in str(caught.value)


def test_missing_helper_names_it() -> None:
    docker_config({"credsStore": "desktop"})
    with pytest.raises(RegistryError) as caught:
        lookup_credentials("ghcr.io")
    assert "docker-credential-desktop" in str(caught.value)
    assert "install docker-credential-desktop" in str(caught.value)


def test_garbled_helper_answer_never_echoes_it(helper) -> None:
    helper("garbled", {"ghcr.io": "garbage"})
    docker_config({"credHelpers": {"ghcr.io": "garbled"}})
    with pytest.raises(RegistryError, match="unreadable answer") as caught:
        lookup_credentials("ghcr.io")
    assert SECRET not in str(caught.value)


def test_github_token_only_for_ghcr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    found = lookup_credentials("ghcr.io")
    assert found is not None and found.password == SECRET and found.source == "GITHUB_TOKEN"
    assert lookup_credentials("docker.io") is None
    assert lookup_credentials("registry.example.com") is None


def test_docker_login_wins_over_github_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "gh-token-value")
    docker_config({"auths": {"ghcr.io": {"auth": b64(f"dave:{SECRET}")}}})
    found = lookup_credentials("ghcr.io")
    assert found is not None and found.username == "dave"


def test_secret_never_in_repr_or_str() -> None:
    found = Credentials("erin", SECRET, "somewhere")
    for text in (repr(found), str(found), f"{found}", repr([found])):
        assert SECRET not in text
        assert "erin" in text
