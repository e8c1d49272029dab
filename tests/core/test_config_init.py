"""`sindri config init`: every installed provider and distro writes a file that validates."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from sindri_core.config.init import default_name, render_config
from sindri_core.config.loader import load_config, parse_config
from sindri_core.plugins import get_host

DISTROS = ("ubuntu", "fedora", "opensuse")


def installed_providers() -> list[str]:
    return [info.name for info in get_host().catalog]


@pytest.mark.parametrize("distro", DISTROS)
@pytest.mark.parametrize("provider", installed_providers())
def test_init_output_validates_for_every_provider_and_distro(
    sindri_cli, tmp_path, provider, distro
):
    result = sindri_cli("config", "init", "-p", provider, "--distro", distro, cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    path = tmp_path / "sindri.yaml"
    loaded = load_config(path, get_host().catalog)
    assert loaded.config.deployment.distro == distro
    assert get_host().provider(loaded.config.deployment.provider).name == provider
    text = path.read_text()
    assert "image_config.digest" in text and "tag_override" in text and "buildFromSource" in text
    assert "providers:\n" in text and f"  {provider}:\n" in text
    # The comments are real YAML comments: the parsed data has no documentation strings.
    data = YAML(typ="safe").load(text)
    assert set(data) == {"version", "name", "deployment", "extensions", "providers"}


def test_init_explains_the_chain_from_capabilities(tmp_path):
    host = get_host()
    k8s = render_config(host.provider("k8s"), name="x", profile="minimal", distro="ubuntu")
    docker = render_config(host.provider("docker"), name="x", profile="minimal", distro="ubuntu")
    assert "the kubernetes provider never builds images" in k8s
    assert "Kubernetes never builds" in k8s  # the provider's own note
    assert "build from ./Dockerfile" in docker
    assert "never builds" not in docker


def test_init_uses_alias_and_normalised_directory_name(sindri_cli, tmp_path):
    project = tmp_path / "My Cool_Project 2"
    project.mkdir()
    result = sindri_cli("config", "init", "-p", "k8s", cwd=project)
    assert result.exit_code == 0, result.stderr
    config, _ = parse_config((project / "sindri.yaml").read_text(), get_host().catalog)
    assert config.name == "my-cool-project-2"
    assert config.deployment.provider == "kubernetes"


@pytest.mark.parametrize(
    ("directory", "expected"),
    [
        ("Sindri", "sindri"),
        ("123abc", "abc"),
        ("__", "my-dev-env"),
        ("a" * 80, "a" * 63),
        ("dev env!!", "dev-env"),
    ],
)
def test_default_name(directory, expected):
    assert default_name(directory) == expected


def test_init_refuses_to_overwrite_without_force(sindri_cli, tmp_path):
    target = tmp_path / "sindri.yaml"
    target.write_text("keep me\n")
    result = sindri_cli("config", "init", cwd=tmp_path)
    assert result.exit_code == 2
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert target.read_text() == "keep me\n"
    assert sindri_cli("config", "init", "--force", cwd=tmp_path).exit_code == 0
    assert target.read_text() != "keep me\n"


def test_init_rejects_bad_name_and_unknown_provider_without_writing(sindri_cli, tmp_path):
    bad = sindri_cli("config", "init", "-n", "Bad_Name", cwd=tmp_path)
    assert bad.exit_code == 2 and "name" in bad.stderr
    unknown = sindri_cli("config", "init", "-p", "dokcer", cwd=tmp_path)
    assert unknown.exit_code == 2 and "not a provider" in unknown.stderr
    assert not (tmp_path / "sindri.yaml").exists()


def test_a_bad_name_is_named_by_its_option_not_by_a_file_never_written(sindri_cli, tmp_path):
    bad = sindri_cli("config", "init", "-n", "My_Env", "-o", "x.yaml", cwd=tmp_path)
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: -n/--name: 'My_Env' is not valid; expected ")
    assert "x.yaml" not in bad.stderr
    assert not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize("candidate", ["Dockerfile", "v3/Dockerfile"])
def test_init_next_to_a_dockerfile_builds_it_and_configures_no_published_image(
    sindri_cli, tmp_path, candidate
):
    # The README flow offline: init, then image resolve, must not need a registry.
    (tmp_path / candidate).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / candidate).write_text("FROM scratch\n")
    result = sindri_cli("config", "init", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert f"It builds ./{candidate}" in result.stdout
    config = load_config(tmp_path / "sindri.yaml", get_host().catalog).config
    assert config.deployment.image_config is None and config.deployment.image is None
    resolved = sindri_cli("image", "resolve", "--json", cwd=tmp_path).json()
    assert resolved["source"] == "build" and resolved["build"]["kind"] == "local"
    # The published image is still one uncomment away.
    assert (
        "  # image_config:\n  #   registry: ghcr.io/pacphi/sindri\n"
        in (tmp_path / "sindri.yaml").read_text()
    )


def test_init_without_a_dockerfile_configures_the_published_image(sindri_cli, tmp_path):
    assert sindri_cli("config", "init", cwd=tmp_path).exit_code == 0
    config = load_config(tmp_path / "sindri.yaml", get_host().catalog).config
    assert config.deployment.image_config is not None


def test_nested_blocks_of_defaults_are_commented_out(sindri_cli, tmp_path):
    # devpod: only `type` picks a backend; its six option blocks are examples.
    assert sindri_cli("config", "init", "-p", "devpod", cwd=tmp_path).exit_code == 0
    data = YAML(typ="safe").load((tmp_path / "sindri.yaml").read_text())
    assert set(data["providers"]["devpod"]) == {"type", "remoteUser"}
    text = (tmp_path / "sindri.yaml").read_text()
    for backend in ("aws", "gcp", "azure", "digitalocean", "kubernetes", "ssh"):
        assert f"\n    # {backend}:  # Options for type {backend}." in text


def test_the_header_points_to_documentation_a_pip_user_can_read(sindri_cli, tmp_path):
    assert sindri_cli("config", "init", cwd=tmp_path).exit_code == 0
    header = (tmp_path / "sindri.yaml").read_text().split("\n\n")[0]
    assert "https://github.com/pacphi/sindri/blob/main/docs/CONFIGURATION.md" in header
    assert "sindri config show" in header


def test_init_for_a_third_party_provider_uses_its_registered_schema(
    sindri_host, register_provider, sindri_cli, tmp_path
):
    import attrs

    from sindri_core import hookimpl
    from sindri_core.config.fields import setting
    from sindri_core.provider import BuildLocation, Capabilities, ProviderInfo

    @attrs.frozen
    class AcmeSettings:
        zone: str = setting("eu-1", doc="Where Acme runs it.")
        replicas: int = setting(1, doc="How many.", minimum=1)
        token_name: str | None = setting(None, key="tokenName", doc="Secret holding the token.")

    class Acme:
        @hookimpl
        def sindri_provider_info(self):
            return ProviderInfo(
                name="acme",
                description="Acme cloud",
                capabilities=Capabilities(build=BuildLocation.NEVER),
                config_class=AcmeSettings,
                notes=("Acme needs an image.",),
            )

    register_provider(Acme(), name="acme")
    result = sindri_cli("config", "init", "-p", "acme", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "sindri.yaml").read_text()
    assert "  acme:\n    zone: eu-1  # Where Acme runs it.\n    replicas: 1  # How many.\n" in text
    assert "# tokenName:" in text and "Acme needs an image." in text
    assert sindri_cli("config", "validate", cwd=tmp_path).exit_code == 0


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(sindri_cli, shell):
    result = sindri_cli("completion", shell)
    assert result.exit_code == 0
    assert "_SINDRI_COMPLETE" in result.stdout


def test_shell_completion_offers_the_installed_providers_for_p():
    from click.shell_completion import ShellComplete

    from sindri_core.cli.main import cli

    complete = ShellComplete(cli, {}, "sindri", "_SINDRI_COMPLETE")
    offered = [item.value for item in complete.get_completions(["config", "init", "-p"], "d")]
    assert offered == ["devpod", "docker", "docker-compose"]
    everything = [item.value for item in complete.get_completions(["config", "init", "-p"], "")]
    assert {"docker", "fly", "devpod", "e2b", "kubernetes", "k8s"} <= set(everything)
