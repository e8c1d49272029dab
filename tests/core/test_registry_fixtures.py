"""The registry fixtures themselves: other tests trust them, so they are checked directly."""

from __future__ import annotations

import requests

from tests.support.registry import MANIFEST_ACCEPT, Fault


def test_push_and_tag(registry):
    repo = registry.unique_repo()
    digest = registry.push_image(repo, ["1.0.0", "latest"])
    registry.tag(repo, digest, [f"2.0.{i}" for i in range(20)])
    assert set(registry.tags(repo)) == {"1.0.0", "latest", *(f"2.0.{i}" for i in range(20))}
    assert registry.digest_of(repo, "2.0.7") == digest
    other = registry.push_image(repo, ["docker"], media_type="docker", variant="x")
    assert other != digest
    index = registry.push_index(repo, ["multi"], [digest, other])
    assert registry.digest_of(repo, "multi") == index
    registry.delete(repo, "docker")
    assert "docker" not in registry.tags(repo)


def test_auth_registries(auth_registry, token_registry):
    for reg in (auth_registry, token_registry):
        repo = reg.unique_repo()
        reg.push_image(repo, ["1.0.0"])
        assert reg.tags(repo) == ["1.0.0"]
        assert requests.get(f"{reg.url}/v2/{repo}/tags/list", timeout=5).status_code == 401
    assert token_registry.token_server.log.count("token") >= 1


def test_proxy_paginates_and_injects(registry, faulty_proxy):
    repo = registry.unique_repo()
    digest = registry.push_image(repo, ["a"])
    registry.tag(repo, digest, [f"t{i:02d}" for i in range(25)])
    proxy = faulty_proxy(registry)
    proxy.paginate_tags(10, absolute=True)
    url = f"{proxy.url}/v2/{repo}/tags/list?n=1000"
    seen = []
    while url:
        response = requests.get(url, timeout=5)
        seen += response.json()["tags"]
        url = response.links.get("next", {}).get("url")
    assert sorted(seen) == sorted(["a", *(f"t{i:02d}" for i in range(25))])
    assert proxy.log.count("tags") == 3
    proxy.inject("manifest", Fault.status(429, retry_after_in=2), Fault.reset())
    head = requests.head(
        f"{proxy.url}/v2/{repo}/manifests/a", headers={"Accept": MANIFEST_ACCEPT}, timeout=5
    )
    assert head.status_code == 429 and "GMT" in head.headers["Retry-After"]
    try:
        requests.head(f"{proxy.url}/v2/{repo}/manifests/a", timeout=5)
        raise AssertionError("expected a reset")
    except requests.ConnectionError:
        pass
    head = requests.head(
        f"{proxy.url}/v2/{repo}/manifests/a", headers={"Accept": MANIFEST_ACCEPT}, timeout=5
    )
    assert head.headers["Docker-Content-Digest"] == digest
    proxy.inject("tags", Fault.truncate())
    try:
        requests.get(f"{proxy.url}/v2/{repo}/tags/list", timeout=5).json()
        raise AssertionError("expected broken JSON")
    except ValueError:
        pass
    proxy.inject("ping", Fault.stall(30))
    try:
        requests.get(f"{proxy.url}/v2/", timeout=0.5)
        raise AssertionError("expected a timeout")
    except requests.Timeout:
        pass
