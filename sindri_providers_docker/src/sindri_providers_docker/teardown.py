"""Removing a deployment: exactly what it created, found by its compose project and labels.

Used by ``destroy`` and to roll back a failed ``deploy``. Volumes go only when asked: the
home volume holds the user's work (sindri's Rust version deleted it on ``deploy --force``).
"""

from __future__ import annotations

import attrs

from sindri_core.plugin import (
    CommandRunner,
    Console,
    OperationError,
    list_containers,
    list_networks,
    list_volumes,
    remove_artifacts,
    remove_containers,
    remove_networks,
    remove_volumes,
    write_artifacts,
)
from sindri_providers_docker.compose import ComposeProject
from sindri_providers_docker.names import DeploymentNames

__all__ = ["Teardown", "remove_deployment"]


@attrs.frozen
class Teardown:
    """What :func:`remove_deployment` found and did."""

    containers: int
    removed_volumes: tuple[str, ...]
    kept_volumes: tuple[str, ...]

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
        return "; ".join(parts) or "nothing was left"


def remove_deployment(
    runner: CommandRunner,
    names: DeploymentNames,
    project: ComposeProject | None,
    *,
    volumes: bool,
    console: Console,
) -> Teardown:
    """Stop and remove the deployment's containers and networks, its volumes when
    ``volumes``, and its generated files.

    Compose stops the container gracefully when the compose file is there; a sweep by label
    then removes whatever compose could not see (a deleted compose file, a crashed deploy).
    """
    containers = list_containers(runner, names.labels)
    found_volumes = (*list_volumes(runner, names.labels), *names.adopted_volumes)
    if project is not None and names.compose_file.is_file():
        try:
            project.down(volumes=volumes)
        except OperationError as exc:
            console.warn(f"{exc.message}; removing by label instead")
    remove_containers(runner, list_containers(runner, names.labels))
    remove_networks(runner, list_networks(runner, names.project_labels))
    if volumes:
        remove_volumes(runner, [*list_volumes(runner, names.labels), *names.adopted_volumes])
    remove_artifacts(names.output_dir)
    if not volumes and names.adopted is not None:  # the kept home stays this deployment's
        write_artifacts([names.adopted.artifact(names.output_dir)])
    return Teardown(
        containers=len(containers),
        removed_volumes=found_volumes if volumes else (),
        kept_volumes=() if volumes else found_volumes,
    )
