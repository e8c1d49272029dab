"""Every hook in hookspecs.py: documented like API documentation, and exercised through the
typed facade (:class:`~sindri_core.plugin_host.ProviderHooks`) on a registered provider."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sindri_core import hookimpl, hookspecs
from sindri_core.build.context import BuildContextRequest
from sindri_core.errors import PluginFault, UnsupportedOperationError
from sindri_core.image.resolution import ImageResolution, ImageSource
from sindri_core.lifecycle import (
    BuildOptions,
    BuiltImage,
    DeploymentState,
    DeployOptions,
    DestroyOptions,
)
from sindri_core.plugin_host import PluginHost, ProviderHooks
from sindri_core.provider import PrerequisiteReport
from tests.core.fake_providers import (
    InfoOnlyProvider,
    RecordingProvider,
    image_request,
    local_build_context,
    make_context,
    some_image,
)

HOOK_NAMES = sorted(name for name in dir(hookspecs) if name.startswith("sindri_"))
LIFECYCLE_HOOKS = [
    "sindri_check_prerequisites",
    "sindri_plan",
    "sindri_build",
    "sindri_deploy",
    "sindri_status",
    "sindri_destroy",
    "sindri_start",
    "sindri_stop",
    "sindri_connect",
]
SHARED_HOOKS = ["sindri_resolve_image", "sindri_fetch_build_context"]


def _spec(name: str) -> Callable[..., Any]:
    return getattr(hookspecs, name)


def _is_firstresult(name: str) -> bool:
    return bool(_spec(name).sindri_spec["firstresult"])  # pluggy's marker attribute


# -- documentation ------------------------------------------------------------------------------


def test_the_hook_list_is_the_specs_list() -> None:
    assert set(HOOK_NAMES) == {"sindri_provider_info", *LIFECYCLE_HOOKS, *SHARED_HOOKS}
    assert set(HOOK_NAMES) <= set(hookspecs.__all__)


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_every_hook_is_documented_like_api_documentation(name: str) -> None:
    spec = _spec(name)
    doc = inspect.getdoc(spec)
    assert doc, f"{name} has no docstring"
    purpose = doc.splitlines()[0]
    assert purpose.endswith(".") and len(purpose) > 20, f"{name}: no one-line purpose"
    assert "Called" in doc, f"{name}: does not say when it is called"
    documented = {line.split(":")[1].split()[-1] for line in doc.splitlines() if ":param " in line}
    assert documented == set(inspect.signature(spec).parameters), f"{name}: parameters"
    assert ":returns:" in doc, f"{name}: no return value documented"
    if _is_firstresult(name):
        assert "first" in doc.lower(), f"{name}: does not say the first result wins"
    else:
        assert "not a first-result hook" in doc


def test_lifecycle_and_shared_hooks_are_first_result_and_info_is_not() -> None:
    assert all(_is_firstresult(name) for name in LIFECYCLE_HOOKS + SHARED_HOOKS)
    assert not _is_firstresult("sindri_provider_info")


def test_facade_has_a_typed_method_for_every_hook_but_provider_info() -> None:
    for name in HOOK_NAMES:
        if name == "sindri_provider_info":
            continue  # answered through PluginHost.catalog
        method = getattr(ProviderHooks, name.removeprefix("sindri_"))
        assert inspect.signature(method).return_annotation != inspect.Signature.empty


# -- every hook exercised through the facade ----------------------------------------------------


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    return tmp_path


@pytest.fixture
def alpha(register_provider: Any) -> RecordingProvider:
    provider = RecordingProvider("alpha")
    register_provider(provider, name="alpha-plugin")
    return provider


@pytest.fixture
def hooks(sindri_host: PluginHost, alpha: RecordingProvider) -> ProviderHooks:
    return sindri_host.hooks_for(sindri_host.provider("alpha"))


@pytest.fixture
def ctx(sindri_host: PluginHost, alpha: RecordingProvider, project_dir: Path) -> Any:
    return make_context(sindri_host, "alpha", project_dir, "image: registry.test/a:1.0.0")


EXERCISED: dict[str, str] = {}


def exercises(hook: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Marks the test that calls ``hook`` through the facade (checked below)."""

    def mark(test: Callable[..., Any]) -> Callable[..., Any]:
        EXERCISED[hook] = test.__name__
        return test

    return mark


def test_every_hookspec_has_a_test() -> None:
    assert sorted(EXERCISED) == HOOK_NAMES
    module = globals()
    assert all(callable(module[test]) for test in EXERCISED.values())


@exercises("sindri_provider_info")
def test_provider_info(sindri_host: PluginHost, alpha: RecordingProvider) -> None:
    assert sindri_host.provider("alpha") == alpha.info
    assert [info.name for info in sindri_host.catalog] == ["alpha"]


@exercises("sindri_check_prerequisites")
def test_check_prerequisites(hooks: ProviderHooks, ctx: Any, alpha: RecordingProvider) -> None:
    report = hooks.check_prerequisites(ctx)
    assert report.satisfied and report.items[0].description == "alpha tool"
    assert alpha.calls == [("check_prerequisites", {"ctx": ctx})]


def test_check_prerequisites_is_optional(sindri_host: PluginHost, register_provider: Any) -> None:
    register_provider(InfoOnlyProvider("bare"), name="bare-plugin")
    ctx = make_context(sindri_host, "bare", Path.cwd())
    assert sindri_host.hooks_for(ctx.provider).check_prerequisites(ctx) == PrerequisiteReport()


