"""One validation path: what plan and deploy would reject about the configuration,
``config validate`` rejects at the value's file:line:column, exit 2 — with the same line
``plan`` prints, because both read the file through the same loader."""

from __future__ import annotations

from typing import Any

import pytest

HEAD = "version: '3.0'\nname: {name}\ndeployment:\n  provider: {provider}\n"

CASES = [
    pytest.param(
        "  image: ghcr.io/Acme/dev:1\n",
        "5:10: deployment.image: invalid image reference 'ghcr.io/Acme/dev:1': repository "
        "'Acme/dev' must be lowercase",
        id="uppercase-reference",
    ),
    pytest.param(
        "  image: ghcr.io/acme/dev@sha256:abc\n",
        "5:10: deployment.image: invalid image reference 'ghcr.io/acme/dev@sha256:abc': sha256 "
        "digest must be 64 lowercase hex characters",
        id="short-digest",
    ),
    pytest.param(
        "  image_config:\n    registry: ghcr.io/acme/dev\n    version: '^^3'\n",
        "7:14: deployment.image_config.version: invalid version range '^^3': '^^3' is not "
        "understood",
        id="range",
    ),
    pytest.param(
        "  image_config:\n    registry: ghcr.io/acme/dev:1.0\n",
        "6:15: deployment.image_config.registry: invalid image reference 'ghcr.io/acme/dev:1.0': "
        "name a repository without tag or digest",
        id="registry-with-tag",
    ),
    pytest.param(
        "  image_config:\n    registry: ghcr.io/acme/dev\n    resolution_strategy: explicit\n",
        "7:5: deployment.image_config.resolution_strategy: resolution_strategy 'explicit' needs "
        "image_config.version: the tag to use",
        id="explicit-without-version",
    ),
    pytest.param(
        "  image_config:\n    registry: ghcr.io/acme/dev\n    resolution_strategy: explicit\n"
        "    version: '^3'\n",
        "8:14: deployment.image_config.version: ",
        id="explicit-version-is-no-tag",
    ),
    pytest.param(
        "  image: a:1\n  volumes:\n    workspace:\n      path: /\n",
        "8:13: deployment.volumes.workspace.path: '/' is the whole file system",
        id="workspace-root",
    ),
    pytest.param(
        "  image: a:1\n  volumes:\n    workspace:\n      path: work\n",
        "8:13: deployment.volumes.workspace.path: 'work' is not an absolute path",
        id="workspace-relative",
    ),
    pytest.param(
        "  image: a:1\n  resources:\n    memory: 99999999999GB\n",
        "7:13: deployment.resources.memory: '99999999999GB' is out of range; allowed: 6MB to "
        "1024GB",
        id="memory",
    ),
    pytest.param(
        "  image: a:1\n  resources:\n    cpus: 100000\n",
        "7:11: deployment.resources.cpus: 100000 is too large; maximum 512",
        id="cpus",
    ),
    pytest.param(
        "  image: a:1\nsecrets:\n  - {name: K, source: file, path: k, mountPath: rel/k}\n",
        "7:49: secrets[0].mountPath: 'rel/k' is not an absolute path",
        id="relative-mount-path",
    ),
    pytest.param(
        "  image: a:1\nproviders:\n  docker:\n    ports: ['99999:22']\n",
        "8:13: providers.docker.ports[0]: '99999:22' is not a port mapping",
        id="port-range",
    ),
    pytest.param(
        "  image: a:1\nproviders:\n  docker:\n    network: host\n    ports: ['2222:22']\n",
        "9:5: providers.docker.ports: published ports need the bridge network, not 'host'",
        id="ports-with-host-network",
    ),
    pytest.param(
        '  image: a:1\nproviders:\n  docker:\n    extraHosts: ["evil:1.2.3.4\\n#x"]\n',
        "8:18: providers.docker.extraHosts[0]: 'evil:1.2.3.4\\n#x' is not a host entry",
        id="extra-hosts-newline",
    ),
]


def _write(tmp_path: Any, body: str, *, name: str = "demo", provider: str = "docker") -> None:
    (tmp_path / "sindri.yaml").write_text(HEAD.format(name=name, provider=provider) + body)


def _one_line(result: Any) -> str:
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(("body", "expected"), CASES)
def test_config_validate_rejects_what_plan_rejects_at_its_position(
    sindri_cli: Any, tmp_path: Any, body: str, expected: str
) -> None:
    _write(tmp_path, body)
    line = _one_line(sindri_cli("config", "validate", cwd=tmp_path))
    assert line.startswith(f"error: sindri.yaml:{expected}"), line
    assert _one_line(sindri_cli("plan", cwd=tmp_path)) == line


def test_a_provider_name_rule_is_checked_at_the_name(sindri_cli: Any, tmp_path: Any) -> None:
    _write(tmp_path, "  image: a:1\n", name="dev-", provider="k8s")
    line = _one_line(sindri_cli("config", "validate", cwd=tmp_path))
    assert line == (
        "error: sindri.yaml:2:7: name: 'dev-' is not a valid name for the kubernetes provider; "
        "expected a DNS label: lower-case letters, digits and '-', not ending in '-'"
    )
    _write(tmp_path, "  image: a:1\n", name="dev-", provider="docker")
    assert sindri_cli("config", "validate", cwd=tmp_path).exit_code == 0


def test_a_provider_config_rule_is_refused_at_its_field(sindri_cli: Any, tmp_path: Any) -> None:
    """ProviderInfo.config_rules (e2b's): the finding's field is located in sindri.yaml."""
    body = "  image: a:1\n  resources:\n    cpus: 3\nproviders:\n  e2b:\n"
    _write(tmp_path, body + "    blockedDomains: [192.0.2.1, '0.0.0.0']\n", provider="e2b")
    line = _one_line(sindri_cli("config", "validate", cwd=tmp_path))
    assert line.startswith("error: sindri.yaml:7:11: deployment.resources.cpus: "), line
    assert _one_line(sindri_cli("plan", cwd=tmp_path)) == line
    body = body.replace("cpus: 3", "cpus: 4")
    _write(tmp_path, body + "    blockedDomains: [192.0.2.1, '0.0.0.0']\n", provider="e2b")
    line = _one_line(sindri_cli("config", "validate", cwd=tmp_path))
    assert line.startswith("error: sindri.yaml:10:33: providers.e2b.blockedDomains[1]: "), line


def test_a_digest_makes_version_unused_and_unchecked(sindri_cli: Any, tmp_path: Any) -> None:
    _write(
        tmp_path,
        "  image_config:\n    registry: ghcr.io/acme/dev\n    digest: sha256:" + "0" * 64 + "\n"
        "    resolution_strategy: explicit\n    version: '>=3 <4'\n",
    )
    result = sindri_cli("config", "validate", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
