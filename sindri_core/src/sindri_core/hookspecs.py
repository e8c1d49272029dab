"""Every hook sindri defines. This module is the plugin API.

Hook names start with ``sindri_``; implementations are marked with
:data:`sindri_core.plugin.hookimpl` (plugins import everything from :mod:`sindri_core.plugin`).
Two kinds of hooks exist:

*Lifecycle hooks* (``sindri_plan`` … ``sindri_check_prerequisites``) are called **only on the
selected provider's plugin** (and on plugins that are not providers), never broadcast, so an
implementation never has to ask "is this call for me?". They stop at the first non-``None``
result.

*Shared hooks* (``sindri_resolve_image``, ``sindri_fetch_build_context``) have a default
implementation in the core, marked ``trylast``, and are dispatched the same way. A provider may
answer first to replace it, or adjust its answer with a ``wrapper=True`` implementation, which
sees only its own provider's calls::

    @hookimpl(wrapper=True)
    def sindri_resolve_image(request):
        resolution = yield
        return adjusted(resolution)

A plugin that is not a provider sees every provider's calls and tells them apart by
``request.provider`` or ``ctx.provider``.

Every answer is checked against the type each hook documents. An implementation that returns
``None`` or another type, or raises an exception that is not a
:class:`~sindri_core.errors.SindriError`, stops the command with one line naming its plugin,
distribution and version, and the operation (exit 1).

Arguments are frozen attrs classes; hooks may be given new arguments in later versions
(implementations only name the ones they use; naming one that does not exist is a registration
failure).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

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
    from sindri_core.prerequisites import PrerequisiteReport
    from sindri_core.provider import ProviderInfo

PROJECT_NAME = "sindri"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)

__all__ = [
    "PROJECT_NAME",
    "hookspec",
    "sindri_build",
    "sindri_check_prerequisites",
    "sindri_connect",
    "sindri_deploy",
    "sindri_destroy",
    "sindri_fetch_build_context",
    "sindri_plan",
    "sindri_provider_info",
    "sindri_resolve_image",
    "sindri_start",
    "sindri_status",
    "sindri_stop",
]


# -- registration ---------------------------------------------------------------------------


@hookspec
def sindri_provider_info() -> ProviderInfo:
    """Describe the provider this plugin implements.

    Called once per process, on each plugin separately, the first time the installed providers
    are needed (not a first-result hook: every provider answers). A plugin that is not a
    provider (a wrapper, an extension) does not implement it. A plugin whose answer fails,
    is not a :class:`~sindri_core.provider.ProviderInfo`, reuses a taken name or names a
    settings module that does not exist is unloaded and listed as failed by
    ``sindri providers``.

    :returns: the provider's :class:`~sindri_core.provider.ProviderInfo`: name, aliases,
        description, capabilities and the attrs class of its ``providers.<name>`` section.
        Names and aliases must be unique across installed providers.
    """


# -- shared hooks ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def sindri_resolve_image(request: ImageRequest) -> ImageResolution:
    """Decide which image the deployment runs: the priority chain (docs/IMAGE_MANAGEMENT.md).

    Called by ``image resolve``, ``plan``, ``build``, ``deploy`` and ``status``, on the core
    and the selected provider only. Stops at the first non-``None`` result. The core's
    implementation (``trylast``) walks digest → tag_override → version range → image → build
    and raises :class:`~sindri_core.errors.ConfigError` ("No image configured") when nothing
    applies.

    Providers wrap it (``wrapper=True``) to refuse or adapt an answer, e.g. Kubernetes
    refuses :attr:`~sindri_core.image.resolution.ImageSource.BUILD`.

    ``request.lock`` is the project's ``sindri.lock`` when it still answers for the
    configuration: the core then takes levels 2 and 3 from it (``locked`` answers, no registry
    request) and pins a build from the Sindri sources to its commit; with ``request.locked``
    (``--locked``) a level the lock does not answer raises
    :class:`~sindri_core.errors.StaleLockError` (exit 5). A provider that answers first
    should honour the lock the same way.

    :param request: the configuration, project directory, selected provider, flags and lock.
    :returns: the :class:`~sindri_core.image.resolution.ImageResolution`.
    """


@hookspec(firstresult=True)
def sindri_fetch_build_context(request: BuildContextRequest) -> BuildContext:
    """Materialise a build source as a build context on disk (docs/IMAGE_MANAGEMENT.md).

    Called when the chain answered with a build and an operation needs the files (``build``,
    ``deploy``, ``image context``), and at plan time when a provider's ``sindri_plan`` asks
    :func:`sindri_core.plugin.planned_context` (``request.planning``: nothing may be fetched,
    written or run). Stops at the first non-``None`` result. The core's implementation
    (``trylast``) uses the local Dockerfile in place or fetches the Sindri sources into the
    cache; at plan time it answers ``None`` for the Sindri sources.

    :param request: the configuration, project directory, chosen build source, selected
        provider and whether this is plan time.
    :returns: the :class:`~sindri_core.build.context.BuildContext` (``None`` only at plan
        time).
    """


# -- lifecycle hooks (selected provider only) --------------------------------------------------


@hookspec(firstresult=True)
def sindri_check_prerequisites(ctx: ProviderContext) -> PrerequisiteReport:
    """Report whether the external tools and credentials the provider needs are present.

    Called before ``build``, ``deploy``, ``status``, ``start``, ``stop``, ``connect`` and
    ``destroy``, after the command checked that the provider implements the operation; first
    result wins. Must not change anything. Optional: a provider that does not implement it
    needs nothing.

    :param ctx: the deployment context.
    :returns: a :class:`~sindri_core.provider.PrerequisiteReport`; unsatisfied items stop the
        command with their install hints.
    """


@hookspec(firstresult=True)
def sindri_plan(ctx: ProviderContext, image: ImageResolution) -> Plan:
    """Describe what ``deploy`` would do, and the files it would generate.

    Called by ``plan`` and ``deploy --dry-run``; first result wins. Must run no command that
    changes anything and write nothing; for a build, ``image.reference`` is the placeholder
    ``sindri:{cli_version}-SOURCE`` and nothing has been fetched
    (:func:`sindri_core.plugin.planned_context` gives a local Dockerfile's context).

    :param ctx: the deployment context.
    :param image: the chain's answer.
    :returns: a :class:`~sindri_core.lifecycle.Plan` (actions and artifacts).
    """


@hookspec(firstresult=True)
def sindri_build(ctx: ProviderContext, build: BuildContext, options: BuildOptions) -> BuiltImage:
    """Build (and where the provider needs it, push or load) the image from a build context.

    Called by ``sindri build``; first result wins. (``deploy`` hands the build context to
    :func:`sindri_deploy` instead, and the provider builds inside its deploy.) A provider
    that builds locally skips the build when an image with the same fingerprint exists,
    unless ``options.force``. A provider that never builds does not implement it (the core
    refuses before calling). ``ctx.output_dir`` exists while it runs.

    :param ctx: the deployment context.
    :param build: the fetched build context.
    :param options: build options.
    :returns: a :class:`~sindri_core.lifecycle.BuiltImage`.
    """


@hookspec(firstresult=True)
def sindri_deploy(
    ctx: ProviderContext,
    image: ImageResolution,
    build: BuildContext | None,
    options: DeployOptions,
) -> DeployResult:
    """Create or update the deployment.

    Called by ``deploy`` after resolution, verification, prerequisites and (for builds)
    fetching the context; first result wins. When ``build`` is given the provider builds the
    image itself (locally or remotely) as part of the deployment. Refuses to replace an
    existing deployment unless ``options.force``; waits until it runs unless ``options.wait``
    is false. Raises an :class:`~sindri_core.errors.OperationError` on failure, never
    returns a failed result.

    :param ctx: the deployment context.
    :param image: the chain's answer (for a build, the level-5 answer).
    :param build: the build context when the provider must build, else ``None``.
    :param options: deploy options.
    ``ctx.output_dir`` exists while it runs (as for :func:`sindri_build`).

    :returns: a :class:`~sindri_core.lifecycle.DeployResult`.
    """


@hookspec(firstresult=True)
def sindri_status(ctx: ProviderContext, image: ImageResolution | None) -> DeploymentStatus:
    """Report the deployment's state and the image actually running.

    Called by ``status`` (and ``status --watch``, repeatedly); first result wins. Read-only.
    A deployment that does not exist is ``not_deployed``, not an error.

    :param ctx: the deployment context.
    :param image: the configured image per the chain (resolved without network where
        possible), or ``None`` when nothing is configured.
    :returns: a :class:`~sindri_core.lifecycle.DeploymentStatus`.
    """


@hookspec(firstresult=True)
def sindri_destroy(ctx: ProviderContext, options: DestroyOptions) -> OperationResult:
    """Remove what this deployment created, and nothing else; volumes only when asked.

    Called by ``destroy`` after the user confirmed (or passed ``--yes``); first result wins.

    :param ctx: the deployment context.
    :param options: destroy options (``volumes``).
    :returns: an :class:`~sindri_core.lifecycle.OperationResult`.
    """


@hookspec(firstresult=True)
def sindri_start(ctx: ProviderContext) -> OperationResult:
    """Start a stopped deployment.

    Called by ``start``; first result wins.

    :param ctx: the deployment context.
    :returns: an :class:`~sindri_core.lifecycle.OperationResult`.
    """


@hookspec(firstresult=True)
def sindri_stop(ctx: ProviderContext) -> OperationResult:
    """Stop a running deployment, keeping its data.

    Called by ``stop``; first result wins.

    :param ctx: the deployment context.
    :returns: an :class:`~sindri_core.lifecycle.OperationResult`.
    """


@hookspec(firstresult=True)
def sindri_connect(ctx: ProviderContext, command: tuple[str, ...]) -> OperationResult:
    """Open an interactive shell (or run ``command``) in the deployment.

    Called by ``connect``; first result wins. The CLI exits with the result's ``exit_code``.

    :param ctx: the deployment context.
    :param command: a command to run instead of a login shell; empty for a shell.
    :returns: an :class:`~sindri_core.lifecycle.OperationResult` carrying the exit status.
    """
