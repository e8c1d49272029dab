"""What the Docker provider needs on the machine: the docker CLI, a reachable engine, and
Docker Compose v2. Checking changes nothing."""

from __future__ import annotations

from sindri_core.plugin import (
    CommandRunner,
    ExternalCommandError,
    OperationError,
    Prerequisite,
    PrerequisiteReport,
    engine_version,
)
from sindri_providers_docker.compose import ComposeTool, probe_compose

__all__ = ["check_prerequisites", "require_compose"]

DOCKER_HINT = "install Docker: https://docs.docker.com/engine/install/"
ENGINE_HINT = "start the Docker engine (or point DOCKER_HOST at one) and retry"
COMPOSE_HINT = (
    "install the Compose v2 plugin (`docker compose`): "
    "https://docs.docker.com/compose/install/linux/"
)


def check_prerequisites(runner: CommandRunner) -> PrerequisiteReport:
    if runner.which("docker") is None:
        return PrerequisiteReport(
            (Prerequisite("docker", "the docker CLI", False, install_hint=DOCKER_HINT),)
        )
    return PrerequisiteReport((_engine(runner), _compose(runner)))


def _engine(runner: CommandRunner) -> Prerequisite:
    try:
        version = engine_version(runner)
    except ExternalCommandError as exc:
        return Prerequisite(
            "docker engine",
            f"a reachable Docker engine ({exc.message})",
            False,
            install_hint=ENGINE_HINT,
        )
    return Prerequisite("docker engine", "Docker engine", True, version=version)


def _compose(runner: CommandRunner) -> Prerequisite:
    probe = probe_compose(runner)
    if probe.tool is None:
        return Prerequisite(
            "docker compose",
            f"Docker Compose v2 ({probe.problem})",
            False,
            install_hint=COMPOSE_HINT,
        )
    return Prerequisite(
        "docker compose", "Docker Compose v2", True, version=str(probe.tool.version)
    )


def require_compose(runner: CommandRunner) -> ComposeTool:
    """The Compose v2 to run (prerequisites already said it exists; this keeps it honest)."""
    probe = probe_compose(runner)
    if probe.tool is None:
        raise OperationError(f"Docker Compose v2 is needed: {probe.problem}", hint=COMPOSE_HINT)
    return probe.tool