@exercises("sindri_plan")
def test_plan(hooks: ProviderHooks, ctx: Any, alpha: RecordingProvider) -> None:
    image = some_image()
    plan = hooks.plan(ctx, image)
    assert plan.actions[0].description == image.reference
    assert alpha.calls == [("plan", {"ctx": ctx, "image": image})]


@exercises("sindri_build")
def test_build(hooks: ProviderHooks, ctx: Any, alpha: RecordingProvider) -> None:
    build = local_build_context(ctx.project_dir)
    built = hooks.build(ctx, build, BuildOptions(force=True))
    assert built == BuiltImage(reference="alpha:built", fingerprint=build.fingerprint)
    assert alpha.calls == [("build", {"ctx": ctx, "build": build, "options": BuildOptions(True)})]


@exercises("sindri_deploy")
def test_deploy(hooks: ProviderHooks, ctx: Any, alpha: RecordingProvider) -> None:
    image, options = some_image(), DeployOptions(wait=False)
    result = hooks.deploy(ctx, image, None, options)
    assert result.reference == image.reference and result.messages == ("alpha deployed",)
    assert alpha.calls == [
        ("deploy", {"ctx": ctx, "image": image, "build": None, "options": options})
    ]


@exercises("sindri_status")
def test_status(hooks: ProviderHooks, ctx: Any, alpha: RecordingProvider) -> None:
    status = hooks.status(ctx, None)
    assert status.state is DeploymentState.RUNNING and status.image == "alpha:running"
    assert alpha.calls == [("status", {"ctx": ctx, "image": None})]


@exercises("sindri_destroy")
def test_destroy(hooks: ProviderHooks, ctx: Any, alpha: RecordingProvider) -> None:
    assert hooks.destroy(ctx, DestroyOptions(volumes=True)).message == "alpha destroyed"
    assert alpha.calls == [("destroy", {"ctx": ctx, "options": DestroyOptions(volumes=True)})]


@exercises("sindri_start")
def test_start(hooks: ProviderHooks, ctx: Any, alpha: RecordingProvider) -> None:
    assert hooks.start(ctx).message == "alpha started"
    assert alpha.operations() == ["start"]


@exercises("sindri_stop")
def test_stop(hooks: ProviderHooks, ctx: Any, alpha: RecordingProvider) -> None:
    assert hooks.stop(ctx).message == "alpha stopped"
    assert alpha.operations() == ["stop"]


@exercises("sindri_connect")
def test_connect(hooks: ProviderHooks, ctx: Any, alpha: RecordingProvider) -> None:
    result = hooks.connect(ctx, ("uname", "-a"))
    assert (result.message, result.exit_code) == ("alpha connected", 3)
    assert alpha.calls == [("connect", {"ctx": ctx, "command": ("uname", "-a")})]


@exercises("sindri_resolve_image")
def test_resolve_image_core_default(hooks: ProviderHooks, ctx: Any) -> None:
    resolution = hooks.resolve_image(image_request(ctx))
    assert resolution.source is ImageSource.IMAGE
    assert resolution.reference == "registry.test/a:1.0.0"


@exercises("sindri_fetch_build_context")
def test_fetch_build_context_core_default(
    sindri_host: PluginHost, alpha: RecordingProvider, project_dir: Path
) -> None:
    ctx = make_context(sindri_host, "alpha", project_dir)
    hooks = sindri_host.hooks_for(ctx.provider)
    resolution = hooks.resolve_image(image_request(ctx))
    assert resolution.source is ImageSource.BUILD and resolution.build is not None
    request = BuildContextRequest(
        config=ctx.config, project_dir=project_dir, source=resolution.build
    )
    context = hooks.fetch_build_context(request)
    assert context.dockerfile == project_dir / "Dockerfile"
    assert context.context_dir == project_dir
    assert len(context.fingerprint) == 64


@pytest.mark.parametrize("operation", [h.removeprefix("sindri_") for h in LIFECYCLE_HOOKS[1:]])
def test_missing_lifecycle_hook_is_a_clear_not_implemented_error(
    sindri_host: PluginHost, register_provider: Any, operation: str
) -> None:
    register_provider(InfoOnlyProvider("bare"), name="bare-plugin")
    ctx = make_context(sindri_host, "bare", Path.cwd())
    hooks = sindri_host.hooks_for(ctx.provider)
    assert not hooks.implements(operation)
    with pytest.raises(
        UnsupportedOperationError, match=f"bare provider does not support {operation}"
    ):
        hooks.require(operation)


def test_none_from_a_provider_that_implements_the_hook_is_its_fault(
    sindri_host: PluginHost, register_provider: Any
) -> None:
    class Abstains(InfoOnlyProvider):
        @hookimpl
        def sindri_plan(self, ctx: Any, image: Any) -> None:
            return None

    register_provider(Abstains("shy"), name="shy-plugin")
    ctx = make_context(sindri_host, "shy", Path.cwd())
    hooks = sindri_host.hooks_for(ctx.provider)
    assert hooks.implements("plan")
    with pytest.raises(
        PluginFault,
        match=r"the shy provider \(.*\) failed in plan: "
        r"sindri_plan returned NoneType, not Plan \(a missing return\?\)",
    ):
        hooks.plan(ctx, ImageResolution("x", ImageSource.IMAGE, "test"))
