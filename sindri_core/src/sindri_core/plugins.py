"""Loading plugins and calling hooks: the plugin host and its typed facade.

One :class:`PluginHost` per process (:func:`get_host`), created lazily: ``sindri --help`` and
``--version`` never build it, so they import no provider. Plugins come from the entry-point
group ``sindri.providers``. A plugin that fails to import or register is skipped and recorded
(``sindri providers`` shows it) unless ``SINDRI_STRICT_PLUGINS=1``;
``SINDRI_DISABLE_PLUGINS=name,...`` blocks plugins before they are imported.

The rest of sindri never calls ``pm.hook.*`` directly; it asks :meth:`PluginHost.hooks_for`
for a :class:`ProviderHooks`, whose typed methods call each hook on the selected provider's
plugin and on plugins that are not providers — never on other providers. Those methods also
name a plugin's fault as its own: an exception that is not a :class:`SindriError`, or an
answer of the wrong type, becomes a :class:`PluginFault` naming the plugin, its distribution
and version, and the operation (docs/adr/0014-plugin-host-contract.md).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import types
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from sindri_core import hookspecs
from sindri_core.errors import (
    ConfigError,
    NotImplementedYetError,
    PluginFault,
    PluginLoadError,
    SindriError,
)
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
    from sindri_core.plugin_status import PluginFailure, PluginRecord
    from sindri_core.prerequisites import PrerequisiteReport

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginFailure",
    "PluginHost",
    "PluginRecord",
    "ProviderHooks",
    "active_hooks",
    "get_host",
]

ENTRY_POINT_GROUP = "sindri.providers"
BUILTIN_PLUGIN = "sindri_core.builtin"


def _one_line(exc: BaseException) -> str:
    import traceback  # only a failure pays for it

    message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return " ".join(message.split())


def _module_root(module: str | None) -> str:
    return (module or "").partition(".")[0]


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
        self.warnings: list[str] = []
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
                from sindri_core.plugin_status import PluginFailure

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
        dist = self._distributions.get(name, (None, None))[0]
        message = _one_line(exc)  # one line, whatever the plugin raised
        if self.strict:
            raise PluginLoadError(
                f"plugin {name!r} ({dist or 'unknown distribution'}) failed to load: {message}"
            )
        from sindri_core.plugin_status import PluginFailure

        self.failures.append(PluginFailure(name, dist, message))

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object (a module or an instance) and forget cached lookups.

        Registering the same object under the same name again does nothing.

        :raises PluginLoadError: ``name`` is taken by another object, or this object is
            registered under another name.
        :raises pluggy.PluginValidationError: the plugin implements a hook wrongly (unknown
            hook name, unknown argument); nothing of it stays registered.
        """
        if name in self.disabled or self._already_registered(plugin, name):
            return
        try:
            registered = self.pm.register(plugin, name=name)
            self.pm.check_pending()
        except Exception:
            # pluggy before 1.7 leaves a plugin that failed validation registered, with the
            # hooks it had implemented correctly; take out whatever is left.
            self._discard(plugin, name)
            raise
        if registered is not None:
            self._forget_lookups()

    def _already_registered(self, plugin: object, name: str | None) -> bool:
        """Whether ``plugin`` is registered as ``name`` already.

        :raises PluginLoadError: ``name`` is taken by another object, or ``plugin`` is
            registered under another name.
        """
        taken = self.pm.get_plugin(name) if name is not None else None
        if taken is plugin:
            return True
        if taken is not None:
            raise PluginLoadError(
                f"plugin name {name!r} is taken by {_describe(taken)}; "
                f"{_describe(plugin)} was not registered"
            )
        other = self.pm.get_name(plugin) if self.pm.is_registered(plugin) else None
        if other is not None:
            raise PluginLoadError(
                f"{_describe(plugin)} is already registered as {other!r}, not also as {name!r}"
            )
        return False

    def _discard(self, plugin: object, name: str | None) -> None:
        registered_as = name if name is not None and self.pm.has_plugin(name) else None
        if registered_as is None and self.pm.is_registered(plugin):
            registered_as = self.pm.get_name(plugin)
        if registered_as is not None and self.pm.get_plugin(registered_as) is plugin:
            self.pm.unregister(name=registered_as)
        self._forget_lookups()

    def unregister(self, name: str) -> None:
        self.pm.unregister(name=name)
        self._forget_lookups()

    def _forget_lookups(self) -> None:
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
        self.warnings = []  # about the providers collected now
        for impl in self.pm.hook.sindri_provider_info.get_hookimpls():
            name = impl.plugin_name
            try:
                info = self._provider_info(impl, owner)
            except Exception as exc:
                # A provider that cannot say who it is must not receive lifecycle calls meant
                # for others (unregistered, it is not mistaken for a non-provider plugin).
                self.pm.unregister(name=name)
                self._record_failure(name, exc)
                continue
            for alias in info.names():
                owner[alias] = name
            self._plugin_of[info.name] = impl.plugin
            infos.append(info)
        return ProviderCatalog(tuple(sorted(infos, key=lambda i: i.name)))

    def _provider_info(self, impl: Any, owner: Mapping[str, str]) -> ProviderInfo:
        name = impl.plugin_name
        info = impl.function()
        if not isinstance(info, ProviderInfo):
            raise TypeError(
                f"sindri_provider_info returned {type(info).__name__}, not ProviderInfo"
            )
        clash = next((n for n in info.names() if n in owner), None)
        if clash is not None:
            raise ValueError(f"provider name {clash!r} is already taken by plugin {owner[clash]!r}")
        dist, version = self._distributions.get(name, (None, None))
        if name in self._distributions and name != info.name:
            self.warnings.append(
                f"plugin {name!r} ({dist or 'unknown distribution'}) registers the provider "
                f"{info.name!r} under another name: SINDRI_DISABLE_PLUGINS takes {name!r}"
            )
        return attrs.evolve(info, distribution=dist, version=version)

    def check_settings(self) -> ProviderCatalog:
        """Import every provider's settings class; a provider whose class cannot be imported
        is unregistered and recorded as failed. ``sindri providers`` and the commands that
        describe every provider's section call this; others import only the class they read
        (docs/adr/0008-startup-time.md)."""
        for info in self.catalog:
            try:
                _check_settings_location(info.config_class)
                info.settings_class()
            except PluginLoadError as exc:
                # A catalogued provider's plugin is registered, so pluggy knows its name.
                plugin_name = self.pm.get_name(self._plugin_of[info.name]) or info.name
                self.unregister(plugin_name)
                self._record_failure(plugin_name, exc)
        return self.catalog

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
            self._hooks[provider.name] = ProviderHooks(self, provider, others)
        return self._hooks[provider.name]

    def plugin_name_of(self, provider: ProviderInfo) -> str | None:
        """The name the plugin of ``provider`` is registered under."""
        _ = self.catalog
        plugin = self._plugin_of.get(provider.name)
        return self.pm.get_name(plugin) if plugin is not None else None

    def plugin_names(self) -> list[str]:
        return [name for name, _ in self.pm.list_name_plugin() if name is not None]

    # -- what is loaded, for `sindri providers` and fault messages -----------------------------

    def plugins(self) -> list[PluginRecord]:
        """Every plugin but the core's own: the loaded ones, then the failed and disabled."""
        from sindri_core.plugin_status import PluginRecord

        _ = self.catalog
        providers = {id(plugin): name for name, plugin in self._plugin_of.items()}
        records = []
        for name, plugin in self.pm.list_name_plugin():
            if name == BUILTIN_PLUGIN or plugin is None:
                continue
            dist, version = self.distribution_of(name)
            hooks = tuple(sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or ()))
            records.append(
                PluginRecord(name, dist, version, hooks, "active", providers.get(id(plugin)))
            )
        for failure in self.failures:
            version = self._distributions.get(failure.name, (None, None))[1]
            records.append(
                PluginRecord(
                    failure.name,
                    failure.distribution,
                    version,
                    (),
                    failure.status,
                    error=failure.error,
                )
            )
        return records

    def distribution_of(self, plugin_name: str) -> tuple[str | None, str | None]:
        """The distribution and version a plugin came from, when it is known."""
        return self._distributions.get(plugin_name, (None, None))

    def _plugin_roots(self) -> dict[str, list[str]]:
        """Top-level package -> the plugins whose hooks it holds (all but the core's own)."""
        roots: dict[str, list[str]] = {}
        for name, plugin in self.pm.list_name_plugin():
            if name == BUILTIN_PLUGIN or plugin is None:
                continue
            for caller in self.pm.get_hookcallers(plugin) or ():
                for impl in caller.get_hookimpls():
                    if impl.plugin is not plugin:
                        continue
                    names = roots.setdefault(_module_root(impl.function.__module__), [])
                    if name not in names:
                        names.append(name)
        roots.pop(_module_root(__name__), None)
        return roots

    def culprit(self, exc: BaseException, prefer: str | None = None) -> str | None:
        """The plugin whose code was running when ``exc`` was raised, if any.

        The traceback is walked from the hook call inwards: a frame of a plugin's package
        makes that plugin the suspect, a frame of the core's own hook implementations clears
        it (a provider's wrapper that only passed the core's failure on is not at fault).
        Of several plugins in one package, ``prefer`` (the selected provider's) is chosen.
        """
        import traceback

        roots = self._plugin_roots()
        suspects: list[str] = []
        for frame, _ in traceback.walk_tb(exc.__traceback__):
            module = frame.f_globals.get("__name__")
            if module == BUILTIN_PLUGIN:
                suspects = []
            elif roots.get(_module_root(module)):
                suspects = roots[_module_root(module)]
        if not suspects:
            return None
        return prefer if prefer in suspects else suspects[0]

    def describe_plugin(self, plugin_name: str) -> str:
        """``sindri-provider-hello 1.0.0``: where a plugin comes from, for fault messages."""
        dist, version = self.distribution_of(plugin_name)
        if dist is None:
            dist, version = _installed_distribution(self.pm.get_plugin(plugin_name))
        if dist is None:
            return "not from an installed distribution"
        return f"{dist} {version}" if version else dist


