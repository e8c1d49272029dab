"""One "never builds" rule (``BuildLocation.NEVER``): the core's image chain refuses its build
level for such a provider, whatever asks for it, and a build answered by any plugin is
refused too; no provider needs a wrapper of its own for it."""

from __future__ import annotations

import types
from typing import Any

import pytest

from sindri_core.plugin import (
    BuildLocation,
    Capabilities,
    ImageResolution,
    ImageSource,
    Plan,
    ProviderInfo,
    hookimpl,
)

RUNNER = ProviderInfo("runner", "runs images only", Capabilities(BuildLocation.NEVER))
CONFIG = """\
version: "3.0"
name: demo
deployment:
  provider: runner
  image: ghcr.io/acme/dev:1.0
"""


@pytest.fixture
def project(register_provider: Any, write_config: Any) -> Any:
    register_provider(
        types.SimpleNamespace(
            sindri_provider_info=hookimpl(lambda: RUNNER),
            sindri_plan=hookimpl(lambda ctx, image: Plan()),
        )
    )

    def make(extra: str = "") -> Any:
        return write_config(CONFIG + extra).parent

    return make


def _refused(result: Any, *fragments: str) -> None:
    result.assert_error(2, "the runner provider never builds images", "push it to a registry")
    assert all(f in result.stderr for f in fragments), result.stderr


@pytest.mark.parametrize("command", [("image", "resolve"), ("plan",)])
def test_build_from_source_enabled_is_refused_not_answered_with_the_image(
    project: Any, sindri_cli: Any, command: tuple[str, ...]
) -> None:
    directory = project("  buildFromSource:\n    enabled: true\n")
    _refused(sindri_cli(*command, cwd=directory), "deployment.buildFromSource.enabled")


def test_from_source_is_refused(project: Any, sindri_cli: Any) -> None:
    _refused(sindri_cli("plan", "--from-source", cwd=project()), "--from-source")


def test_no_image_says_what_to_set(project: Any, sindri_cli: Any, write_config: Any) -> None:
    directory = project()
    (directory / "sindri.yaml").write_text(CONFIG.replace("  image: ghcr.io/acme/dev:1.0\n", ""))
    _refused(sindri_cli("image", "resolve", cwd=directory), "No image configured", "image_config")


def test_a_build_answered_by_a_plugin_is_refused(
    project: Any, sindri_cli: Any, register_provider: Any
) -> None:
    build = ImageResolution("sindri:SOURCE", ImageSource.BUILD, "a plugin chose to build")
    register_provider(
        types.SimpleNamespace(sindri_resolve_image=hookimpl(lambda request: build)),
        name="eager",
    )
    _refused(sindri_cli("image", "resolve", cwd=project()), "the image chain chose to build")


def test_a_configured_image_is_answered(project: Any, sindri_cli: Any) -> None:
    result = sindri_cli("image", "resolve", cwd=project()).assert_ok()
    assert result.stdout.strip() == "ghcr.io/acme/dev:1.0"
