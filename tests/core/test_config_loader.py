"""sindri.yaml: discovery, validation errors (file:line:column, field, value, what is allowed),
provider sections validated by their provider, cross-field rules and warnings."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

from sindri_core.config.loader import find_config, load_config, parse_config
from sindri_core.errors import ConfigError, PluginLoadError
from sindri_core.plugins import PluginHost
from tests.core.fake_providers import FakeSettings, InfoOnlyProvider, config_text


@pytest.fixture
def catalog(sindri_host: PluginHost, register_provider: Any) -> Any:
    """Two fake providers: alpha (alias ``al``, with a settings section and GPUs) and beta."""
    register_provider(InfoOnlyProvider("alpha", aliases=("al",), gpu=True), name="alpha-plugin")
    register_provider(InfoOnlyProvider("beta", config_class=None), name="beta-plugin")
    return sindri_host.catalog


def reject(text: str, catalog: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, catalog)
    return caught.value


# -- discovery -----------------------------------------------------------------------------------


def test_config_is_found_in_a_parent_directory(write_config: Any, tmp_path: Path) -> None:
    path = write_config(config_text("docker"))
    deep = path.parent / "src" / "pkg"
    deep.mkdir(parents=True)
    assert find_config(start=deep) == path


def test_sindri_yml_is_found_and_sindri_yaml_wins(tmp_path: Path) -> None:
    (tmp_path / "sindri.yml").write_text(config_text("docker"))
    assert find_config(start=tmp_path) == tmp_path / "sindri.yml"
    (tmp_path / "sindri.yaml").write_text(config_text("docker"))
    assert find_config(start=tmp_path) == tmp_path / "sindri.yaml"


def test_the_nearest_config_wins(tmp_path: Path) -> None:
    (tmp_path / "sindri.yaml").write_text(config_text("docker"))
    child = tmp_path / "child"
    child.mkdir()
    (child / "sindri.yml").write_text(config_text("fly"))
    assert find_config(start=child) == child / "sindri.yml"


def test_explicit_path_wins_and_must_exist(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.yaml"
    other.write_text(config_text("docker"))
    (tmp_path / "sindri.yaml").write_text(config_text("fly"))
    assert find_config(other, start=tmp_path) == other
    with pytest.raises(ConfigError, match=r"configuration file not found: .*missing\.yaml"):
        find_config(tmp_path / "missing.yaml")


def test_no_config_anywhere_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        find_config(start=tmp_path)
    assert "no sindri.yaml or sindri.yml in" in str(caught.value)
    assert "sindri config init" in str(caught.value) and "-c PATH" in str(caught.value)


def test_project_directory_is_the_configs_directory(write_config: Any, catalog: Any) -> None:
    path = write_config(config_text("alpha"))
    loaded = load_config(None, catalog, start=path.parent)
    assert loaded.project_dir == path.parent
    assert loaded.config.deployment.provider == "alpha"


def test_cli_discovers_upward_and_accepts_c(
    write_config: Any, sindri_cli: Any, tmp_path: Path
) -> None:
    path = write_config(config_text("docker"))
    sub = path.parent / "sub"
    sub.mkdir()
    result = sindri_cli("config", "validate", cwd=sub)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{path}: valid (test-env on docker)\n"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert sindri_cli("-c", str(path), "config", "validate", cwd=elsewhere).exit_code == 0
    missing = sindri_cli("config", "validate", cwd=elsewhere)
    assert missing.exit_code == 2
    assert missing.stderr.startswith("error: no sindri.yaml or sindri.yml in ")


# -- errors name file:line:column, the field, the value and what is allowed --------------------

ERRORS = [
    pytest.param(
        "version: 3.0\nname: a\ndeployment:\n  provider: alpha\n",
        "1:10",
        "version",
        ["3.0 is not allowed; allowed: 3.0", "quote it"],
        id="unquoted-version",
    ),
    pytest.param(
        'version: "3.1"\nname: a\ndeployment:\n  provider: alpha\n',
        "1:10",
        "version",
        ["'3.1' is not allowed; allowed: 3.0"],
        id="wrong-version",
    ),
    pytest.param(
        config_text("alpha").replace("test-env", "My_Env"),
        "2:7",
        "name",
        ["'My_Env' is not valid", "lower-case letters, digits and '-'"],
        id="name-pattern",
    ),
    pytest.param(
        config_text("alpha").replace("test-env", "a" * 64),
        "2:7",
        "name",
        ["is longer than 63 characters"],
        id="name-too-long",
    ),
    pytest.param(
        config_text("alpha").replace("name: test-env", 'name: "abc\\n"'),
        "2:7",
        "name",
        ["'abc\\n' is not valid"],
        id="name-trailing-newline",
    ),
    pytest.param(
        config_text("alpha").replace("name: test-env", "name: 12"),
        "2:7",
        "name",
        ["expected a string, got a number (12)", "quote it"],
        id="name-number",
    ),
    pytest.param(
        config_text("alpha") + "extension:\n  profile: minimal\n",
        "5:1",
        "extension",
        ["unknown key 'extension'", "did you mean 'extensions'?", "allowed: version, name"],
        id="unknown-top-level-key",
    ),
    pytest.param(
        config_text("alpha", "distro: debian"),
        "5:11",
        "deployment.distro",
        ["'debian' is not allowed; allowed: ubuntu, fedora, opensuse"],
        id="distro",
    ),
    pytest.param(
        config_text("alpha", "Distro: fedora"),
        "5:3",
        "deployment.Distro",
        ["unknown key 'Distro'", "did you mean 'distro'?"],
        id="key-case",
    ),
    pytest.param(
        config_text("alpha", "image_config:\n  digest: sha256:abc"),
        "6:5",
        "deployment.image_config",
        ["missing required key 'registry'"],
        id="image-config-registry-required",
    ),
    pytest.param(
        config_text("alpha", "image_config:\n  registry: ghcr.io/x/y\n  digest: sha256:abc"),
        "7:13",
        "deployment.image_config.digest",
        ["'sha256:abc' is not valid; expected sha256:<64 hex> or sha512:<128 hex>"],
        id="digest",
    ),
    pytest.param(
        config_text("alpha", "image_config:\n  registry: r/x\n  resolution_strategy: newest"),
        "7:26",
        "deployment.image_config.resolution_strategy",
        ["'newest' is not allowed; allowed: semver, latest-stable, pin-to-cli, explicit"],
        id="strategy",
    ),
    pytest.param(
        config_text("alpha", "image_config:\n  registry: r/x\n  pull_policy: always"),
        "7:18",
        "deployment.image_config.pull_policy",
        ["'always' is not allowed", "(did you mean 'Always'?)"],
        id="pull-policy",
    ),
    pytest.param(
        config_text("alpha", "resources:\n  cpus: 0"),
        "6:11",
        "deployment.resources.cpus",
        ["0 is too small; minimum 1"],
        id="cpus-minimum",
    ),
    pytest.param(
        config_text("alpha", 'resources:\n  cpus: "2"'),
        "6:11",
        "deployment.resources.cpus",
        ["expected an integer, got a string ('2')"],
        id="cpus-type",
    ),
    pytest.param(
        config_text("alpha", "resources:\n  gpu:\n    count: 9"),
        "7:14",
        "deployment.resources.gpu.count",
        ["9 is too large; maximum 8"],
        id="gpu-count",
    ),
    pytest.param(
        config_text("alpha", "resources:\n  memory: 4G"),
        "6:13",
        "deployment.resources.memory",
        ["'4G' is not valid; expected a size such as 512MB or 4GB"],
        id="memory",
    ),
    pytest.param(
        config_text("alpha", "buildFromSource:\n  enabled: yes"),
        "6:14",
        "deployment.buildFromSource.enabled",
        ["expected true or false, got a string ('yes')"],
        id="yaml-1.2-yes-is-a-string",
    ),
    pytest.param(
        config_text("alpha", rest="extensions:\n  profile: minimal\n  active: [git]"),
        "7:3",
        "extensions.active",
        ["set either profile or active, not both"],
        id="profile-and-active",
    ),
    pytest.param(
        config_text("alpha", rest="extensions:\n  active: [git]\n  additional: [node]"),
        "7:3",
        "extensions.additional",
        ["additional goes with a profile"],
        id="active-and-additional",
    ),
    pytest.param(
        config_text("alpha", rest="secrets:\n  - name: A_TOKEN\n  - name: A_TOKEN"),
        "7:11",
        "secrets[1].name",
        ["secret A_TOKEN is listed twice"],
        id="duplicate-secret",
    ),
    pytest.param(
        config_text("alpha", rest="secrets:\n  - name: KEY\n    source: file\n    path: k.pub"),
        "7:5",
        "secrets[0].source",
        ["a file secret needs mountPath"],
        id="file-secret-mount-path",
    ),
    pytest.param(
        config_text(
            "alpha",
            rest="secrets:\n  - name: K\n    source: file\n    path: a\n    mountPath: /b\n"
            "    fromFile: c",
        ),
        "10:5",
        "secrets[0].fromFile",
        ["fromFile is for env secrets; a file secret uses path"],
        id="file-secret-from-file",
    ),
    pytest.param(
        config_text("alpha", rest="secrets:\n  - name: lower"),
        "6:11",
        "secrets[0].name",
        ["'lower' is not valid; expected upper-case letters"],
        id="secret-name",
    ),
    pytest.param(
        config_text("alpha", rest="secrets:"),
        "5:1",
        "secrets",
        ["expected a list, got nothing (null)"],
        id="secrets-null",
    ),
    pytest.param(
        config_text("alpah"),
        "4:13",
        "deployment.provider",
        ["'alpah' is not a provider; installed: al, alpha, beta", "did you mean 'alpha'?"],
        id="provider-typo",
    ),
    pytest.param(
        config_text("fly"),
        "4:13",
        "deployment.provider",
        [
            "'fly' is not a provider",
            "pip install sindri-providers-fly (or 'sindri-core[fly]')",
            "from a checkout of sindri: pip install ./sindri_providers_fly",
        ],
        id="provider-not-installed",
    ),
    pytest.param(
        config_text("alpha", rest="providers:\n  alpha:\n    region: 5"),
        "7:13",
        "providers.alpha.region",
        ["expected a string, got a number (5)"],
        id="provider-section-type",
    ),
    pytest.param(
        config_text("alpha", rest="providers:\n  al:\n    sizee: 2"),
        "7:5",
        "providers.al.sizee",
        ["unknown key 'sizee'", "did you mean 'size'?", "allowed: region, size"],
        id="provider-section-unknown-key",
    ),
    pytest.param(
        config_text("alpha", rest="providers:\n  alpha:\n    size: 10"),
        "7:11",
        "providers.alpha.size",
        ["10 is too large; maximum 9"],
        id="provider-section-maximum",
    ),
    pytest.param(
        config_text("alpha", rest="providers:\n  kubernetes:\n    namespace: dev"),
        "6:3",
        "providers.kubernetes",
        [
            "no installed provider is called 'kubernetes'",
            "pip install sindri-providers-k8s (or 'sindri-core[k8s]')",
            "pip install ./sindri_providers_k8s",
        ],
        id="provider-section-not-installed",
    ),
    pytest.param(
        config_text("alpha", rest="providers:\n  my-cloud: {}"),
        "6:3",
        "providers.my-cloud",
        ["no installed provider is called 'my-cloud'; installed: al, alpha, beta"],
        id="provider-section-unknown-name",
    ),
    pytest.param(
        config_text("alpha", rest="providers:\n  alpha: {}\n  al: {}"),
        "7:3",
        "providers.al",
        ["'alpha' is configured twice"],
        id="provider-section-twice",
    ),
    pytest.param(
        config_text("alpha", rest="providers:\n  beta: {}"),
        "6:3",
        "providers.beta",
        ["provider 'beta' takes no settings"],
        id="provider-without-settings",
    ),
    pytest.param(
        'version: "3.0"\nname: a\n',
        "1:1",
        None,
        ["missing required key 'deployment'"],
        id="missing-deployment",
    ),
    pytest.param(
        config_text("alpha") + "  image: [unclosed\n",
        "6:1",
        None,
        ["invalid YAML:"],
        id="yaml-syntax",
    ),
    pytest.param(
        config_text("alpha") + "name: again\n",
        "5:1",
        None,
        ["invalid YAML:", "duplicate key"],
        id="duplicate-key",
    ),
    pytest.param("", "1:1", None, ["the file is empty"], id="empty"),
    pytest.param("- a\n- b\n", "1:1", None, ["expected a mapping at the top level"], id="list"),
]


@pytest.mark.parametrize(("text", "where", "path", "fragments"), ERRORS)
def test_error_names_file_line_column_field_value_and_what_is_allowed(
    catalog: Any, text: str, where: str, path: str | None, fragments: list[str]
) -> None:
    error = reject(text, catalog)
    message = str(error)
    prefix = f"sindri.yaml:{where}: " + (f"{path}: " if path else "")
    assert message.startswith(prefix), message
    for fragment in fragments:
        assert fragment in message, message
    assert "\n" not in message.replace("\\n", "")
    assert error.exit_code == 2


@pytest.mark.parametrize("name", ["my-cloud", "acme", "dockr"])
def test_install_hints_name_only_first_party_distributions(catalog: Any, name: str) -> None:
    """A hint for any name would invite installing whatever someone publishes under it."""
    for text in (config_text(name), config_text("alpha", rest=f"providers:\n  {name}: {{}}")):
        assert "pip install" not in str(reject(text, catalog))


def test_a_section_key_that_cannot_name_a_distribution_gets_no_install_hint(
    catalog: Any,
) -> None:
    error = reject(config_text("alpha", rest='providers:\n  "\\n": {}'), catalog)
    assert str(error) == (
        "sindri.yaml:6:3: providers['\\n']: no installed provider is called '\\n'; "
        "installed: al, alpha, beta"
    )


def test_error_through_the_cli_is_one_line_exit_2(write_config: Any, sindri_cli: Any) -> None:
    path = write_config(config_text("dokcer"))
    result = sindri_cli("config", "validate", "--json", cwd=path.parent)
    assert result.exit_code == 2
    assert result.json()["valid"] is False  # --json: the report on stdout too (ADR 0019)
    assert result.stderr == (
        "error: sindri.yaml:4:13: deployment.provider: 'dokcer' is not a provider; installed: "
        "devpod, docker, docker-compose, e2b, fly, k8s, kubernetes (did you mean 'docker'?)\n"
    )


def test_error_outside_the_project_directory_names_the_full_path(
    write_config: Any, sindri_cli: Any, tmp_path: Path
) -> None:
    path = write_config(config_text("docker", "distro: arch"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = sindri_cli("-c", str(path), "config", "validate", cwd=elsewhere)
    assert result.exit_code == 2
    assert re.match(rf"error: {re.escape(str(path))}:5:11: deployment.distro: ", result.stderr)


# -- valid configurations ------------------------------------------------------------------------


def test_provider_section_is_structured_into_the_providers_class(catalog: Any) -> None:
    text = config_text("al", rest="providers:\n  al:\n    region: north\n")
    config, warnings = parse_config(text, catalog)
    assert config.providers == {"alpha": FakeSettings(region="north", size=1)}
    assert warnings == []


def test_empty_provider_section_means_defaults(catalog: Any) -> None:
    config, _ = parse_config(config_text("alpha", rest="providers:\n  alpha:\n"), catalog)
    assert config.providers == {"alpha": FakeSettings()}


LAZY_SETTINGS_MODULE = """
import attrs
from sindri_core.config.fields import setting

