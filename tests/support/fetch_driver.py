"""One ``fetch_build_context`` of the Sindri sources, in-process or as its own process.

``python -m tests.support.fetch_driver REPOSITORY REF`` (run from the repository root) prints
the build context as JSON on stdout and sindri's messages on stderr; the concurrency and
SIGKILL tests start several of these.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from sindri_core.build.context import BuildContext, BuildContextRequest
from sindri_core.build.fetch import fetch_build_context
from sindri_core.build.sources import select_source
from sindri_core.config.model import BuildFromSource, Deployment, SindriConfig
from sindri_core.output import Console
from sindri_core.runner import CommandRunner

__all__ = ["fetch_sources", "source_config"]


def source_config(
    repository: str | None,
    ref: str | None,
    *,
    fallback: str | None = None,
    distro: str = "ubuntu",
    enabled: bool = True,
) -> SindriConfig:
    """A configuration whose build source is the Sindri sources at ``repository``@``ref``
    (with ``enabled=False``: only when no local Dockerfile is found)."""
    return SindriConfig(
        version="3.0",
        name="fetch-test",
        deployment=Deployment(
            provider="docker",
            distro=distro,  # type: ignore[arg-type]
            build_from_source=BuildFromSource(
                enabled=enabled, git_ref=ref, repository=repository, fallback_ref=fallback
            ),
        ),
    )


def fetch_sources(
    repository: str,
    ref: str,
    *,
    fallback: str | None = None,
    refresh: bool = False,
    distro: str = "ubuntu",
    console: Console | None = None,
) -> BuildContext:
    """Fetch through the core's hook implementation, as ``sindri image context`` would."""
    config = source_config(repository, ref, fallback=fallback, distro=distro)
    project_dir = Path.cwd()
    request = BuildContextRequest(
        config=config,
        project_dir=project_dir,
        source=select_source(config, project_dir).source,
        refresh=refresh,
        runner=CommandRunner(),
        console=console or Console(progress=False, stream=io.StringIO()),
    )
    return fetch_build_context(request)


def main(argv: list[str]) -> None:
    repository, ref = argv
    context = fetch_sources(repository, ref, console=Console(progress=True, stream=sys.stderr))
    print(json.dumps(context.to_json()), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
