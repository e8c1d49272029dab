"""What the Docker provider needs on the machine: the docker CLI, a reachable engine, and
Docker Compose v2. Checking changes nothing.

Compose is probed where it is run (:func:`require_compose`, before anything is built or
written), not with the other prerequisites: a deploy of an up-to-date deployment, ``status``
and ``plan`` never call compose at all (docs/adr/0015-deploy-converges.md).
"""

from __future__ import annotations

from sindri_core.plugin import (
    CommandRunner,
    ExternalCommandError,
    OperationError,
    Prerequisite,
    PrerequisiteReport,
)
from sindri_providers_docker.compose import ComposeTool, probe_compose
from sindri_providers_docker.engine import engine_version

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
    return PrerequisiteReport((_engine(runner),))


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


def require_compose(runner: CommandRunner) -> ComposeTool:
    """The Compose v2 to run.

    :raises OperationError: there is none (the message says what was found instead).
    """
    probe = probe_compose(runner)
    if probe.tool is None:
        raise OperationError(
            f"prerequisites for docker are missing: Docker Compose v2 ({probe.problem})",
            hint=COMPOSE_HINT,
        )
    return probe.tool
