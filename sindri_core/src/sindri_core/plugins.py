"""Loading plugins and calling hooks: the plugin host and its typed facade.

One :class:`PluginHost` per process (:func:`get_host`), created lazily: ``sindri --help`` and
``--version`` never build it, so they import no provider. Plugins come from the entry-point
group ``sindri.providers``. A plugin that fails to import or register is skipped and recorded
(``sindri providers`` shows it) unless ``SINDRI_STRICT_PLUGINS=1``;
``SINDRI_DISABLE_PLUGINS=name,...`` blocks plugins before they are imported.

The rest of sindri never calls ``pm.hook.*`` directly; it asks :meth:`PluginHost.hooks_for`
for a :class:`ProviderHooks`, whose typed methods call each hook on the selected provider's
plugin and on plugins that are not providers — never on other providers.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from sindri_core import hookspecs
from sindri_core.errors import ConfigError, NotImplementedYetError, PluginLoadError
from sindri_core.provider import ProviderCatalog, ProviderInfo

if TYPE_CHECKING:
    from sindri_core.build.context import BuildContext, BuildContextRequest
    from sindri_core.image.resolution import ImageRequest, ImageResolution
    from sindri_core.lifecycle import (
        BuildOptions,
        BuiltImage,
        DeploymentStatus,
        DeployOptions,
        DeployResult,
        DestroyOptions,
        OperationResult,
        Plan,
        ProviderContext,
    )
    from sindri_core.provider import PrerequisiteReport

__all__ = ["ENTRY_POINT_GROUP", "PluginFailure", "PluginHost", "ProviderHooks", "get_host"]

ENTRY_POINT_GROUP = "sindri.providers"
BUILTIN_PLUGIN = "sindri_core.builtin"


@attrs.frozen
class PluginFailure:
    """A plugin that was not loaded, and why."""

    name: str
    distribution: str | None
    error: str
    status: str = "failed"  # failed | disabled

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)


def _env_list(value: str | None) -> set[str]:
    return {part.strip() for part in (value or "").split(",") if part.strip()}


class PluginHost:
    """The plugin manager, the providers it found, and the plugins that failed.

    :param load_entry_points: scan the ``sindri.providers`` group (off in tests).
    :param environ: where ``SINDRI_STRICT_PLUGINS`` / ``SINDRI_DISABLE_PLUGINS`` are read.
    """

    def __init__(
        self, *, load_entry_points: bool = True, environ: Mapping[str, str] | None = None
    ) -> None:
        environ = os.environ if environ is None else environ
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.strict = environ.get("SINDRI_STRICT_PLUGINS", "") in {"1", "true", "yes"}
        self.disabled = _env_list(environ.get("SINDRI_DISABLE_PLUGINS"))
        self.failures: list[PluginFailure] = []
        self._distributions: dict[str, tuple[str, str]] = {}  # plugin name -> (dist, version)
        self._catalog: ProviderCatalog | None = None
        self._plugin_of: dict[str, object] = {}
        self._hooks: dict[str, ProviderHooks] = {}
        self._register_builtins()
        if load_entry_points:
            self._load_entry_points()

    # -- loading ---------------------------------------------------------------------------

    def _register_builtins(self) -> None:
        from sindri_core import builtin

        self.pm.register(builtin, name=BUILTIN_PLUGIN)

    def _load_entry_points(self) -> None:
        from importlib.metadata import entry_points

        seen: set[str] = set()
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in seen:  # the same dist-info reachable twice on sys.path
                continue
            seen.add(ep.name)
            dist = ep.dist.name if ep.dist is not None else None
            if ep.name in self.disabled:
                self.pm.set_blocked(ep.name)
                self.failures.append(
                    PluginFailure(ep.name, dist, "disabled by SINDRI_DISABLE_PLUGINS", "disabled")
                )
                continue
            try:
                module = ep.load()
                self.register(module, name=ep.name)
            except Exception as exc:  # any import-time failure of third-party code
                self._record_failure(ep.name, dist, exc)
                continue
            if ep.dist is not None:
                self._distributions[ep.name] = (ep.dist.name, ep.dist.version)

    def _record_failure(self, name: str, dist: str | None, exc: BaseException) -> None:
        message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        if self.strict:
            raise PluginLoadError(
                f"plugin {name!r} ({dist or 'unknown'}) failed to load: {message}"
            )
        self.failures.append(PluginFailure(name, dist, message))

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object (a module or an instance) and forget cached lookups."""
        if name in self.disabled:
            return
        try:
            self.pm.register(plugin, name=name)
        except ValueError:  # already registered under this name or object: already loaded
            return
        self.pm.check_pending()
        self._catalog = None
        self._hooks.clear()

    def unregister(self, name: str) -> None:
        self.pm.unregister(name=name)
        self._catalog = None
        self._hooks.clear()

    # -- providers ---------------------------------------------------------------------------

    @property
    def catalog(self) -> ProviderCatalog:
        """Every registered provider, each asked once for its :class:`ProviderInfo`."""
        if self._catalog is None:
            self._catalog = self._collect_providers()
        return self._catalog

    def _collect_providers(self) -> ProviderCatalog:
        infos: list[ProviderInfo] = []
        owner: dict[str, str] = {}
        self._plugin_of = {}
        for impl in self.pm.hook.sindri_provider_info.get_hookimpls():
            try:
                info = impl.function()
                if not isinstance(info, ProviderInfo):
                    raise TypeError(f"sindri_provider_info returned {type(info).__name__}")
            except Exception as exc:
                self._record_failure(impl.plugin_name, None, exc)
                continue
            clash = next((n for n in info.names() if n in owner), None)
            if clash is not None:
                self._record_failure(
                    impl.plugin_name,
                    self._distributions.get(impl.plugin_name, (None,))[0],
                    ValueError(
                        f"provider name {clash!r} is already taken by plugin {owner[clash]!r}"
                    ),
                )
                continue
            dist, version = self._distributions.get(impl.plugin_name, (None, None))
            info = attrs.evolve(info, distribution=dist, version=version)
            for name in info.names():
                owner[name] = impl.plugin_name
            self._plugin_of[info.name] = impl.plugin
            infos.append(info)
        return ProviderCatalog(tuple(sorted(infos, key=lambda i: i.name)))

    def provider(self, name: str) -> ProviderInfo:
        """The provider called ``name`` (or with that alias).

        :raises ConfigError: no such provider is installed.
        """
        info = self.catalog.lookup(name)
        if info is None:
            installed = ", ".join(self.catalog.names()) or "none"
            raise ConfigError(f"{name!r} is not a provider; installed: {installed}")
        return info

    def hooks_for(self, provider: ProviderInfo) -> ProviderHooks:
        """The typed hook facade for one provider."""
        if provider.name not in self._hooks:
            _ = self.catalog
            others = [plugin for name, plugin in self._plugin_of.items() if name != provider.name]
            self._hooks[provider.name] = ProviderHooks(self.pm, provider, others)
        return self._hooks[provider.name]

    def plugin_names(self) -> list[str]:
        return [name for name, _ in self.pm.list_name_plugin() if name is not None]


