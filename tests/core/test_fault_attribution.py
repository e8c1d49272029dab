"""Faults named right: a bug inside a core helper a provider called is the core's (an internal
error), not "a fault in the plugin"; the provider's own bugs, and its use of names the plugin
API does not have, stay its own."""

from __future__ import annotations

import types
from typing import Any

import pytest

from sindri_core import plugin
from sindri_core.plugin import (
    Artifact,
    BuildLocation,
    Capabilities,
    DeployResult,
    ProviderInfo,
    hookimpl,
    write_artifacts,
)

CONFIG = """\
version: "3.0"
name: demo
deployment:
  provider: caller
  image: ghcr.io/acme/dev:1.0
"""
INFO = ProviderInfo("caller", "calls core helpers", Capabilities(BuildLocation.NEVER))


def deploy_writing(ctx: Any, image: Any) -> DeployResult:
    write_artifacts([Artifact(ctx.output_dir / "a.txt", "a\n")])
    return DeployResult(image.reference)


def deploy_with_own_bug(ctx: Any, image: Any) -> DeployResult:
    return {}["missing"]  # type: ignore[no-any-return]


def deploy_asking_for_an_unknown_name(ctx: Any, image: Any) -> DeployResult:
    return plugin.get_host()  # type: ignore[no-any-return]


@pytest.fixture
def deploy_with(register_provider: Any, write_config: Any, sindri_cli: Any) -> Any:
    def run(deploy: Any) -> Any:
        register_provider(
            types.SimpleNamespace(
                sindri_provider_info=hookimpl(lambda: INFO), sindri_deploy=hookimpl(deploy)
            ),
            name="caller",
        )
        return sindri_cli("deploy", cwd=write_config(CONFIG).parent)

    return run


def test_a_bug_in_a_core_helper_the_provider_called_is_the_cores(
    deploy_with: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bug of the core's own: the manifest's name is no file name; os.open raises inside
    # sindri_core.artifacts, called by the provider.
    monkeypatch.setattr("sindri_core.artifacts.MANIFEST_NAME", 42)
    result = deploy_with(deploy_writing)
    result.assert_error(1, "internal error: TypeError")
    assert "fault in the plugin" not in result.stderr and "caller provider" not in result.stderr


def test_the_same_helper_working_is_not_a_fault(deploy_with: Any) -> None:
    deploy_with(deploy_writing).assert_ok()


def test_the_providers_own_bug_stays_its_own(deploy_with: Any) -> None:
    result = deploy_with(deploy_with_own_bug)
    result.assert_error(
        1, "the caller provider", "failed in deploy: KeyError", "fault in the plugin"
    )


def test_asking_the_plugin_api_for_a_name_it_lacks_is_the_providers_fault(
    deploy_with: Any,
) -> None:
    result = deploy_with(deploy_asking_for_an_unknown_name)
    result.assert_error(1, "the caller provider", "AttributeError", "get_host")
