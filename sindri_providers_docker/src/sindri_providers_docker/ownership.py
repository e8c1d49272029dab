"""Which project directory a deployment belongs to.

``name`` in sindri.yaml picks the container, compose project and volume names, so two
directories that choose the same name would otherwise share one deployment: the second would
recreate the first one's container with its own image, mount its home volume and delete it on
``destroy --volumes``. Deploy labels what it creates with the project directory; every command
that changes the deployment first checks that nothing with its name belongs to another one.
Resources without the label (created before sindri recorded it) count as this project's.
"""

from __future__ import annotations

from sindri_core.plugin import CommandRunner, UsageError
from sindri_providers_docker.engine import label_values
from sindri_providers_docker.names import PROJECT_DIR_LABEL, DeploymentNames

__all__ = ["foreign_owner_error", "require_ownership"]


def foreign_owner_error(names: DeploymentNames, owner: str) -> UsageError:
    return UsageError(
        f"the deployment {names.name} belongs to the project in {owner}, not to "
        f"{names.project_dir} (label {PROJECT_DIR_LABEL}); destroy it from there "
        f"(cd {owner} && sindri destroy), or give this project another `name` in sindri.yaml"
    )


def require_ownership(runner: CommandRunner, names: DeploymentNames) -> None:
    """Refuse (exit 2) when a container or volume of this name belongs to another directory.

    :raises UsageError: naming the directory that owns it and how to proceed.
    """
    owners = label_values(runner, names.labels, PROJECT_DIR_LABEL).values()
    for owner in sorted(set(owners)):
        if owner and owner != names.project_dir:
            raise foreign_owner_error(names, owner)