class ProviderHooks:
    """Typed calls of every hook, restricted to one provider (and non-provider plugins)."""

    def __init__(
        self, pm: pluggy.PluginManager, provider: ProviderInfo, other_providers: Iterable[object]
    ) -> None:
        self.provider = provider
        self._pm = pm
        self._exclude = list(other_providers)
        self._callers: dict[str, Any] = {}

    def _call(self, hook: str, **kwargs: Any) -> Any:
        caller = self._callers.get(hook)
        if caller is None:
            caller = self._pm.subset_hook_caller(hook, remove_plugins=self._exclude)
            self._callers[hook] = caller
        return caller(**kwargs)

    def _lifecycle(self, hook: str, operation: str, **kwargs: Any) -> Any:
        result = self._call(hook, **kwargs)
        if result is None:
            raise NotImplementedYetError(
                f"the {self.provider.name} provider does not implement {operation} yet"
            )
        return result

    def resolve_image(self, request: ImageRequest) -> ImageResolution:
        return self._call("sindri_resolve_image", request=request)

    def fetch_build_context(self, request: BuildContextRequest) -> BuildContext:
        return self._call("sindri_fetch_build_context", request=request)

    def check_prerequisites(self, ctx: ProviderContext) -> PrerequisiteReport:
        return self._lifecycle("sindri_check_prerequisites", "prerequisite checks", ctx=ctx)

    def plan(self, ctx: ProviderContext, image: ImageResolution) -> Plan:
        return self._lifecycle("sindri_plan", "plan", ctx=ctx, image=image)

    def build(self, ctx: ProviderContext, build: BuildContext, options: BuildOptions) -> BuiltImage:
        return self._lifecycle("sindri_build", "build", ctx=ctx, build=build, options=options)

    def deploy(
        self,
        ctx: ProviderContext,
        image: ImageResolution,
        build: BuildContext | None,
        options: DeployOptions,
    ) -> DeployResult:
        return self._lifecycle(
            "sindri_deploy", "deploy", ctx=ctx, image=image, build=build, options=options
        )

    def status(self, ctx: ProviderContext, image: ImageResolution | None) -> DeploymentStatus:
        return self._lifecycle("sindri_status", "status", ctx=ctx, image=image)

    def destroy(self, ctx: ProviderContext, options: DestroyOptions) -> OperationResult:
        return self._lifecycle("sindri_destroy", "destroy", ctx=ctx, options=options)

    def start(self, ctx: ProviderContext) -> OperationResult:
        return self._lifecycle("sindri_start", "start", ctx=ctx)

    def stop(self, ctx: ProviderContext) -> OperationResult:
        return self._lifecycle("sindri_stop", "stop", ctx=ctx)

    def connect(self, ctx: ProviderContext, command: tuple[str, ...]) -> OperationResult:
        return self._lifecycle("sindri_connect", "connect", ctx=ctx, command=command)


_host: PluginHost | None = None


def get_host() -> PluginHost:
    """The process-wide plugin host, created on first use."""
    global _host
    if _host is None:
        _host = PluginHost()
    return _host


def set_host(host: PluginHost | None) -> None:
    """Replace the process-wide host (the test kit injects a fresh one)."""
    global _host
    _host = host