@attrs.frozen
class LazySettings:
    zone: str = setting("a", doc="Where.")
"""


def test_a_settings_class_given_by_name_is_imported_only_for_its_section(
    sindri_host: Any, register_provider: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sindri_lazy_settings.py").write_text(LAZY_SETTINGS_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "sindri_lazy_settings", raising=False)
    lazy = InfoOnlyProvider("lazy", config_class="sindri_lazy_settings:LazySettings")
    register_provider(lazy)

    parse_config(config_text("lazy"), sindri_host.catalog)
    assert "sindri_lazy_settings" not in sys.modules

    config, _ = parse_config(
        config_text("lazy", rest="providers:\n  lazy:\n    zone: b\n"), sindri_host.catalog
    )
    settings = sys.modules["sindri_lazy_settings"].LazySettings
    assert config.providers == {"lazy": settings(zone="b")}
    assert lazy.info.default_config() == settings()


def test_a_settings_class_that_cannot_be_imported_names_the_provider(
    sindri_host: Any, register_provider: Any
) -> None:
    # The module exists (checked when providers are collected); the class does not.
    config_class = "sindri_core.config.model:NoSuchSettings"
    register_provider(InfoOnlyProvider("lazy", config_class=config_class))
    with pytest.raises(PluginLoadError) as caught:
        parse_config(config_text("lazy", rest="providers:\n  lazy: {}\n"), sindri_host.catalog)
    assert str(caught.value).startswith(
        "provider 'lazy' (unknown distribution): cannot import its settings class "
        "'sindri_core.config.model:NoSuchSettings': module 'sindri_core.config.model' has no "
        "attribute 'NoSuchSettings'"
    )


def test_config_rules_that_cannot_be_imported_are_a_plugin_error(
    sindri_host: PluginHost, register_provider: Any
) -> None:
    rules = "sindri_core.config.model:no_such_rules"
    register_provider(InfoOnlyProvider("ruled", config_rules=rules))
    with pytest.raises(PluginLoadError) as caught:
        parse_config(config_text("ruled"), sindri_host.catalog)
    assert str(caught.value).startswith(
        "provider 'ruled' (unknown distribution): cannot import its config rules "
        "'sindri_core.config.model:no_such_rules'"
    )


def test_name_of_63_characters_is_valid(catalog: Any) -> None:
    config, _ = parse_config(config_text("alpha").replace("test-env", "a" * 63), catalog)
    assert config.name == "a" * 63


def test_full_configuration_is_structured(catalog: Any) -> None:
    text = config_text(
        "alpha",
        """
        distro: fedora
        image_config:
          registry: ghcr.io/pacphi/sindri
          version: "^3.1"
          allow_prerelease: true
          pull_policy: Always
        buildFromSource:
          gitRef: v3
        resources:
          memory: 8GB
          cpus: 4
          gpu: {enabled: true, count: 2, tier: gpu-large}
        volumes:
          workspace: {size: 30GB}
        """,
        """
        extensions:
          active: [git, python]
          auto_install: false
        secrets:
          - name: GITHUB_TOKEN
            required: true
          - name: SSH_KEY
            source: file
            path: ~/.ssh/id.pub
            mountPath: /home/dev/.ssh/authorized_keys
        """,
    )
    config, warnings = parse_config(text, catalog)
    deployment = config.deployment
    assert deployment.image_config.version == "^3.1"
    assert deployment.image_config.allow_prerelease is True
    assert deployment.build_from_source.git_ref == "v3"
    assert (deployment.resources.memory_mb, deployment.resources.gpu.count) == (8192, 2)
    assert deployment.volumes.workspace.size == "30GB"
    assert config.extensions.environment() == {
        "SKIP_AUTO_INSTALL": "true",
        "INIT_WORKSPACE": "true",
        "CUSTOM_EXTENSIONS": "git,python",
    }
    assert [s.mount_path for s in config.secrets] == [None, "/home/dev/.ssh/authorized_keys"]
    assert warnings == []


# -- warnings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deployment", "warning"),
    [
        (
            "image: ghcr.io/x/y:1.0.0\nimage_config:\n  registry: ghcr.io/x/y",
            "deployment.image is ignored because deployment.image_config is set",
        ),
        (
            "image_config:\n  registry: r/x\n  digest: sha256:" + "a" * 64 + "\n  tag_override: v1",
            "deployment.image_config.digest wins; tag_override and version are ignored",
        ),
        (
            "distro: fedora\nimage: ghcr.io/x/y:3.1.0",
            "distro is fedora but image tag '3.1.0' does not end in -fedora",
        ),
        (
            "image: ghcr.io/x/y:3.1.0-opensuse",
            "distro is ubuntu but image tag '3.1.0-opensuse' targets another distro",
        ),
    ],
)
def test_warnings(catalog: Any, deployment: str, warning: str) -> None:
    _, warnings = parse_config(config_text("alpha", deployment), catalog)
    assert warnings == [warning]


def test_cli_shows_warnings_on_stderr_and_in_json(write_config: Any, sindri_cli: Any) -> None:
    path = write_config(
        config_text("docker", "image: ghcr.io/x/y:1.0.0\nimage_config:\n  registry: ghcr.io/x/y")
    )
    text = sindri_cli("config", "validate", cwd=path.parent)
    assert text.exit_code == 0
    assert "warning: deployment.image is ignored" in text.stderr
    assert "warning:" not in text.stdout
    as_json = sindri_cli("config", "validate", "--json", cwd=path.parent)
    assert as_json.exit_code == 0 and as_json.stderr == ""
    assert as_json.json() == {
        "valid": True,
        "path": str(path),
        "name": "test-env",
        "provider": "docker",
        "warnings": ["deployment.image is ignored because deployment.image_config is set"],
    }


def test_cli_reports_the_canonical_provider_for_an_alias(
    write_config: Any, sindri_cli: Any
) -> None:
    path = write_config(config_text("k8s", "image: ghcr.io/x/y:1.0.0"))
    result = sindri_cli("config", "validate", "--json", cwd=path.parent)
    assert result.json()["provider"] == "kubernetes"


def test_sections_print_like_attrs_classes() -> None:
    # One shared __repr__ (start-up time, ADR 0008) that reads like the generated ones.
    from sindri_core.config.model import Resources

    assert repr(Resources(memory="8GB")) == (
        "Resources(memory='8GB', cpus=None, "
        "gpu=Gpu(enabled=False, type='nvidia', count=1, tier=None, memory=None))"
    )