def _describe(plugin: object) -> str:
    if isinstance(plugin, types.ModuleType):
        return f"module {plugin.__name__}"
    kind = type(plugin)
    return f"{kind.__module__}.{kind.__qualname__} object"


def _check_settings_location(config_class: object) -> None:
    """A settings class given as ``"package.module:Class"`` must name a module that exists.

    Found without running it (the class is imported when it is needed,
    docs/adr/0008-startup-time.md).
    """
    if not isinstance(config_class, str):
        return
    import importlib.util

    module = config_class.partition(":")[0].strip()
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a missing parent package, an empty name
        found = False
    if not found:
        raise PluginLoadError(f"its settings class {config_class!r} names no module")


def _installed_distribution(plugin: object) -> tuple[str | None, str | None]:
    """The installed distribution holding a plugin registered without an entry point."""
    from importlib import metadata

    module = plugin.__name__ if isinstance(plugin, types.ModuleType) else type(plugin).__module__
    dists = metadata.packages_distributions().get(_module_root(module)) or []
    if not dists:
        return None, None
    return dists[0], metadata.version(dists[0])


_active: contextvars.ContextVar[ProviderHooks | None] = contextvars.ContextVar(
    "sindri_active_hooks", default=None
)


def active_hooks() -> ProviderHooks | None:
    """The hooks of the provider whose hook is running now (``None`` outside a hook call).

    Lets :func:`sindri_core.plugin.planned_context` send a provider's plan-time request
    through ``sindri_fetch_build_context`` of the same host and provider.
    """
    return _active.get()


