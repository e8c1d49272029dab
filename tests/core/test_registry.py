"""The registry client against a real registry (Debian docker-registry on loopback), with
Basic and Bearer auth, behind a fault-injecting proxy for pagination, retries and timeouts."""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
from pathlib import Path

import pytest
import requests

from sindri_core.errors import RegistryError, UsageError
from sindri_core.image import registry as registry_module
from sindri_core.image.credentials import Credentials
from sindri_core.image.registry import (
    Challenge,
    RegistryClient,
    RetryPolicy,
    Timeouts,
    is_plain_http,
    parse_challenges,
    parse_retry_after,
)
from tests.support.registry import Fault

pytestmark = pytest.mark.registry

FAST = RetryPolicy(attempts=4, total=20.0, backoff=0.05, max_wait=0.2, retry_after_cap=5.0)
SHORT = Timeouts(connect=2.0, read=1.0)


def client(host: str, **kwargs) -> RegistryClient:
    kwargs.setdefault("policy", FAST)
    kwargs.setdefault("timeouts", SHORT)
    return RegistryClient(host, **kwargs)


def login(registry_host: str, username: str, password: str) -> None:
    auth = base64.b64encode(f"{username}:{password}".encode()).decode()
    path = Path(os.environ["DOCKER_CONFIG"]) / "config.json"
    path.write_text(json.dumps({"auths": {registry_host: {"auth": auth}}}))


# -- tags and digests on an open registry --------------------------------------------------------


def test_list_tags_returns_every_tag(registry) -> None:
    repo = registry.unique_repo()
    digest = registry.push_image(repo, ["latest", "1.0.0"])
    registry.tag(repo, digest, ["2.0.0-beta.1", "v3.0.0", "1.2.3", "sha256-abc.sig"])
    tags = client(registry.host).list_tags(repo)
    assert sorted(tags) == sorted(
        ["latest", "1.0.0", "2.0.0-beta.1", "v3.0.0", "1.2.3", "sha256-abc.sig"]
    )


@pytest.mark.parametrize("media_type", ["oci", "docker"])
def test_manifest_digest_for_each_manifest_type(registry, media_type: str) -> None:
    repo = registry.unique_repo()
    digest = registry.push_image(repo, ["1.0.0"], media_type=media_type)
    # Without the right Accept header distribution answers 404 (OCI) or a converted schema1
    # manifest with another digest (Docker): equality proves the header.
    assert client(registry.host).manifest_digest(repo, "1.0.0") == digest


@pytest.mark.parametrize("media_type", ["oci", "docker"])
def test_multi_platform_image_pins_the_index(registry, media_type: str) -> None:
    repo = registry.unique_repo()
    amd = registry.push_image(repo, ["amd"], media_type=media_type, variant="amd64")
    arm = registry.push_image(repo, ["arm"], media_type=media_type, variant="arm64")
    index = registry.push_index(repo, ["3.0.0"], [amd, arm], media_type=media_type)
    assert client(registry.host).manifest_digest(repo, "3.0.0") == index


def test_missing_digest_header_falls_back_to_hashing_the_manifest(registry, faulty_proxy):
    repo = registry.unique_repo()
    digest = registry.push_image(repo, ["1.0.0"])
    proxy = faulty_proxy(registry)
    proxy.inject("manifest", Fault.drop_headers("Docker-Content-Digest"))
    assert client(proxy.host).manifest_digest(repo, "1.0.0") == digest
    assert [(e.method, e.fault) for e in proxy.log.entries if e.kind == "manifest"] == [
        ("HEAD", "drop-headers"),
        ("GET", None),
    ]


def test_deleted_repository_has_null_tags(registry) -> None:
    repo = registry.unique_repo()
    registry.push_image(repo, ["only"])
    registry.delete(repo, "only")
    assert client(registry.host).list_tags(repo) == []


