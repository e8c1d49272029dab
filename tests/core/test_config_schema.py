"""``sindri config schema``: a valid JSON Schema (draft 2020-12) that agrees with the loader —
what one accepts the other accepts, for a set of valid and invalid configurations."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from sindri_core.config.loader import parse_config
from sindri_core.errors import ConfigError
from sindri_core.plugin_host import PluginHost
from tests.core.fake_providers import InfoOnlyProvider, config_text


@pytest.fixture
def fake_schema(sindri_host: PluginHost, register_provider: Any, sindri_cli: Any) -> Any:
    """The schema printed for two fake providers: alpha (alias ``al``, GPUs) and beta."""
    register_provider(InfoOnlyProvider("alpha", aliases=("al",), gpu=True), name="alpha-plugin")
    register_provider(InfoOnlyProvider("beta", config_class=None), name="beta-plugin")
    result = sindri_cli("config", "schema")
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_schema_of_the_installed_providers_is_a_valid_json_schema(sindri_cli: Any) -> None:
    result = sindri_cli("config", "schema")
    assert result.exit_code == 0 and result.stderr == ""
    schema = result.json()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    provider = schema["properties"]["deployment"]["properties"]["provider"]
    assert set(provider["enum"]) == {
        "docker",
        "docker-compose",
        "fly",
        "devpod",
        "e2b",
        "kubernetes",
        "k8s",
    }
    sections = schema["properties"]["providers"]["properties"]
    assert {"docker", "fly", "devpod", "e2b", "kubernetes", "k8s"} <= set(sections)


def test_schema_carries_descriptions_defaults_and_constraints(fake_schema: Any) -> None:
    jsonschema.Draft202012Validator.check_schema(fake_schema)
    name = fake_schema["properties"]["name"]
    assert (name["pattern"], name["maxLength"]) == ("^[a-z][a-z0-9-]*$", 63)
    assert fake_schema["properties"]["version"]["enum"] == ["3.0"]
    deployment = fake_schema["properties"]["deployment"]["properties"]
    assert deployment["distro"]["default"] == "ubuntu"
    assert deployment["image"]["description"].startswith("Legacy full image reference")
    assert fake_schema["properties"]["providers"]["properties"]["al"]["description"] == (
        "Settings of the alpha provider."
    )


BODIES_VALID = [
    pytest.param("", "", id="minimal"),
    pytest.param(
        """
        distro: opensuse
        image: ghcr.io/pacphi/sindri:3.1.0
        image_config:
          registry: ghcr.io/pacphi/sindri
          digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
          tag_override: 3.1.0-opensuse
          version: ">=3.1 <4"
          resolution_strategy: explicit
          allow_prerelease: true
          verify_signature: true
          verify_provenance: true
          public_key: cosign.pub
          certificate_identity: https://github.com/pacphi/.*
          certificate_oidc_issuer: https://token.actions.githubusercontent.com
          pull_policy: Never
        buildFromSource: {enabled: true, gitRef: main, repository: /srv/sindri.git}
        resources:
          memory: 512MB
          cpus: 1
          gpu: {enabled: true, type: amd, count: 8, tier: gpu-xlarge, memory: 16GB}
        volumes:
          workspace: {path: /work, size: 1GB}
        """,
        """
        extensions:
          profile: full
          additional: [rust]
          auto_install: true
        secrets:
          - {name: API_KEY, source: env, required: true, fromFile: ~/.key}
          - {name: CERT, source: file, path: c.pem, mountPath: /etc/c.pem}
        providers:
          alpha: {region: west, size: 9}
        """,
        id="everything",
    ),
    pytest.param("image_config: {registry: r/x}", "extensions: {active: [a]}", id="active"),
    pytest.param("", "extensions: {profile: p, active: null}", id="active-null"),
    pytest.param("", "extensions: {active: [a], additional: []}", id="active-no-additional"),
    pytest.param("", "providers: {al: {size: 2}}", id="provider-alias"),
    pytest.param("", "providers: {alpha: }", id="provider-section-null"),
    pytest.param("", "secrets: []", id="no-secrets"),
]

BODIES_INVALID = [
    pytest.param("distro: arch", "", id="distro"),
    pytest.param("image_config: {digest: 'sha256:00'}", "", id="registry-required"),
    pytest.param("image_config: {registry: r, digest: 'sha256:00'}", "", id="digest"),
    pytest.param("image_config: {registry: r, tag_override: '-x'}", "", id="tag"),
    pytest.param("image_config: {registry: r, pull_policy: always}", "", id="pull-policy"),
    pytest.param("resources: {cpus: 0}", "", id="cpus-minimum"),
    pytest.param("resources: {cpus: '2'}", "", id="cpus-string"),
    pytest.param("resources: {cpus: true}", "", id="cpus-bool"),
    pytest.param("resources: {memory: 4G}", "", id="memory"),
    pytest.param("resources: {gpu: {count: 9}}", "", id="gpu-count"),
    pytest.param("resources: {gpu: {tier: huge}}", "", id="gpu-tier"),
    pytest.param("volumes: {workspace: {size: 0GB}}", "", id="volume-size"),
    pytest.param("buildFromSource: {enabled: 'yes'}", "", id="bool-string"),
    pytest.param("buildfromsource: {enabled: true}", "", id="key-case"),
    pytest.param("", "extensions: {profile: p, active: [a]}", id="profile-and-active"),
    pytest.param("", "extensions: {active: [a], additional: [b]}", id="active-and-additional"),
    pytest.param("", "secrets: [{name: K, source: file, path: a}]", id="file-no-mount"),
    pytest.param("", "secrets: [{name: K, source: file, mountPath: /a}]", id="file-no-path"),
    pytest.param(
        "", "secrets: [{name: K, source: file, path: a, mountPath: /a, fromFile: b}]", id="fromfile"
    ),
    pytest.param("", "secrets: [{name: k}]", id="secret-name"),
    pytest.param("", "secrets: [{source: env}]", id="secret-without-name"),
    pytest.param("", "secrets:", id="secrets-null"),
    pytest.param("", "extensions:", id="extensions-null"),
    pytest.param("", "providers: {gamma: {}}", id="provider-section-unknown"),
    pytest.param("", "providers: {alpha: {}, al: {}}", id="provider-section-twice"),
    pytest.param("", "providers: {alpha: {size: 10}}", id="provider-section-maximum"),
    pytest.param("", "providers: {alpha: {zone: x}}", id="provider-section-unknown-key"),
    pytest.param("", "providers: {beta: {}}", id="provider-without-settings"),
    pytest.param("", "other: 1", id="unknown-top-level"),
]


def _verdicts(schema: Any, text: str, catalog: Any) -> tuple[bool, bool]:
    try:
        parse_config(text, catalog)
        loader_ok = True
    except ConfigError:
        loader_ok = False
    data = json.loads(json.dumps(YAML(typ="safe").load(text)))
    schema_ok = jsonschema.Draft202012Validator(schema).is_valid(data)
    return loader_ok, schema_ok


@pytest.mark.parametrize(("deployment", "rest"), BODIES_VALID)
def test_valid_examples_pass_the_loader_and_the_schema(
    fake_schema: Any, sindri_host: PluginHost, deployment: str, rest: str
) -> None:
    text = config_text("alpha", deployment, rest)
    assert _verdicts(fake_schema, text, sindri_host.catalog) == (True, True)


@pytest.mark.parametrize(("deployment", "rest"), BODIES_INVALID)
def test_invalid_examples_fail_the_loader_and_the_schema(
    fake_schema: Any, sindri_host: PluginHost, deployment: str, rest: str
) -> None:
    text = config_text("alpha", deployment, rest)
    assert _verdicts(fake_schema, text, sindri_host.catalog) == (False, False)


@pytest.mark.parametrize(
    "text",
    [
        "version: 3.0\nname: a\ndeployment: {provider: alpha}\n",
        'version: "3.0"\nname: Upper\ndeployment: {provider: alpha}\n',
        'version: "3.0"\nname: ' + "a" * 64 + "\ndeployment: {provider: alpha}\n",
        'version: "3.0"\nname: a\ndeployment: {provider: gamma}\n',
        'version: "3.0"\nname: a\n',
        'version: "3.0"\ndeployment: {provider: alpha}\n',
    ],
    ids=["version-number", "name-pattern", "name-length", "provider", "no-deployment", "no-name"],
)
def test_invalid_top_level_examples_fail_both(
    fake_schema: Any, sindri_host: PluginHost, text: str
) -> None:
    assert _verdicts(fake_schema, text, sindri_host.catalog) == (False, False)


def test_the_one_rule_json_schema_cannot_state(fake_schema: Any, sindri_host: PluginHost) -> None:
    """Unique secret names span list items; the loader checks them, the schema cannot."""
    text = config_text("alpha", rest="secrets: [{name: A}, {name: A}]")
    assert _verdicts(fake_schema, text, sindri_host.catalog) == (False, True)
