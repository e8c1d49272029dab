"""Removing a deployment: exactly what it created, found by its labels.

Used by ``destroy`` and to roll back a failed ``deploy``. Volumes go only when asked: the
home volume holds the user's work (sindri's Rust version deleted it on ``deploy --force``).

No compose file is read here. A repository can ship its own ``.sindri/docker/compose.yaml``
naming any volume (``volumes: {home: {name: victim}}``); handing it to ``compose down
--volumes`` would delete that volume. The engine is asked instead for the containers,
networks and volumes that carry this deployment's labels, and only those are removed.
"""

from __future__ import annotations

import attrs

from sindri_core.plugin import CommandRunner, remove_artifacts, write_artifacts
from sindri_providers_docker.engine import (
    list_containers,
    list_networks,
    list_volumes,
    remove_containers,
    remove_networks,
    remove_volumes,
    stop_containers,
)
from sindri_providers_docker.names import DeploymentNames

__all__ = ["Teardown", "remove_deployment"]


@attrs.frozen
class Teardown:
    """What :func:`remove_deployment` found and did; ``notes``: files it left and why."""

    containers: int
    removed_volumes: tuple[str, ...]
    kept_volumes: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def describe(self, names: DeploymentNames) -> str:
        parts = [f"removed container {names.container}"] if self.containers else []
        if self.removed_volumes:
            parts.append("removed volume " + ", ".join(self.removed_volumes))
        if self.kept_volumes:
            parts.append(
                "kept volume "
                + ", ".join(self.kept_volumes)
                + " (`sindri destroy --volumes` deletes it)"
            )
        return "; ".join([*parts, *self.notes]) or "nothing was left"


def generated_files(names: DeploymentNames) -> tuple[str, ...]:
    """The files deploy writes, relative to the provider directory: what destroy removes
    when the manifest cannot be trusted (a secrets file must not outlive the deployment)."""
    return (names.compose_file.name, names.secrets_file.name, ".gitignore")


def remove_deployment(runner: CommandRunner, names: DeploymentNames, *, volumes: bool) -> Teardown:
    """Stop and remove the deployment's containers and networks, its volumes when
    ``volumes``, and its generated files: everything found by the deployment's labels."""
    containers = list_containers(runner, names.labels)
    found_volumes = (*list_volumes(runner, names.labels), *names.adopted_volumes)
    stop_containers(runner, containers, check=False)  # gracefully first, as `compose down` would
    remove_containers(runner, list_containers(runner, names.labels))
    remove_networks(runner, list_networks(runner, names.project_labels))
    if volumes:
        remove_volumes(runner, [*list_volumes(runner, names.labels), *names.adopted_volumes])
    removal = remove_artifacts(names.output_dir, known=generated_files(names))
    if not volumes and names.adopted is not None:  # the kept home stays this deployment's
        write_artifacts([names.adopted.artifact(names.output_dir)])
    return Teardown(
        containers=len(containers),
        removed_volumes=found_volumes if volumes else (),
        kept_volumes=() if volumes else found_volumes,
        notes=removal.notes(),
    )