def test_unknown_repository_and_tag(registry) -> None:
    repo = registry.unique_repo()
    with pytest.raises(RegistryError) as caught:
        client(registry.host).list_tags(repo)
    message = str(caught.value)
    assert message == (
        f"registry {registry.host}: GET /v2/{repo}/tags/list failed: 404 Not Found "
        f"(repository {repo} not found)"
    )
    registry.push_image(repo, ["1.0.0"])
    with pytest.raises(RegistryError, match=r"HEAD .*/manifests/9\.9\.9 failed: 404") as caught:
        client(registry.host).manifest_digest(repo, "9.9.9")
    assert "'9.9.9'" in str(caught.value)


def test_unreachable_registry_is_one_line() -> None:
    host = closed_port()
    with pytest.raises(RegistryError) as caught:
        client(host).list_tags("x/y")
    message = str(caught.value)
    assert message == f"registry {host}: GET /v2/ failed: connection refused (after 4 attempts)"


def closed_port() -> str:
    """A loopback ``host:port`` nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


# -- pagination -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many_tags(registry):
    """A repository with 2,500 semver tags (and ``latest``)."""
    repo = registry.unique_repo("many")
    digest = registry.push_image(repo, ["latest"])
    tags = [f"{major}.{minor}.{patch}" for major in range(5) for minor in range(25)
            for patch in range(20)]  # fmt: skip
    registry.tag(repo, digest, tags)
    return repo, {"latest", *tags}


@pytest.mark.parametrize("absolute", [False, True], ids=["relative", "absolute"])
def test_link_pagination(registry, faulty_proxy, many_tags, absolute: bool) -> None:
    repo, expected = many_tags
    proxy = faulty_proxy(registry)
    proxy.paginate_tags(1000, absolute=absolute)
    tags = client(proxy.host).list_tags(repo)
    assert len(tags) == len(expected) == 2501
    assert set(tags) == expected
    pages = [e for e in proxy.log.entries if e.kind == "tags"]
    assert len(pages) == 3
    assert all("n=1000" in e.path for e in pages)
    assert "last=" not in pages[0].path and "last=" in pages[1].path


def test_page_cap(registry, faulty_proxy, many_tags, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, _ = many_tags
    proxy = faulty_proxy(registry)
    proxy.paginate_tags(1000)
    monkeypatch.setattr(registry_module, "MAX_PAGES", 2)
    with pytest.raises(RegistryError, match="has more than 2 pages; stopped"):
        client(proxy.host).list_tags(repo)
    assert proxy.log.count("tags") == 2


def test_next_link_to_another_host_is_refused() -> None:
    response = requests.Response()
    response.headers["Link"] = '<https://elsewhere.example/v2/x/tags/list?last=a>; rel="next"'
    with pytest.raises(RegistryError, match=r"another host \(elsewhere\.example\); refused"):
        RegistryClient("ghcr.io")._next_link(response, "https://ghcr.io/v2/x/tags/list?n=1000")


# -- retries and faults -----------------------------------------------------------------------

RECOVERABLE = {
    "429 Retry-After seconds": [Fault.status(429, retry_after="1")],
    "429 Retry-After date": [Fault.status(429, retry_after_in=1.5)],
    "408": [Fault.status(408)],
    "500/503 burst": [Fault.status(500), Fault.status(503), Fault.status(502)],
    "reset": [Fault.reset()],
    "truncated JSON": [Fault.truncate()],
    "short body": [Fault.truncate(0.3, honest_length=False)],
    "stall": [Fault.stall(30)],
}


@pytest.mark.parametrize("name", list(RECOVERABLE))
def test_client_recovers_from_transient_faults(registry, faulty_proxy, name: str) -> None:
    repo = registry.unique_repo()
    registry.push_image(repo, ["1.0.0", "2.0.0"])
    proxy = faulty_proxy(registry)
    proxy.inject("tags", *RECOVERABLE[name])
    assert sorted(client(proxy.host).list_tags(repo)) == ["1.0.0", "2.0.0"]
    kinds = [e.fault for e in proxy.log.entries if e.kind == "tags"]
    assert kinds == [f.name for f in RECOVERABLE[name]] + [None]


def test_retry_after_date_is_waited_for(registry, faulty_proxy) -> None:
    """The retry after an HTTP-date Retry-After is not sent before that date (to the second)."""
    import email.utils
    import time

    repo = registry.unique_repo()
    registry.push_image(repo, ["1.0.0"])
    proxy = faulty_proxy(registry)
    proxy.inject("manifest", Fault.status(429, retry_after_in=2))
    started = time.time()
    client(proxy.host).manifest_digest(repo, "1.0.0")
    # The date has one-second resolution; the client must not have retried before it.
    header_floor = email.utils.parsedate_to_datetime(
        email.utils.formatdate(started + 2, usegmt=True)
    ).timestamp()
    assert time.time() >= header_floor - 1


PERSISTENT = {
    "503": (Fault.status(503), "503 Service Unavailable (after 4 attempts)"),
    "reset": (Fault.reset(), "connection reset (after 4 attempts)"),
    "truncated JSON": (Fault.truncate(), "the tag list is not valid JSON (after 4 attempts)"),
    "stall": (Fault.stall(30), "no answer within 1s (after 4 attempts)"),
}


@pytest.mark.parametrize("name", list(PERSISTENT))
def test_persistent_faults_end_in_one_line(registry, faulty_proxy, caplog, name: str) -> None:
    fault, ending = PERSISTENT[name]
    repo = registry.unique_repo()
    registry.push_image(repo, ["1.0.0"])
    proxy = faulty_proxy(registry)
    proxy.inject_always("tags", fault)
    with pytest.raises(RegistryError) as caught:
        client(proxy.host).list_tags(repo)
    assert str(caught.value) == (
        f"registry {proxy.host}: GET /v2/{repo}/tags/list failed: {ending}"
    )
    assert proxy.log.count("tags") == FAST.attempts


def test_retries_are_bounded_in_total_time(registry, faulty_proxy) -> None:
    repo = registry.unique_repo()
    registry.push_image(repo, ["1.0.0"])
    proxy = faulty_proxy(registry)
    proxy.inject_always("tags", Fault.status(503))
    policy = RetryPolicy(attempts=100, total=1.0, backoff=0.3, max_wait=0.3)
    with pytest.raises(RegistryError, match="503"):
        client(proxy.host, policy=policy).list_tags(repo)
    # 1 s of budget with 0.3 s waits allows only a handful of the 100 attempts.
    assert 2 <= proxy.log.count("tags") <= 6


def test_long_retry_after_fails_at_once(registry, faulty_proxy) -> None:
    repo = registry.unique_repo()
    registry.push_image(repo, ["1.0.0"])
    proxy = faulty_proxy(registry)
    proxy.inject_always("tags", Fault.status(429, retry_after="3600"))
    with pytest.raises(RegistryError) as caught:
        client(proxy.host).list_tags(repo)
    assert str(caught.value).endswith("failed: 429 Too Many Requests (retry after 3600s)")
    assert proxy.log.count("tags") == 1


def test_ping_is_retried_too(registry, faulty_proxy) -> None:
    repo = registry.unique_repo()
    registry.push_image(repo, ["1.0.0"])
    proxy = faulty_proxy(registry)
    proxy.inject("ping", Fault.status(503), Fault.reset())
    assert client(proxy.host).list_tags(repo) == ["1.0.0"]
    assert proxy.log.count("ping") == 3


# -- Basic auth ----------------------------------------------------------------------------------


def test_basic_auth_with_docker_login(auth_registry, caplog) -> None:
    repo = auth_registry.unique_repo()
    digest = auth_registry.push_image(repo, ["1.0.0"])
    login(auth_registry.host, auth_registry.username, auth_registry.password)
    caplog.set_level(logging.DEBUG)
    registry_client = client(auth_registry.host)
    assert registry_client.list_tags(repo) == ["1.0.0"]
    assert registry_client.manifest_digest(repo, "1.0.0") == digest
    assert auth_registry.password not in caplog.text
    assert auth_registry.password not in repr(registry_client)


def test_basic_auth_without_credentials(auth_registry) -> None:
    repo = auth_registry.unique_repo()
    auth_registry.push_image(repo, ["1.0.0"])
    with pytest.raises(RegistryError) as caught:
        client(auth_registry.host).list_tags(repo)
    assert str(caught.value) == (
        f"registry {auth_registry.host}: GET /v2/{repo}/tags/list failed: 401 Unauthorized "
        f"(no credentials found; run `docker login {auth_registry.host}`)"
    )


def test_basic_auth_wrong_password_never_shown(auth_registry, caplog) -> None:
    repo = auth_registry.unique_repo()
    auth_registry.push_image(repo, ["1.0.0"])
    wrong = "wrong-Pa55-" + auth_registry.password[::-1]
    login(auth_registry.host, auth_registry.username, wrong)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(RegistryError) as caught:
        client(auth_registry.host).list_tags(repo)
    message = str(caught.value)
    assert "401 Unauthorized" in message and "were not accepted" in message
    for secret in (wrong, auth_registry.password):
        assert secret not in message
        assert secret not in caplog.text
        assert secret not in repr(caught.value.__dict__)


# -- Bearer (token) auth -------------------------------------------------------------------------


def test_anonymous_token_for_public_pull(token_registry) -> None:
    repo = token_registry.unique_repo()
    digest = token_registry.push_image(repo, ["1.0.0"])
    log = token_registry.token_server.log
    before = log.count()
    registry_client = client(token_registry.host)
    assert registry_client.list_tags(repo) == ["1.0.0"]
    assert registry_client.manifest_digest(repo, "1.0.0") == digest
    new = log.entries[before:]
    assert len(new) == 1, "one token serves both requests (same scope)"
    assert new[0].authorization is None
    assert f"scope=repository%3A{repo.replace('/', '%2F')}%3Apull" in new[0].path


def test_token_with_credentials(token_registry, caplog) -> None:
    server = token_registry.token_server
    repo = token_registry.unique_repo()
    token_registry.push_image(repo, ["1.0.0"])
    server.anonymous_pull = False
    try:
        with pytest.raises(RegistryError, match=r"401 Unauthorized.*docker login"):
            client(token_registry.host).list_tags(repo)
        login(token_registry.host, token_registry.username, token_registry.password)
        caplog.set_level(logging.DEBUG)
        before = server.log.count()
        assert client(token_registry.host).list_tags(repo) == ["1.0.0"]
        assert server.log.entries[before].authorization.startswith("Basic ")
        assert token_registry.password not in caplog.text
    finally:
        server.anonymous_pull = True


def test_identity_token_is_exchanged_by_oauth2_refresh(token_registry) -> None:
    server = token_registry.token_server
    repo = token_registry.unique_repo()
    token_registry.push_image(repo, ["1.0.0"])
    path = Path(os.environ["DOCKER_CONFIG"]) / "config.json"
    path.write_text(
        json.dumps({"auths": {token_registry.host: {"identitytoken": server.refresh_token}}})
    )
    server.anonymous_pull = False
    try:
        before = server.log.count()
        assert client(token_registry.host).list_tags(repo) == ["1.0.0"]
        assert [(e.method, e.status) for e in server.log.entries[before:]] == [("POST", 200)]
    finally:
        server.anonymous_pull = True


def test_stale_credentials_fall_back_to_anonymous(token_registry) -> None:
    repo = token_registry.unique_repo()
    token_registry.push_image(repo, ["1.0.0"])
    login(token_registry.host, token_registry.username, "expired-password")
    server = token_registry.token_server
    before = server.log.count()
    assert client(token_registry.host).list_tags(repo) == ["1.0.0"]
    statuses = [(e.status, e.authorization is None) for e in server.log.entries[before:]]
    assert statuses == [(401, False), (200, True)]


def test_tokens_are_cached_for_their_lifetime(token_registry) -> None:
    server = token_registry.token_server
    repo = token_registry.unique_repo()
    token_registry.push_image(repo, ["1.0.0"])
    before = server.log.count()
    for _ in range(3):
        client(token_registry.host).list_tags(repo)
    assert server.log.count() - before == 1, "cached across clients of one process"
    server.expires_in = 5  # shorter than the renewal margin: every use needs a new token
    try:
        other = token_registry.unique_repo()
        token_registry.push_image(other, ["1.0.0"])
        before = server.log.count()
        for _ in range(2):
            client(token_registry.host).list_tags(other)
        assert server.log.count() - before == 2
    finally:
        server.expires_in = 300


def test_explicit_anonymous_client_never_sends_credentials(token_registry) -> None:
    repo = token_registry.unique_repo()
    token_registry.push_image(repo, ["1.0.0"])
    login(token_registry.host, token_registry.username, token_registry.password)
    server = token_registry.token_server
    before = server.log.count()
    client(token_registry.host, credentials=None).list_tags(repo)
    assert all(e.authorization is None for e in server.log.entries[before:])


def test_realm_on_a_plain_http_public_host_is_refused(registry, faulty_proxy) -> None:
    proxy = faulty_proxy(registry)
    challenge = 'Bearer realm="http://auth.example.com/token",service="x"'
    proxy.inject("ping", Fault.status(401, headers={"WWW-Authenticate": challenge}))
    creds = Credentials("u", "Pa55-not-sent", "test")
    with pytest.raises(RegistryError, match=r"refusing token realm http://auth\.example\.com"):
        client(proxy.host, credentials=creds).list_tags("x/y")


# -- parsing and transport ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('Basic realm="basic-realm"', [Challenge("basic", {"realm": "basic-realm"})]),
        (
            'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull"',
            [Challenge("bearer", {"realm": "https://ghcr.io/token", "service": "ghcr.io",
                                  "scope": "repository:a/b:pull"})],
        ),
        (
            'Bearer realm="https://x/token", service="x", Basic realm="y"',
            [Challenge("bearer", {"realm": "https://x/token", "service": "x"}),
             Challenge("basic", {"realm": "y"})],
        ),
        ('Bearer realm=https://x/t,error=invalid_token',
         [Challenge("bearer", {"realm": "https://x/t", "error": "invalid_token"})]),
        ('Basic realm="a \\"quoted\\" realm"', [Challenge("basic", {"realm": 'a "quoted" realm'})]),
        ("Negotiate", [Challenge("negotiate", {})]),
        ("", []),
    ],
)  # fmt: skip
def test_parse_challenges(header: str, expected: list[Challenge]) -> None:
    assert parse_challenges(header) == expected


def test_parse_retry_after() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize(
    ("host", "insecure", "plain"),
    [
        ("localhost:5000", "", True),
        ("localhost", "", True),
        ("127.0.0.1:5000", "", True),
        ("127.8.9.10", "", True),
        ("[::1]:5000", "", True),
        ("ghcr.io", "", False),
        ("10.0.0.5:5000", "", False),
        ("localhost.example.com", "", False),
        ("myreg:5000", "myreg:5000, other.example", True),
        ("other.example:8080", "myreg:5000, other.example", True),
        ("myreg:6000", "myreg:5000, other.example", False),
    ],
)
def test_plain_http_only_for_loopback_and_listed(
    host: str, insecure: str, plain: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SINDRI_INSECURE_REGISTRIES", insecure)
    assert is_plain_http(host) is plain
    expected = "http" if plain else "https"
    assert RegistryClient(host).base_url == f"{expected}://{host}"


def test_docker_hub_api_host() -> None:
    assert RegistryClient("docker.io").base_url == "https://registry-1.docker.io"


def test_timeout_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SINDRI_REGISTRY_TIMEOUT", "2.5")
    assert Timeouts.from_env() == Timeouts(connect=2.5, read=2.5)
    monkeypatch.setenv("SINDRI_REGISTRY_TIMEOUT", "60")
    assert Timeouts.from_env() == Timeouts(connect=5.0, read=60.0)
    for bad in ("soon", "0", "-1"):
        monkeypatch.setenv("SINDRI_REGISTRY_TIMEOUT", bad)
        with pytest.raises(UsageError, match=f"SINDRI_REGISTRY_TIMEOUT='{bad}'"):
            Timeouts.from_env()
