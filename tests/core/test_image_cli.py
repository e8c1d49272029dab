"""``sindri image resolve`` and ``sindri image versions`` against a real registry."""

from __future__ import annotations

import base64
import json
import logging
import os
from pathlib import Path

import pytest

from tests.support.registry import Fault

pytestmark = pytest.mark.registry

TAGS = ["1.0.0", "3.0.0", "3.1.0", "v3.1.5", "3.2.0", "3.3.0-rc.1", "3.1.4-fedora",
        "3.2.0-fedora", "latest", "sha256-" + "e" * 64 + ".sig"]  # fmt: skip


@pytest.fixture(scope="module")
def published(registry):
    repo = registry.unique_repo("cli")
    digests = {tag: registry.push_image(repo, [tag], variant=tag) for tag in TAGS}
    return f"{registry.host}/{repo}", digests


@pytest.fixture
def project(write_config):
    """``project(registry, distro="ubuntu", **image_config)`` writes sindri.yaml; returns
    its directory."""

    def make(registry: str | None, distro: str = "ubuntu", **fields: object) -> Path:
        lines = ["version: '3.0'", "name: demo", "deployment:", "  provider: docker",
                 f"  distro: {distro}"]  # fmt: skip
        if registry is None:
            lines.append("  image: ghcr.io/acme/dev:1.0")
        else:
            lines += ["  image_config:", f"    registry: {registry}"]
            lines += [f"    {key}: {json.dumps(value)}" for key, value in fields.items()]
        return write_config("\n".join(lines) + "\n").parent

    return make


def assert_one_line_error(result, code: int = 1) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


# -- image resolve ------------------------------------------------------------------------------


def test_resolve_json_is_pinned(sindri_cli, project, published) -> None:
    registry, digests = published
    result = sindri_cli("image", "resolve", "--json", cwd=project(registry, version="^3.1"))
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["reference"] == f"{registry}:3.2.0@{digests['3.2.0']}"
    assert (data["source"], data["tag"], data["digest"], data["constraint"]) == (
        "version",
        "3.2.0",
        digests["3.2.0"],
        "^3.1",
    )
    assert data["reason"] == f"highest tag matching ^3.1 among {len(TAGS)} tags"


