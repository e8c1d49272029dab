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
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from sindri_core import hookspecs
from sindri_core.errors import ConfigError, NotImplementedYetError, PluginLoadError
from sindri_core.provider import PrerequisiteReport, ProviderCatalog, ProviderInfo

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
        # plugin name -> (distribution, version), for `sindri providers` and failure messages
        self._distributions: dict[str, tuple[str | None, str | None]] = {}
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
        from sindri_core.entry_points import find_entry_points

        for entry in find_entry_points(ENTRY_POINT_GROUP):
            if entry.name in self.disabled:
                self.pm.set_blocked(entry.name)  # never imported
                self.failures.append(
                    PluginFailure(
                        entry.name,
                        entry.distribution,
                        "disabled by SINDRI_DISABLE_PLUGINS",
                        "disabled",
                    )
                )
                continue
            self._distributions[entry.name] = (entry.distribution, entry.version)
            try:
                self.register(entry.load(), name=entry.name)
            except Exception as exc:  # any import-time failure of third-party code
                self._record_failure(entry.name, exc)

    def _record_failure(self, name: str, exc: BaseException) -> None:
        import traceback

        dist = self._distributions.get(name, (None, None))[0]
        message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        message = " ".join(message.split())  # one line, whatever the plugin raised
        if self.strict:
            raise PluginLoadError(
                f"plugin {name!r} ({dist or 'unknown distribution'}) failed to load: {message}"
            )
        self.failures.append(PluginFailure(name, dist, message))

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object (a module or an instance) and forget cached lookups.

        :raises pluggy.PluginValidationError: the plugin implements a hook wrongly (unknown
            hook name, unknown argument); it is not left registered.
        """
        if name in self.disabled:
            return
        try:
            registered = self.pm.register(plugin, name=name)
        except ValueError:  # already registered under this name or object: already loaded
            return
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError:
            self.pm.unregister(name=registered)
            raise
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
            name = impl.plugin_name
            try:
                info = impl.function()
                if not isinstance(info, ProviderInfo):
                    raise TypeError(
                        f"sindri_provider_info returned {type(info).__name__}, not ProviderInfo"
                    )
                clash = next((n for n in info.names() if n in owner), None)
                if clash is not None:
                    raise ValueError(
                        f"provider name {clash!r} is already taken by plugin {owner[clash]!r}"
                    )
            except Exception as exc:
                # A provider that cannot say who it is must not receive lifecycle calls meant
                # for others (unregistered, it is not mistaken for a non-provider plugin).
                self.pm.unregister(name=name)
                self._record_failure(name, exc)
                continue
            dist, version = self._distributions.get(name, (None, None))
            info = attrs.evolve(info, distribution=dist, version=version)
            for alias in info.names():
                owner[alias] = name
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

    def _caller(self, hook: str) -> Any:
        caller = self._callers.get(hook)
        if caller is None:
            caller = self._pm.subset_hook_caller(hook, remove_plugins=self._exclude)
            self._callers[hook] = caller
        return caller

    def _call(self, hook: str, **kwargs: Any) -> Any:
        return self._caller(hook)(**kwargs)

    def implements(self, operation: str) -> bool:
        """Whether a plugin answers ``sindri_<operation>`` for this provider (wrappers aside)."""
        impls = self._caller(f"sindri_{operation}").get_hookimpls()
        return any(not (impl.wrapper or impl.hookwrapper) for impl in impls)

    def require(self, operation: str) -> None:
        """Fail early, before any work, when the provider lacks ``operation``.

        :raises NotImplementedYetError: nothing implements ``sindri_<operation>``.
        """
        if not self.implements(operation):
            raise self._not_implemented(operation)

    def _not_implemented(self, operation: str) -> NotImplementedYetError:
        return NotImplementedYetError(
            f"the {self.provider.name} provider does not implement {operation} yet"
        )

    def _lifecycle(self, hook: str, **kwargs: Any) -> Any:
        result = self._call(hook, **kwargs)
        if result is None:
            raise self._not_implemented(hook.removeprefix("sindri_"))
        return result

    def resolve_image(self, request: ImageRequest) -> ImageResolution:
        return self._call("sindri_resolve_image", request=request)

    def fetch_build_context(self, request: BuildContextRequest) -> BuildContext:
        return self._call("sindri_fetch_build_context", request=request)

    def check_prerequisites(self, ctx: ProviderContext) -> PrerequisiteReport:
        report = self._call("sindri_check_prerequisites", ctx=ctx)
        return report if report is not None else PrerequisiteReport()  # nothing needed

    def plan(self, ctx: ProviderContext, image: ImageResolution) -> Plan:
        return self._lifecycle("sindri_plan", ctx=ctx, image=image)

    def build(self, ctx: ProviderContext, build: BuildContext, options: BuildOptions) -> BuiltImage:
        return self._lifecycle("sindri_build", ctx=ctx, build=build, options=options)

    def deploy(
        self,
        ctx: ProviderContext,
        image: ImageResolution,
        build: BuildContext | None,
        options: DeployOptions,
    ) -> DeployResult:
        return self._lifecycle("sindri_deploy", ctx=ctx, image=image, build=build, options=options)

    def status(self, ctx: ProviderContext, image: ImageResolution | None) -> DeploymentStatus:
        return self._lifecycle("sindri_status", ctx=ctx, image=image)

    def destroy(self, ctx: ProviderContext, options: DestroyOptions) -> OperationResult:
        return self._lifecycle("sindri_destroy", ctx=ctx, options=options)

    def start(self, ctx: ProviderContext) -> OperationResult:
        return self._lifecycle("sindri_start", ctx=ctx)

    def stop(self, ctx: ProviderContext) -> OperationResult:
        return self._lifecycle("sindri_stop", ctx=ctx)

    def connect(self, ctx: ProviderContext, command: tuple[str, ...]) -> OperationResult:
        return self._lifecycle("sindri_connect", ctx=ctx, command=command)


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
