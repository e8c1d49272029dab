"""The plugin host: entry-point discovery through a real installed distribution, failures,
strict and disabled plugins, duplicate names, subset dispatch, wrappers around the shared
hooks, and the entry-point cache."""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

from sindri_core import entry_points, hookimpl, plugins
from sindri_core.build.context import BuildContextRequest
from sindri_core.errors import ConfigError, PluginLoadError
from sindri_core.image.resolution import ImageRequest, ImageResolution, ImageSource
from sindri_core.lifecycle import BuildOptions, DeployOptions, DestroyOptions
from sindri_core.plugins import ENTRY_POINT_GROUP, PluginHost, get_host
from sindri_core.provider import BuildLocation
from tests.core.conftest import FIXTURE_DIST
from tests.core.fake_providers import (
    LIFECYCLE_OPERATIONS,
    InfoOnlyProvider,
    RecordingProvider,
    config_text,
    image_request,
    local_build_context,
    make_context,
    some_image,
)


def _failures(host: PluginHost) -> dict[str, plugins.PluginFailure]:
    return {failure.name: failure for failure in host.failures}


# -- discovery through an installed distribution -----------------------------------------------


def test_provider_of_an_installed_distribution_is_discovered(fixture_site: Path) -> None:
    host = PluginHost()
    info = host.provider("fixture")
    assert (info.distribution, info.version) == (FIXTURE_DIST, "1.0")
    assert host.provider("fixture-alias") is info
    assert {"docker", "fly", "devpod", "e2b", "kubernetes"} <= set(host.catalog.names())
    assert "sindri_fixture_good" in sys.modules


def test_installed_first_party_providers_carry_their_distribution() -> None:
    host = PluginHost()
    dists = {info.name: (info.distribution, info.version) for info in host.catalog}
    assert dists["kubernetes"] == ("sindri-providers-k8s", "3.2.0")
    assert dists["docker"] == ("sindri-providers-docker", "3.2.0")
    assert host.failures == []


def test_plugin_that_raises_on_import_is_skipped_and_recorded(fixture_site: Path) -> None:
    host = PluginHost()
    failure = _failures(host)["fixture-broken"]
    assert failure.status == "failed"
    assert failure.distribution == FIXTURE_DIST
    assert failure.error == "RuntimeError: fixture plugin exploded on import"
    assert "fixture" in host.catalog.names()  # the others still load


def test_plugin_with_an_unknown_hook_is_recorded_and_not_left_registered(
    fixture_site: Path,
) -> None:
    host = PluginHost()
    failure = _failures(host)["fixture-invalid"]
    assert "unknown hook 'sindri_deplyo'" in failure.error
    assert not host.pm.has_plugin("fixture-invalid")


