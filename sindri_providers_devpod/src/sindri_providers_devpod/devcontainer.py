"""devcontainer.json for the workspace, built as data and serialized with ``json``.

It carries either ``image`` (a configured, digest-pinned or sindri-built image) or ``build``
(the docker backend builds the Dockerfile itself). Secrets never go here: they reach the
workspace through devpod's workspace environment file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sindri_core.plugin import BuildContext, ProviderContext
from sindri_providers_devpod.settings import DevpodSettings

__all__ = ["ENTRYPOINT", "POST_START_COMMAND", "devcontainer_document", "devcontainer_path",
           "render"]  # fmt: skip

# The Sindri images initialise the environment (extensions, INIT_WORKSPACE) in this script;
# devcontainer's default overrideCommand replaces the image's command, so, as the Rust tool
# does, it runs after every start. An image without it still starts: the guard exits 0.
ENTRYPOINT = "/docker/scripts/entrypoint.sh"
POST_START_COMMAND = f"[ ! -x {ENTRYPOINT} ] || {ENTRYPOINT}"


def devcontainer_path(ctx: ProviderContext) -> Path:
    return ctx.output_dir / ".devcontainer" / "devcontainer.json"


def _relative(target: Path, start: Path) -> str:
    return os.path.relpath(target, start)


def devcontainer_document(
    ctx: ProviderContext,
    settings: DevpodSettings,
    *,
    image: str | None,
    build: BuildContext | None,
) -> dict[str, Any]:
    config = ctx.config
    resources = config.deployment.resources
    document: dict[str, Any] = {"name": ctx.name}
    if image is not None:
        document["image"] = image
    elif build is not None:
        folder = devcontainer_path(ctx).parent
        document["build"] = {
            "dockerfile": _relative(build.dockerfile, folder),
            "context": _relative(build.context_dir, folder),
            "args": dict(sorted(build.build_args.items())),
        }
    document["containerEnv"] = config.extensions.environment()
    document["mounts"] = [
        {
            # The Rust tool's name: a workspace it made keeps its home.
            "source": f"{ctx.name}_home",
            "target": config.deployment.volumes.workspace.home,
            "type": "volume",
        }
    ]
    document["remoteUser"] = settings.remote_user
    document["workspaceFolder"] = config.deployment.volumes.workspace.path
    requirements: dict[str, Any] = {
        "cpus": resources.cpu_count,
        "memory": f"{resources.memory_mb}mb",
    }
    if resources.gpu.enabled:
        requirements["gpu"] = True
        document["runArgs"] = (
            ["--gpus", "all"]
            if resources.gpu.type == "nvidia"
            else ["--device=/dev/kfd", "--device=/dev/dri"]
        )
    document["hostRequirements"] = requirements
    document["postStartCommand"] = POST_START_COMMAND
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2) + "\n"
