"""Adopting the Rust tool's deployment of this project, so a user who switches keeps their home.

The Rust tool ran compose in the project directory: the compose project is named after the
directory, the service is ``sindri``, the container is ``container_name: <name>`` and the
home is the volume ``<project>_<name>_home`` (``<project>_<name>_docker`` for privileged
Docker-in-Docker). sindri adopts such a deployment only when compose's working-directory
label on its container is this project's directory: another directory's deployment that
happens to share the name is never touched. Deploy then replaces the container and mounts the
existing volumes (``external`` to compose: compose neither creates nor relabels them), and
records their names in ``adopted.json`` so every later command uses them as sindri's own.
Volumes carry no working-directory label, so a Rust deployment whose container is gone cannot
be told apart from another directory's and is not adopted; :func:`unadopted_home` finds such
a volume so plan and deploy can say how to keep it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import attrs

from sindri_core.plugin import Artifact, CommandRunner, OperationError, read_artifact
from sindri_providers_docker.engine import ContainerInfo, list_volumes

__all__ = [
    "ADOPTION_RECORD",
    "AdoptedVolumes",
    "read_adoption",
    "rust_deployment",
    "unadopted_home",
    "unadopted_note",
]

ADOPTION_RECORD = "adopted.json"
COMPOSE_PROJECT_LABEL = "com.docker.compose.project"
COMPOSE_SERVICE_LABEL = "com.docker.compose.service"
COMPOSE_WORKING_DIR_LABEL = "com.docker.compose.project.working_dir"
COMPOSE_VOLUME_LABEL = "com.docker.compose.volume"
RUST_SERVICE = "sindri"
RUST_HOME = "/alt/home/developer"  # where the Rust tool's template mounts the home volume
RUST_DOCKER_STORAGE = "/var/lib/docker"


@attrs.frozen
class AdoptedVolumes:
    """The Rust tool's volumes this deployment uses, and the compose project they came from."""

    project: str
    home: str
    docker: str | None = None

    def artifact(self, output_dir: Path) -> Artifact:
        return Artifact(output_dir / ADOPTION_RECORD, json.dumps(attrs.asdict(self)) + "\n")

    def describe(self) -> str:
        volumes = ", ".join(v for v in (self.home, self.docker) if v)
        return f"the Rust tool's deployment (compose project {self.project}; volumes {volumes})"


def read_adoption(output_dir: Path, name: str, project_dir: Path) -> AdoptedVolumes | None:
    """The volumes an earlier deploy adopted, or ``None``.

    The record is input from the repository as much as from sindri (a repository can ship
    ``.sindri/docker/adopted.json``), and destroy ``--volumes`` deletes what it names. So it is
    read like every file read back (no link, no device, capped), and it is believed only when
    it names exactly the volumes the Rust tool's compose makes for ``name`` in a directory
    named like ``project_dir``: a planted record cannot point at any other volume.
    """
    try:
        raw = read_artifact(output_dir / ADOPTION_RECORD)
        if raw is None:
            return None
        data = json.loads(raw)
        adopted = AdoptedVolumes(
            project=str(data["project"]), home=str(data["home"]), docker=data.get("docker")
        )
    except (OSError, ValueError, KeyError, TypeError, OperationError):
        return None
    project = compose_project_name(project_dir.resolve().name)
    expected_docker = (None, f"{project}_{name}_docker")
    if (adopted.project, adopted.home) != (project, f"{project}_{name}_home") or (
        adopted.docker not in expected_docker
    ):
        return None
    return adopted


def compose_project_name(directory: str) -> str:
    """The project name compose derives from a directory name (compose-go's
    ``NormalizeProjectName``: lower case, only ``a-z0-9_-``, no leading ``_`` or ``-``)."""
    return re.sub(r"[^a-z0-9_-]", "", directory.lower()).lstrip("_-")


def rust_deployment(info: ContainerInfo | None, project_dir: Path) -> AdoptedVolumes | None:
    """The Rust tool's deployment of ``project_dir`` that ``info`` (the container named like
    this deployment) belongs to, or ``None`` when it is not one."""
    if info is None or info.labels.get(COMPOSE_SERVICE_LABEL) != RUST_SERVICE:
        return None
    working_dir = info.labels.get(COMPOSE_WORKING_DIR_LABEL)
    home = info.volumes.get(RUST_HOME)
    if not working_dir or home is None or not _same_directory(Path(working_dir), project_dir):
        return None
    return AdoptedVolumes(
        project=info.labels.get(COMPOSE_PROJECT_LABEL, ""),
        home=home,
        docker=info.volumes.get(RUST_DOCKER_STORAGE),
    )


def _same_directory(one: Path, other: Path) -> bool:
    try:
        return one.resolve(strict=True) == other.resolve(strict=True)
    except OSError:
        return False


def unadopted_home(runner: CommandRunner, name: str, project_dir: Path) -> str | None:
    """A volume the Rust tool's compose made as the home of ``name`` in a directory named like
    this one, whose container is gone (so it is not adopted); ``None`` when there is none."""
    labels = {COMPOSE_PROJECT_LABEL: project_dir.name, COMPOSE_VOLUME_LABEL: f"{name}_home"}
    found = list_volumes(runner, labels)
    return found[0] if found else None


def unadopted_note(volume: str, project_dir: Path, sindri_home: str) -> str:
    return (
        f"volume {volume} looks like the Rust tool's home of this deployment, but its "
        "container is gone, so sindri cannot tell which directory made it and does not adopt "
        f"it; to keep its files, run `docker compose up -d` in {project_dir} (the Rust tool's "
        f"docker-compose.yml) before `sindri deploy`, or copy them into {sindri_home}"
    )
