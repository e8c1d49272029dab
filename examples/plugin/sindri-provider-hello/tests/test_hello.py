"""Testing a provider with the sindri_core.testing kit (fixtures come from sindri-core)."""

import types

import pytest
from sindri_provider_hello import plugin

from sindri_core.plugin import BuildLocation, Capabilities, ProviderInfo, hookimpl

CONFIG = """\
version: "3.0"
name: demo
deployment:
  provider: hello
  image: registry.example.com/team/dev:1.0
providers:
  hello:
    greeting: hi
"""


@pytest.fixture
def project(tmp_path, register_provider):
    register_provider(plugin, name="hello")
    (tmp_path / "sindri.yaml").write_text(CONFIG)
    return tmp_path


def test_deploy_status_destroy(sindri_cli, project):
    assert sindri_cli("status", "--json", cwd=project).json()["state"] == "not_deployed"
    result = sindri_cli("deploy", cwd=project)
    assert result.exit_code == 0, result.stderr
    assert '"greeting": "hi"' in (project / ".sindri/hello/deployment.json").read_text()
    status = sindri_cli("status", "--json", cwd=project).json()
    assert status["state"] == "running"
    assert status["image"] == "registry.example.com/team/dev:1.0"
    assert sindri_cli("destroy", "--yes", cwd=project).exit_code == 0
    assert not (project / ".sindri").exists()


def test_wrapper_explains_and_plan_writes_nothing(sindri_cli, project):
    resolved = sindri_cli("image", "resolve", "--json", cwd=project).json()
    assert resolved["notes"] == ["checked by the hello provider"]
    plan = sindri_cli("plan", "--json", cwd=project).json()
    assert plan["artifacts"][0]["path"].endswith("deployment.json")
    assert not (project / ".sindri").exists()


def test_the_wrapper_sees_only_the_hello_providers_calls(sindri_cli, project, register_provider):
    other = ProviderInfo("other", "another provider", Capabilities(build=BuildLocation.NEVER))
    register_provider(types.SimpleNamespace(sindri_provider_info=hookimpl(lambda: other)))
    (project / "sindri.yaml").write_text(CONFIG.replace("provider: hello", "provider: other"))
    resolved = sindri_cli("image", "resolve", "--json", cwd=project).json()
    assert resolved["notes"] == []


def test_the_section_is_validated_by_the_provider(sindri_cli, project):
    (project / "sindri.yaml").write_text(CONFIG.replace("greeting: hi", "greting: hi"))
    result = sindri_cli("config", "validate", cwd=project)
    assert result.exit_code == 2
    assert "providers.hello.greting" in result.stderr and "greeting" in result.stderr


def test_a_configuration_without_image_is_refused(sindri_cli, project):
    text = CONFIG.replace("  image: registry.example.com/team/dev:1.0\n", "")
    (project / "sindri.yaml").write_text(text)
    result = sindri_cli("deploy", cwd=project)
    assert result.exit_code == 2 and "No image configured" in result.stderr
