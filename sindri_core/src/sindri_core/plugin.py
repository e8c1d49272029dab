"""The plugin API: the one module a provider (or any sindri plugin) imports.

Everything a provider needs is here, and nothing else of ``sindri_core`` is promised to
plugins: the rest may change in any release. The first-party providers and the example in
``examples/plugin`` import only this module (a test keeps them to it)::

    from sindri_core.plugin import ProviderContext, ProviderInfo, hookimpl

The hooks themselves are declared and documented in :mod:`sindri_core.hookspecs`; how to
write a provider is in docs/PLUGINS.md.

Names are imported on first use (PEP 562 ``__getattr__``): every command loads every
installed plugin, and a plugin module that imports only what its ``sindri_provider_info``
needs keeps start-up cheap (docs/adr/0008-startup-time.md).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pluggy

    from sindri_core import docker_engine, local_cluster
    from sindri_core.artifacts import (
        remove_artifact,
        remove_artifacts,
        write_artifact,
        write_artifacts,
        write_copy,
    )
    from sindri_core.build.context import (
        BuildContext,
        BuildContextRequest,
        BuildSource,
        SourceKind,
    )
    from sindri_core.config.fields import Forbid, constraints, section, setting
    from sindri_core.config.model import (
        DEFAULT_FILE_PERMISSIONS,
        Gpu,
        Secret,
        SindriConfig,
        size_to_mb,
    )
    from sindri_core.deploy_record import DeployRecord, config_change, sha256_text
    from sindri_core.docker_engine import (
        QUERY_TIMEOUT,
        ContainerInfo,
        build_image,
        container_logs,
        container_stats,
        engine_info,
        engine_version,
        exec_argv,
        exec_output,
        has_built_image,
        image_exists_locally,
        inspect_container,
        list_containers,
        list_networks,
        list_volumes,
        remove_containers,
        remove_networks,
        remove_volumes,
    )
    from sindri_core.errors import (
        ConfigError,
        ExternalCommandError,
        OperationError,
        SindriError,
        UsageError,
    )
    from sindri_core.image.credentials import Credentials, lookup_credentials
    from sindri_core.image.reference import ImageReference
    from sindri_core.image.resolution import ImageRequest, ImageResolution, ImageSource
    from sindri_core.lifecycle import (
        Artifact,
        BuildOptions,
        BuiltImage,
        Change,
        ChangeAction,
        DeploymentState,
        DeploymentStatus,
        DeployOptions,
        DeployResult,
        DestroyOptions,
        OperationResult,
        Plan,
        PlannedAction,
        ProviderContext,
    )
    from sindri_core.local_cluster import (
        LocalCluster,
        configured_cluster,
        detect_local_cluster,
        load_image,
        require_cluster,
    )
    from sindri_core.output import Console
    from sindri_core.prerequisites import Prerequisite, PrerequisiteReport
    from sindri_core.provider import BuildLocation, Capabilities, ConfigFinding, ProviderInfo
    from sindri_core.runner import CommandResult, CommandRunner, describe
    from sindri_core.secrets import SecretValues

    hookimpl: pluggy.HookimplMarker

__all__ = [
    "DEFAULT_FILE_PERMISSIONS",
    "QUERY_TIMEOUT",
    "Artifact",
    "BuildContext",
    "BuildContextRequest",
    "BuildLocation",
    "BuildOptions",
    "BuildSource",
    "BuiltImage",
    "Capabilities",
    "Change",
    "ChangeAction",
    "CommandResult",
    "CommandRunner",
    "ConfigError",
    "ConfigFinding",
    "Console",
    "ContainerInfo",
    "Credentials",
    "DeployOptions",
    "DeployRecord",
    "DeployResult",
    "DeploymentState",
    "DeploymentStatus",
    "DestroyOptions",
    "ExternalCommandError",
    "Forbid",
    "Gpu",
    "ImageReference",
    "ImageRequest",
    "ImageResolution",
    "ImageSource",
    "LocalCluster",
    "OperationError",
    "OperationResult",
    "Plan",
    "PlannedAction",
    "Prerequisite",
    "PrerequisiteReport",
    "ProviderContext",
    "ProviderInfo",
    "Secret",
    "SecretValues",
    "SindriConfig",
    "SindriError",
    "SourceKind",
    "UsageError",
    "build_image",
    "config_change",
    "configured_cluster",
    "constraints",
    "container_logs",
    "container_stats",
    "describe",
    "detect_local_cluster",
    "docker_engine",
    "engine_info",
    "engine_version",
    "exec_argv",
    "exec_output",
    "has_built_image",
    "hookimpl",
    "image_exists_locally",
    "inspect_container",
    "list_containers",
    "list_networks",
    "list_volumes",
    "load_image",
    "local_cluster",
    "lookup_credentials",
    "planned_context",
    "remove_artifact",
    "remove_artifacts",
    "remove_containers",
    "remove_networks",
    "remove_volumes",
    "require_cluster",
    "section",
    "setting",
    "sha256_text",
    "size_to_mb",
    "write_artifact",
    "write_artifacts",
    "write_copy",
]

# name -> the module that defines it
_EXPORTS = {
    # the hook marker
    "hookimpl": "sindri_core",
    # describing the provider
    "BuildLocation": "sindri_core.provider",
    "Capabilities": "sindri_core.provider",
    "ConfigFinding": "sindri_core.provider",
    "Prerequisite": "sindri_core.prerequisites",
    "PrerequisiteReport": "sindri_core.prerequisites",
    "ProviderInfo": "sindri_core.provider",
    # its section of sindri.yaml
    "section": "sindri_core.config.fields",
    "setting": "sindri_core.config.fields",
    "Forbid": "sindri_core.config.fields",
    "constraints": "sindri_core.config.fields",
    # hook arguments and results
    "Artifact": "sindri_core.lifecycle",
    "BuildOptions": "sindri_core.lifecycle",
    "BuiltImage": "sindri_core.lifecycle",
    "Change": "sindri_core.lifecycle",
    "ChangeAction": "sindri_core.lifecycle",
    "DeployOptions": "sindri_core.lifecycle",
    "DeployResult": "sindri_core.lifecycle",
    "DeploymentState": "sindri_core.lifecycle",
    "DeploymentStatus": "sindri_core.lifecycle",
    "DestroyOptions": "sindri_core.lifecycle",
    "OperationResult": "sindri_core.lifecycle",
    "Plan": "sindri_core.lifecycle",
    "PlannedAction": "sindri_core.lifecycle",
    "ProviderContext": "sindri_core.lifecycle",
    "ImageRequest": "sindri_core.image.resolution",
    "ImageResolution": "sindri_core.image.resolution",
    "ImageSource": "sindri_core.image.resolution",
    "BuildContext": "sindri_core.build.context",
    "BuildContextRequest": "sindri_core.build.context",
    "BuildSource": "sindri_core.build.context",
    "SourceKind": "sindri_core.build.context",
    "Gpu": "sindri_core.config.model",
    "Secret": "sindri_core.config.model",
    "SindriConfig": "sindri_core.config.model",
    "size_to_mb": "sindri_core.config.model",
    "DEFAULT_FILE_PERMISSIONS": "sindri_core.config.model",
    # what the last deploy applied (providers without labels of their own)
    "DeployRecord": "sindri_core.deploy_record",
    "config_change": "sindri_core.deploy_record",
    "sha256_text": "sindri_core.deploy_record",
    "SecretValues": "sindri_core.secrets",
    # errors: raise these, never return a failed result
    "ConfigError": "sindri_core.errors",
    "ExternalCommandError": "sindri_core.errors",
    "OperationError": "sindri_core.errors",
    "SindriError": "sindri_core.errors",
    "UsageError": "sindri_core.errors",
    # generated files under ctx.output_dir
    "remove_artifact": "sindri_core.artifacts",
    "remove_artifacts": "sindri_core.artifacts",
    "write_artifact": "sindri_core.artifacts",
    "write_artifacts": "sindri_core.artifacts",
    "write_copy": "sindri_core.artifacts",
    # running tools, reporting progress
    "CommandResult": "sindri_core.runner",
    "CommandRunner": "sindri_core.runner",
    "describe": "sindri_core.runner",
    "Console": "sindri_core.output",
    # images and registries
    "ImageReference": "sindri_core.image.reference",
    "Credentials": "sindri_core.image.credentials",
    "lookup_credentials": "sindri_core.image.credentials",
    # the local Docker engine and local Kubernetes clusters
    "docker_engine": "sindri_core",
    "QUERY_TIMEOUT": "sindri_core.docker_engine",
    "ContainerInfo": "sindri_core.docker_engine",
    "build_image": "sindri_core.docker_engine",
    "container_logs": "sindri_core.docker_engine",
    "container_stats": "sindri_core.docker_engine",
    "engine_info": "sindri_core.docker_engine",
    "engine_version": "sindri_core.docker_engine",
    "exec_argv": "sindri_core.docker_engine",
    "exec_output": "sindri_core.docker_engine",
    "has_built_image": "sindri_core.docker_engine",
    "image_exists_locally": "sindri_core.docker_engine",
    "inspect_container": "sindri_core.docker_engine",
    "list_containers": "sindri_core.docker_engine",
    "list_networks": "sindri_core.docker_engine",
    "list_volumes": "sindri_core.docker_engine",
    "remove_containers": "sindri_core.docker_engine",
    "remove_networks": "sindri_core.docker_engine",
    "remove_volumes": "sindri_core.docker_engine",
    "local_cluster": "sindri_core",
    "LocalCluster": "sindri_core.local_cluster",
    "detect_local_cluster": "sindri_core.local_cluster",
    "load_image": "sindri_core.local_cluster",
    "configured_cluster": "sindri_core.local_cluster",
    "require_cluster": "sindri_core.local_cluster",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if module == "sindri_core" and name != "hookimpl":  # a helper module itself
        value: Any = importlib.import_module(f"sindri_core.{name}")
    else:
        value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


def planned_context(
    config: SindriConfig, project_dir: Path, source: BuildSource
) -> BuildContext | None:
    """The build context a ``plan`` may show, asked of ``sindri_fetch_build_context`` with
    ``planning=True`` — so wrappers of that hook see plan-time requests too.

    Nothing is fetched, written or run: a local Dockerfile's context is computed in place; a
    source that would have to be fetched answers ``None``. Called from a provider's
    ``sindri_plan``, it goes through the hooks of the host and provider being served; called
    outside any hook (a unit test of a provider's helper), it asks the core's implementation.
    """
    from sindri_core.build.context import BuildContextRequest
    from sindri_core.plugins import active_hooks

    hooks = active_hooks()
    request = BuildContextRequest(
        config=config,
        project_dir=project_dir,
        source=source,
        planning=True,
        provider=hooks.provider if hooks is not None else None,
    )
    if hooks is None:
        from sindri_core.build.fetch import fetch_build_context

        return fetch_build_context(request)
    return hooks.fetch_build_context(request)