def test_disabled_plugin_is_never_imported(
    fixture_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SINDRI_DISABLE_PLUGINS", " fixture-blocked ,fixture-broken")
    host = PluginHost()
    assert "sindri_fixture_blocked" not in sys.modules
    failures = _failures(host)
    assert failures["fixture-blocked"].status == "disabled"
    assert failures["fixture-blocked"].distribution == FIXTURE_DIST
    assert failures["fixture-broken"].status == "disabled"
    assert host.catalog.lookup("blocked") is None
    assert host.pm.is_blocked("fixture-blocked")


def test_the_blockable_plugin_loads_when_not_disabled(fixture_site: Path) -> None:
    host = PluginHost()
    assert host.provider("blocked").distribution == FIXTURE_DIST
    assert "sindri_fixture_blocked" in sys.modules


def test_strict_mode_raises_naming_the_plugin(
    fixture_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SINDRI_STRICT_PLUGINS", "1")
    with pytest.raises(PluginLoadError, match=r"'fixture-broken' \(sindri-fixture-plugins\)"):
        PluginHost()


def test_strict_mode_passes_when_the_failing_plugins_are_disabled(
    fixture_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SINDRI_STRICT_PLUGINS", "1")
    monkeypatch.setenv(
        "SINDRI_DISABLE_PLUGINS", "fixture-broken,fixture-invalid,halfbad,nosettings"
    )
    assert "fixture" in PluginHost().catalog.names()


# -- the CLI with a broken plugin installed ----------------------------------------------------


def test_providers_json_lists_failures_and_every_installed_provider(
    fixture_site: Path, sindri_cli: Any
) -> None:
    result = sindri_cli("providers", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    failed = {f["name"]: f for f in data["failed"]}
    assert failed["fixture-broken"] == {
        "name": "fixture-broken",
        "distribution": FIXTURE_DIST,
        "error": "RuntimeError: fixture plugin exploded on import",
        "status": "failed",
    }
    assert "fixture-invalid" in failed
    providers = {p["name"]: p for p in data["providers"]}
    assert providers["fixture"]["distribution"] == FIXTURE_DIST
    assert providers["fixture"]["aliases"] == ["fixture-alias"]
    assert {"docker", "fly", "devpod", "e2b", "kubernetes"} <= set(providers)


def test_providers_text_shows_the_failure(fixture_site: Path, sindri_cli: Any) -> None:
    result = sindri_cli("providers")
    assert result.exit_code == 0
    assert (
        "fixture-broken  failed: RuntimeError: fixture plugin exploded on import" in result.stdout
    )


def test_other_commands_still_work_with_a_broken_plugin(
    fixture_site: Path, sindri_cli: Any, write_config: Any
) -> None:
    path = write_config(config_text("fixture", "image: registry.test/sindri:2.0.0"))
    validate = sindri_cli("config", "validate", cwd=path.parent)
    assert validate.exit_code == 0, validate.stderr
    plan = sindri_cli("plan", "--json", cwd=path.parent)
    assert plan.exit_code == 0, plan.stderr
    assert plan.json()["actions"][0]["description"] == "run registry.test/sindri:2.0.0"


def test_strict_mode_fails_commands_naming_the_plugin(
    fixture_site: Path, sindri_cli: Any, write_config: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SINDRI_STRICT_PLUGINS", "1")
    path = write_config(config_text("fixture", "image: registry.test/sindri:2.0.0"))
    for args in (("providers", "--json"), ("config", "validate")):
        result = sindri_cli(*args, cwd=path.parent)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert "plugin 'fixture-broken' (sindri-fixture-plugins) failed to load" in result.stderr
        assert "Traceback" not in result.stderr


# -- duplicate names and bad provider info -----------------------------------------------------


def test_duplicate_provider_name_is_a_failure_naming_both(
    sindri_host: PluginHost, register_provider: Any
) -> None:
    first, second = RecordingProvider("dup"), RecordingProvider("dup")
    register_provider(first, name="first-plugin")
    register_provider(second, name="second-plugin")
    assert sindri_host.catalog.names() == ["dup"]
    (failure,) = sindri_host.failures
    assert failure.name == "second-plugin"
    assert "'dup'" in failure.error and "'first-plugin'" in failure.error
    assert not sindri_host.pm.has_plugin("second-plugin")
    ctx = make_context(sindri_host, "dup", Path.cwd())
    sindri_host.hooks_for(ctx.provider).start(ctx)
    assert (first.operations(), second.operations()) == (["start"], [])


def test_alias_clashing_with_another_providers_name_is_a_failure(
    sindri_host: PluginHost, register_provider: Any
) -> None:
    register_provider(InfoOnlyProvider("compose"), name="compose-plugin")
    register_provider(InfoOnlyProvider("docker", aliases=("compose",)), name="docker-plugin")
    assert sindri_host.catalog.names() == ["compose"]
    assert "'compose' is already taken by plugin 'compose-plugin'" in sindri_host.failures[0].error


def test_duplicate_name_in_strict_mode_raises(
    sindri_host: PluginHost, register_provider: Any
) -> None:
    sindri_host.strict = True
    register_provider(InfoOnlyProvider("dup"), name="a-plugin")
    register_provider(InfoOnlyProvider("dup"), name="b-plugin")
    with pytest.raises(PluginLoadError, match=r"plugin 'b-plugin'.*'dup' is already taken"):
        _ = sindri_host.catalog


class _BadInfo:
    def __init__(self, answer: Any) -> None:
        self.answer = answer

    @hookimpl
    def sindri_provider_info(self) -> Any:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    @hookimpl
    def sindri_start(self, ctx: Any) -> Any:
        raise AssertionError("a provider that failed to describe itself got a lifecycle call")


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (ValueError("no name"), "ValueError: no name"),
        ({"name": "dict"}, "TypeError: sindri_provider_info returned dict, not ProviderInfo"),
    ],
)
def test_provider_info_that_fails_is_recorded_and_unloaded(
    sindri_host: PluginHost, register_provider: Any, answer: Any, error: str
) -> None:
    good = RecordingProvider("good")
    register_provider(good, name="good-plugin")
    register_provider(_BadInfo(answer), name="bad-plugin")
    assert sindri_host.catalog.names() == ["good"]
    assert [(f.name, f.error) for f in sindri_host.failures] == [("bad-plugin", error)]
    ctx = make_context(sindri_host, "good", Path.cwd())
    assert sindri_host.hooks_for(ctx.provider).start(ctx).message == "good started"


# -- subset dispatch ---------------------------------------------------------------------------


class Observer:
    """Not a provider: sees every lifecycle call, answers none (returns None)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def _saw(self, operation: str, ctx: Any) -> None:
        self.seen.append((operation, ctx.provider.name))

    @hookimpl
    def sindri_check_prerequisites(self, ctx: Any) -> None:
        self._saw("check_prerequisites", ctx)

    @hookimpl
    def sindri_plan(self, ctx: Any) -> None:
        self._saw("plan", ctx)

    @hookimpl
    def sindri_build(self, ctx: Any) -> None:
        self._saw("build", ctx)

    @hookimpl
    def sindri_deploy(self, ctx: Any) -> None:
        self._saw("deploy", ctx)

    @hookimpl
    def sindri_status(self, ctx: Any) -> None:
        self._saw("status", ctx)

    @hookimpl
    def sindri_destroy(self, ctx: Any) -> None:
        self._saw("destroy", ctx)

    @hookimpl
    def sindri_start(self, ctx: Any) -> None:
        self._saw("start", ctx)

    @hookimpl
    def sindri_stop(self, ctx: Any) -> None:
        self._saw("stop", ctx)

    @hookimpl
    def sindri_connect(self, ctx: Any) -> None:
        self._saw("connect", ctx)


def _call(hooks: Any, operation: str, ctx: Any) -> Any:
    arguments: dict[str, tuple[Any, ...]] = {
        "check_prerequisites": (ctx,),
        "plan": (ctx, some_image()),
        "build": (ctx, local_build_context(ctx.project_dir), BuildOptions()),
        "deploy": (ctx, some_image(), None, DeployOptions()),
        "status": (ctx, None),
        "destroy": (ctx, DestroyOptions()),
        "start": (ctx,),
        "stop": (ctx,),
        "connect": (ctx, ()),
    }
    return getattr(hooks, operation)(*arguments[operation])


@pytest.mark.parametrize("operation", LIFECYCLE_OPERATIONS)
def test_lifecycle_hooks_reach_only_the_selected_provider(
    sindri_host: PluginHost, register_provider: Any, tmp_path: Path, operation: str
) -> None:
    alpha, beta, observer = RecordingProvider("alpha"), RecordingProvider("beta"), Observer()
    register_provider(alpha, name="alpha-plugin")
    register_provider(beta, name="beta-plugin")
    register_provider(observer, name="observer")
    for provider, other in ((alpha, beta), (beta, alpha)):
        ctx = make_context(sindri_host, provider.info.name, tmp_path)
        assert _call(sindri_host.hooks_for(ctx.provider), operation, ctx) is not None
        assert provider.operations() == [operation]
        assert other.operations() == ([operation] if other is alpha else [])
    assert observer.seen == [(operation, "alpha"), (operation, "beta")]


def test_hooks_for_is_cached_per_provider_and_reset_by_registration(
    sindri_host: PluginHost, register_provider: Any
) -> None:
    register_provider(RecordingProvider("alpha"), name="alpha-plugin")
    info = sindri_host.provider("alpha")
    assert sindri_host.hooks_for(info) is sindri_host.hooks_for(info)
    before = sindri_host.hooks_for(info)
    beta = RecordingProvider("beta")
    register_provider(beta, name="beta-plugin")
    ctx = make_context(sindri_host, "alpha", Path.cwd())
    after = sindri_host.hooks_for(info)
    assert after is not before
    after.start(ctx)
    assert beta.operations() == []  # the new provider is excluded too


# -- the shared hooks: core default, wrappers, replacement --------------------------------------


class NoteWrapper(InfoOnlyProvider):
    """A provider wrapping both shared hooks to adjust the core's answers."""

    @hookimpl(wrapper=True)
    def sindri_resolve_image(self, request: ImageRequest) -> Any:
        resolution = yield
        return attrs.evolve(resolution, notes=(*resolution.notes, f"seen by {self.info.name}"))

    @hookimpl(wrapper=True)
    def sindri_fetch_build_context(self, request: BuildContextRequest) -> Any:
        context = yield
        return attrs.evolve(context, build_args={**context.build_args, "WRAPPED": "yes"})


class RefusesBuilds(InfoOnlyProvider):
    """Like Kubernetes: a wrapper refusing a build answer."""

    @hookimpl(wrapper=True)
    def sindri_resolve_image(self, request: ImageRequest) -> Any:
        resolution = yield
        if resolution.is_build:
            raise ConfigError(f"{self.info.name} never builds", path="deployment.image")
        return resolution


class AnswersFirst(InfoOnlyProvider):
    """Replaces the core default by answering itself."""

    @hookimpl
    def sindri_resolve_image(self, request: ImageRequest) -> ImageResolution:
        return ImageResolution("own/image:1", ImageSource.IMAGE, f"{self.info.name} decided")


def test_wrapper_adjusts_the_core_resolution_for_its_provider_only(
    sindri_host: PluginHost, register_provider: Any, tmp_path: Path
) -> None:
    register_provider(NoteWrapper("wrapping"), name="wrapping-plugin")
    register_provider(InfoOnlyProvider("plain"), name="plain-plugin")
    for name, notes in (("wrapping", ("seen by wrapping",)), ("plain", ())):
        ctx = make_context(sindri_host, name, tmp_path, "image: registry.test/x:1.0.0")
        resolution = sindri_host.hooks_for(ctx.provider).resolve_image(image_request(ctx))
        assert (resolution.reference, resolution.source) == (
            "registry.test/x:1.0.0",
            ImageSource.IMAGE,
        )
        assert resolution.notes == notes


def test_wrapper_adjusts_the_core_build_context(
    sindri_host: PluginHost, register_provider: Any, tmp_path: Path
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    register_provider(NoteWrapper("wrapping"), name="wrapping-plugin")
    ctx = make_context(sindri_host, "wrapping", tmp_path)
    hooks = sindri_host.hooks_for(ctx.provider)
    resolution = hooks.resolve_image(image_request(ctx))
    assert resolution.is_build and resolution.notes == ("seen by wrapping",)
    request = BuildContextRequest(config=ctx.config, project_dir=tmp_path, source=resolution.build)
    context = hooks.fetch_build_context(request)
    assert context.dockerfile == tmp_path / "Dockerfile"
    assert context.build_args["WRAPPED"] == "yes"
    assert context.build_args["DISTRO"] == "ubuntu"  # the core default still answered


def test_wrapper_can_refuse_an_answer(
    sindri_host: PluginHost, register_provider: Any, tmp_path: Path
) -> None:
    register_provider(RefusesBuilds("cluster"), name="cluster-plugin")
    ctx = make_context(sindri_host, "cluster", tmp_path)
    with pytest.raises(ConfigError, match="cluster never builds"):
        sindri_host.hooks_for(ctx.provider).resolve_image(image_request(ctx))


def test_provider_answering_first_replaces_the_core_default(
    sindri_host: PluginHost, register_provider: Any, tmp_path: Path
) -> None:
    register_provider(AnswersFirst("own"), name="own-plugin")
    register_provider(InfoOnlyProvider("plain"), name="plain-plugin")
    own = make_context(sindri_host, "own", tmp_path, "image: registry.test/x:1.0.0")
    answer = sindri_host.hooks_for(own.provider).resolve_image(image_request(own))
    assert (answer.reference, answer.reason) == ("own/image:1", "own decided")
    plain = make_context(sindri_host, "plain", tmp_path, "image: registry.test/x:1.0.0")
    answer = sindri_host.hooks_for(plain.provider).resolve_image(image_request(plain))
    assert answer.reference == "registry.test/x:1.0.0"


def test_non_provider_wrapper_sees_every_provider(
    sindri_host: PluginHost, register_provider: Any, tmp_path: Path
) -> None:
    seen: list[str] = []

    class Audit:
        @hookimpl(wrapper=True)
        def sindri_resolve_image(self, request: ImageRequest) -> Any:
            seen.append(request.provider.name)
            return (yield)

    register_provider(Audit(), name="audit")
    for name in ("one", "two"):
        register_provider(InfoOnlyProvider(name, build=BuildLocation.NEVER), name=f"{name}-plugin")
    for name in ("one", "two"):
        ctx = make_context(sindri_host, name, tmp_path, "image: registry.test/x:1.0.0")
        sindri_host.hooks_for(ctx.provider).resolve_image(image_request(ctx))
    assert seen == ["one", "two"]


# -- the process-wide host ---------------------------------------------------------------------


def test_host_is_created_lazily_once_per_process(sindri_cli: Any) -> None:
    assert plugins._host is None
    assert sindri_cli("--version").exit_code == 0
    assert plugins._host is None  # --version needs no plugins
    host = get_host()
    assert get_host() is host
    assert sindri_cli("providers", "--json").exit_code == 0
    assert get_host() is host


# -- the entry-point cache ---------------------------------------------------------------------


def _count_scans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    scans: list[str] = []
    real_scan = entry_points._scan

    def scan(group: str) -> list[entry_points.PluginEntry]:
        scans.append(group)
        return real_scan(group)

    monkeypatch.setattr(entry_points, "_scan", scan)
    return scans


def test_entry_points_are_cached_between_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    scans = _count_scans(monkeypatch)
    first = entry_points.find_entry_points(ENTRY_POINT_GROUP)
    second = entry_points.find_entry_points(ENTRY_POINT_GROUP)
    assert first == second
    assert scans == [ENTRY_POINT_GROUP]
    cache = entry_points.cache_file(ENTRY_POINT_GROUP)
    names = {entry["name"] for entry in ast.literal_eval(cache.read_text())["entries"]}
    assert {"docker", "fly", "devpod", "e2b", "kubernetes"} <= names


def test_entry_point_cache_is_refreshed_when_sys_path_changes(
    monkeypatch: pytest.MonkeyPatch, fixture_site: Path, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(fixture_site)])
    scans = _count_scans(monkeypatch)
    before = {e.name for e in entry_points.find_entry_points(ENTRY_POINT_GROUP)}
    monkeypatch.syspath_prepend(str(fixture_site))
    after = {e.name for e in entry_points.find_entry_points(ENTRY_POINT_GROUP)}
    assert after - before == {
        "fixture-good",
        "fixture-broken",
        "fixture-blocked",
        "fixture-invalid",
        "faulty",
        "halfbad",
        "nosettings",
        "extension",
    }
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    entry_points.find_entry_points(ENTRY_POINT_GROUP)
    (site / "new_dist-1.0.dist-info").mkdir()  # an installation changes the directory
    os.utime(site, ns=(0, 1))
    entry_points.find_entry_points(ENTRY_POINT_GROUP)
    assert len(scans) == 4


def test_each_sys_path_keeps_its_own_cache_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Two interpreters (or PYTHONPATH variants) sharing one cache directory, taking turns:
    # each scans once, then both read their own file.
    scans = _count_scans(monkeypatch)
    plain = list(sys.path)
    extended = [str(tmp_path), *plain]
    for path in (plain, extended, plain, extended):
        monkeypatch.setattr(sys, "path", path)
        entry_points.find_entry_points(ENTRY_POINT_GROUP)
    assert len(scans) == 2
    monkeypatch.setattr(sys, "executable", str(Path(sys.executable).with_name("python3")))
    entry_points.find_entry_points(ENTRY_POINT_GROUP)  # same sys.path: the same file
    assert len(scans) == 2


def test_the_oldest_cache_files_are_removed_beyond_the_limit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(entry_points, "MAX_CACHE_FILES", 3)
    plain = list(sys.path)
    files = []
    for index in range(5):
        monkeypatch.setattr(sys, "path", [str(tmp_path / str(index)), *plain])
        entry_points.find_entry_points(ENTRY_POINT_GROUP)
        files.append(entry_points.cache_file(ENTRY_POINT_GROUP))
        os.utime(files[-1], ns=(index, index))  # written in this order, whatever the clock
    assert [f.exists() for f in files] == [False, False, True, True, True]


def test_corrupt_cache_means_a_fresh_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = entry_points.cache_file(ENTRY_POINT_GROUP)
    cache.parent.mkdir(parents=True)
    cache.write_text('{"fingerprint": ')
    scans = _count_scans(monkeypatch)
    assert "docker" in {e.name for e in entry_points.find_entry_points(ENTRY_POINT_GROUP)}
    assert scans and ast.literal_eval(cache.read_text())["entries"]


def test_unwritable_cache_is_not_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("SINDRI_CACHE_DIR", str(blocker))
    assert "docker" in {e.name for e in entry_points.find_entry_points(ENTRY_POINT_GROUP)}
    assert "docker" in PluginHost().catalog.names()


def test_entry_point_value_with_an_attribute() -> None:
    entry = entry_points.PluginEntry("x", "sindri_core.plugins:PluginHost.hooks_for")
    assert entry.load() is PluginHost.hooks_for