class ProviderHooks:
    """Typed calls of every hook, restricted to one provider (and non-provider plugins)."""

    def __init__(
        self, host: PluginHost, provider: ProviderInfo, other_providers: Iterable[object]
    ) -> None:
        self.provider = provider
        self._host = host
        self._pm = host.pm
        self._exclude = list(other_providers)
        self._callers: dict[str, Any] = {}

    def _caller(self, hook: str) -> Any:
        caller = self._callers.get(hook)
        if caller is None:
            caller = self._pm.subset_hook_caller(hook, remove_plugins=self._exclude)
            self._callers[hook] = caller
        return caller

    def _call(self, hook: str, expected: type | tuple[type, ...], **kwargs: Any) -> Any:
        """Call ``hook``; a plugin's exception or wrongly typed answer becomes a
        :class:`PluginFault` naming it."""
        token = _active.set(self)
        try:
            with self._faults_named(hook):
                result = self._caller(hook)(**kwargs)
        finally:
            _active.reset(token)
        if not isinstance(result, expected):
            self._wrong_result(hook, result, expected)
        return result

    @contextlib.contextmanager
    def _faults_named(self, hook: str) -> Iterator[None]:
        try:
            yield
        except SindriError:
            raise
        except Exception as exc:
            culprit = self._host.culprit(exc, prefer=self._host.plugin_name_of(self.provider))
            if culprit is None:
                raise  # the core's own bug: "internal error"
            raise self._fault(culprit, hook, _one_line(exc)) from exc

    def _wrong_result(self, hook: str, result: object, expected: type | tuple[type, ...]) -> None:
        if result is None and not self.implements(hook.removeprefix("sindri_")):
            raise self._not_implemented(hook.removeprefix("sindri_"))
        names = [expected] if isinstance(expected, type) else list(expected)
        wanted = " or ".join(t.__name__ for t in names if t is not type(None))
        culprit = self._answering_plugin(hook)
        if culprit is None:
            raise TypeError(f"{hook} returned {type(result).__name__}, not {wanted}")
        missing = " (a missing return?)" if result is None else ""
        raise self._fault(
            culprit, hook, f"{hook} returned {type(result).__name__}, not {wanted}{missing}"
        )

    def _answering_plugin(self, hook: str) -> str | None:
        """The plugin to hold responsible for an answer: the provider if it implements the
        hook, else the first other plugin that does."""
        names = [
            impl.plugin_name
            for impl in self._caller(hook).get_hookimpls()
            if impl.plugin_name != BUILTIN_PLUGIN
        ]
        provider_plugin = self._host.plugin_name_of(self.provider)
        if provider_plugin in names:
            return provider_plugin
        return names[0] if names else None

    def _fault(self, plugin_name: str, hook: str, what: str) -> PluginFault:
        operation = hook.removeprefix("sindri_").replace("_", " ")
        origin = self._host.describe_plugin(plugin_name)
        who = (
            f"the {self.provider.name} provider ({origin})"
            if plugin_name == self._host.plugin_name_of(self.provider)
            else f"plugin {plugin_name!r} ({origin}), in the {self.provider.name} provider's"
        )
        return PluginFault(
            f"{who} failed in {operation}: {what}",
            hint="a fault in the plugin, not in sindri or sindri.yaml; --debug shows where",
        )

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

    def resolve_image(self, request: ImageRequest) -> ImageResolution:
        from sindri_core.image.resolution import ImageResolution

        return self._call("sindri_resolve_image", ImageResolution, request=request)

    def fetch_build_context(self, request: BuildContextRequest) -> BuildContext | None:
        """The build context; at plan time (``request.planning``) ``None`` when it would have
        to be fetched."""
        from sindri_core.build.context import BuildContext

        expected = (BuildContext, type(None)) if request.planning else BuildContext
        return self._call("sindri_fetch_build_context", expected, request=request)

    def check_prerequisites(self, ctx: ProviderContext) -> PrerequisiteReport:
        from sindri_core.prerequisites import PrerequisiteReport

        report = self._call("sindri_check_prerequisites", (PrerequisiteReport, type(None)), ctx=ctx)
        return report if report is not None else PrerequisiteReport()  # nothing needed

    def plan(self, ctx: ProviderContext, image: ImageResolution) -> Plan:
        from sindri_core.lifecycle import Plan

        return self._call("sindri_plan", Plan, ctx=ctx, image=image)

    def build(self, ctx: ProviderContext, build: BuildContext, options: BuildOptions) -> BuiltImage:
        from sindri_core.lifecycle import BuiltImage

        return self._call("sindri_build", BuiltImage, ctx=ctx, build=build, options=options)

    def deploy(
        self,
        ctx: ProviderContext,
        image: ImageResolution,
        build: BuildContext | None,
        options: DeployOptions,
    ) -> DeployResult:
        from sindri_core.lifecycle import DeployResult

        return self._call(
            "sindri_deploy", DeployResult, ctx=ctx, image=image, build=build, options=options
        )

    def status(self, ctx: ProviderContext, image: ImageResolution | None) -> DeploymentStatus:
        from sindri_core.lifecycle import DeploymentStatus

        return self._call("sindri_status", DeploymentStatus, ctx=ctx, image=image)

    def destroy(self, ctx: ProviderContext, options: DestroyOptions) -> OperationResult:
        from sindri_core.lifecycle import OperationResult

        return self._call("sindri_destroy", OperationResult, ctx=ctx, options=options)

    def start(self, ctx: ProviderContext) -> OperationResult:
        from sindri_core.lifecycle import OperationResult

        return self._call("sindri_start", OperationResult, ctx=ctx)

    def stop(self, ctx: ProviderContext) -> OperationResult:
        from sindri_core.lifecycle import OperationResult

        return self._call("sindri_stop", OperationResult, ctx=ctx)

    def connect(self, ctx: ProviderContext, command: tuple[str, ...]) -> OperationResult:
        from sindri_core.lifecycle import OperationResult

        return self._call("sindri_connect", OperationResult, ctx=ctx, command=command)


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


def __getattr__(name: str) -> Any:
    # PluginFailure and PluginRecord live in plugin_status, imported when one is made.
    if name in ("PluginFailure", "PluginRecord"):
        from sindri_core import plugin_status

        return getattr(plugin_status, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