def test_resolve_explain(sindri_cli, project, published) -> None:
    registry, digests = published
    result = sindri_cli(
        "image", "resolve", "--explain", cwd=project(registry, distro="fedora", version="^3")
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{registry}:3.2.0-fedora@{digests['3.2.0-fedora']}"
    assert "  source: version" in lines
    assert "  note: distro fedora: 8 tags without -fedora skipped" in lines


def test_resolve_refresh_reaches_the_cache(sindri_cli, project, registry, faulty_proxy) -> None:
    repo = registry.unique_repo()
    registry.push_image(repo, ["1.0.0", "1.1.0"])
    proxy = faulty_proxy(registry)
    directory = project(f"{proxy.host}/{repo}", version="^1")
    for args, tag_requests in ([(), 1], [(), 1], [("--refresh",), 2]):
        result = sindri_cli("image", "resolve", "--json", *args, cwd=directory)
        assert result.json()["tag"] == "1.1.0"
        assert proxy.log.count("tags") == tag_requests


def test_plan_refresh_sees_a_tag_pushed_since_the_last_listing(
    sindri_cli, project, registry
) -> None:
    # deploy --refresh sees a new tag at once; plan must be able to agree with it.
    repo = registry.unique_repo()
    registry.push_image(repo, ["1.0.0"])
    directory = project(f"{registry.host}/{repo}", version="^1")
    assert sindri_cli("plan", "--json", cwd=directory).json()["image"]["tag"] == "1.0.0"
    registry.push_image(repo, ["1.1.0"], variant="new")
    assert sindri_cli("plan", "--json", cwd=directory).json()["image"]["tag"] == "1.0.0"
    refreshed = sindri_cli("plan", "--refresh", "--json", cwd=directory)
    assert refreshed.json()["image"]["tag"] == "1.1.0"


@pytest.mark.parametrize(
    ("fault", "ending"),
    [
        (Fault.status(503), "503 Service Unavailable (after 4 attempts)"),
        (Fault.status(404), "404 Not Found (INJECTED)"),
        (Fault.stall(30), "no answer within 1s (after 4 attempts)"),
        (Fault.reset(), "connection reset (after 4 attempts)"),
    ],
)
def test_registry_failures_are_one_line_exit_1(
    sindri_cli, project, registry, faulty_proxy, monkeypatch, fault, ending
) -> None:
    monkeypatch.setenv("SINDRI_REGISTRY_TIMEOUT", "1")
    repo = registry.unique_repo()
    registry.push_image(repo, ["1.0.0"])
    proxy = faulty_proxy(registry)
    proxy.inject_always("tags", fault)
    result = sindri_cli("image", "resolve", cwd=project(f"{proxy.host}/{repo}", version="^1"))
    line = assert_one_line_error(result)
    assert line == f"error: registry {proxy.host}: GET /v2/{repo}/tags/list failed: {ending}"


def test_unknown_repository(sindri_cli, project, registry) -> None:
    repo = registry.unique_repo()
    result = sindri_cli("image", "resolve", cwd=project(f"{registry.host}/{repo}", version="^1"))
    assert assert_one_line_error(result).endswith(f"(repository {repo} not found)")


def test_invalid_registry_is_exit_2(sindri_cli, project) -> None:
    result = sindri_cli("image", "resolve", cwd=project("ghcr.io/Acme/dev", version="^1"))
    line = assert_one_line_error(result, code=2)
    assert "deployment.image_config.registry: invalid image reference 'ghcr.io/Acme/dev'" in line


# -- credentials never leak ------------------------------------------------------------------------


def docker_login(host: str, user: str, password: str) -> None:
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    path = Path(os.environ["DOCKER_CONFIG"]) / "config.json"
    path.write_text(json.dumps({"auths": {host: {"auth": auth}}}))


@pytest.mark.parametrize("good", [True, False], ids=["accepted", "rejected"])
def test_credentials_never_in_output_or_logs(
    sindri_cli, project, auth_registry, caplog, good: bool
) -> None:
    repo = auth_registry.unique_repo()
    auth_registry.push_image(repo, ["1.0.0"])
    password = auth_registry.password if good else "Wr0ng-" + auth_registry.password
    docker_login(auth_registry.host, auth_registry.username, password)
    caplog.set_level(logging.DEBUG)
    directory = project(f"{auth_registry.host}/{repo}", version="^1")
    outputs = []
    for args in (("image", "resolve", "--json"), ("-v", "image", "resolve", "--explain"),
                 ("image", "versions", "--json")):  # fmt: skip
        result = sindri_cli(*args, cwd=directory)
        assert result.exit_code == (0 if good else 1), result.stderr
        outputs += [result.stdout, result.stderr]
    if not good:
        assert "were not accepted" in outputs[1]
    encoded = base64.b64encode(f"{auth_registry.username}:{password}".encode()).decode()
    for secret in (password, auth_registry.password, encoded):
        for text in [*outputs, caplog.text]:
            assert secret not in text


# -- image versions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("distro", "fields", "args", "expected"),
    [
        ("ubuntu", {"version": "^3.1"}, [], ["3.2.0", "v3.1.5", "3.1.0"]),
        ("ubuntu", {}, [], ["3.2.0", "v3.1.5", "3.1.0", "3.0.0", "1.0.0"]),
        ("ubuntu", {"version": "^3.1"}, ["--constraint", "~3.0 || 1"], ["3.0.0", "1.0.0"]),
        ("ubuntu", {"allow_prerelease": True}, ["--constraint", "^3.1"],
         ["3.3.0-rc.1", "3.2.0", "v3.1.5", "3.1.0"]),
        ("fedora", {}, [], ["3.2.0-fedora", "3.1.4-fedora"]),
        ("fedora", {}, ["--constraint", "~3.1"], ["3.1.4-fedora"]),
    ],
)  # fmt: skip
def test_versions(sindri_cli, project, published, distro, fields, args, expected) -> None:
    registry, _ = published
    directory = project(registry, distro=distro, **fields)
    text = sindri_cli("image", "versions", *args, cwd=directory)
    assert text.exit_code == 0, text.stderr
    assert text.stdout.splitlines() == expected
    data = sindri_cli("image", "versions", "--json", *args, cwd=directory).json()
    assert data["tags"] == expected
    assert (data["registry"], data["distro"], data["listed"]) == (registry, distro, len(TAGS))


def test_versions_without_matches(sindri_cli, project, published) -> None:
    registry, _ = published
    result = sindri_cli("image", "versions", "--constraint", "^9", cwd=project(registry))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert f"no tag of {registry} matches ^9 ({len(TAGS)} tags listed)" in result.stderr


def test_versions_bad_constraint_is_exit_2(sindri_cli, project, published) -> None:
    registry, _ = published
    result = sindri_cli("image", "versions", "--constraint", "^^3", cwd=project(registry))
    assert assert_one_line_error(result, code=2).startswith("error: --constraint: ")


def test_versions_needs_image_config(sindri_cli, project) -> None:
    result = sindri_cli("image", "versions", cwd=project(None))
    assert "has no image_config" in assert_one_line_error(result, code=2)


def test_versions_refresh(sindri_cli, project, registry, faulty_proxy) -> None:
    repo = registry.unique_repo()
    digest = registry.push_image(repo, ["1.0.0"])
    proxy = faulty_proxy(registry)
    directory = project(f"{proxy.host}/{repo}")
    assert sindri_cli("image", "versions", cwd=directory).stdout.splitlines() == ["1.0.0"]
    registry.tag(repo, digest, ["1.1.0"])
    assert sindri_cli("image", "versions", cwd=directory).stdout.splitlines() == ["1.0.0"]
    refreshed = sindri_cli("image", "versions", "--refresh", cwd=directory)
    assert refreshed.stdout.splitlines() == ["1.1.0", "1.0.0"]
    assert proxy.log.count("tags") == 2
