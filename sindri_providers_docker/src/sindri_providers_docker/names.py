"""The names of everything one deployment owns on the engine and on disk.

Every command derives them from the deployment name alone, so ``deploy``, ``start``,
``stop``, ``status`` and ``destroy`` always address the same compose project, container and
volumes (sindri's Rust version forgot the project name on start/stop). The name is chosen
in sindri.yaml, so two directories may choose the same one: the container and the volumes
also carry the project directory they belong to (:data:`PROJECT_DIR_LABEL`), and a command
from another directory refuses to touch them (``ownership.py``).
"""

from __future__ import annotations

from pathlib import Path

import attrs

from sindri_core.plugin import ProviderContext
from sindri_providers_docker.adoption import AdoptedVolumes, read_adoption

__all__ = ["PROJECT_DIR_LABEL", "PROVIDER_LABEL", "DeploymentNames"]

NAME_LABEL = "dev.sindri.name"
PROVIDER_LABEL = "dev.sindri.provider"
PROJECT_DIR_LABEL = "dev.sindri.project-dir"
COMPOSE_PROJECT_LABEL = "com.docker.compose.project"


@attrs.frozen
class DeploymentNames:
    """Names for deployment ``name`` of the project in ``project_dir`` (its real path), whose
    generated files live in ``output_dir``.

    :param adopted: the Rust tool's volumes this deployment uses instead of its own
        (:mod:`~sindri_providers_docker.adoption`).
    """

    name: str
    output_dir: Path
    project_dir: str = ""
    adopted: AdoptedVolumes | None = None

    @classmethod
    def of(cls, ctx: ProviderContext) -> DeploymentNames:
        return cls(
            ctx.name,
            ctx.output_dir,
            str(ctx.project_dir.resolve()),
            read_adoption(ctx.output_dir, ctx.name, ctx.project_dir),
        )

    @property
    def project(self) -> str:
        """The compose project: prefixed so it never collides with a user's own project."""
        return f"sindri-{self.name}"

    @property
    def service(self) -> str:
        return self.name

    @property
    def container(self) -> str:
        return self.name

    @property
    def home_volume(self) -> str:
        return self.adopted.home if self.adopted else f"sindri-{self.name}-home"

    @property
    def docker_volume(self) -> str:
        """The inner Docker daemon's storage (privileged Docker-in-Docker only)."""
        if self.adopted and self.adopted.docker:
            return self.adopted.docker
        return f"sindri-{self.name}-docker"

    @property
    def adopted_volumes(self) -> tuple[str, ...]:
        """The Rust tool's volumes in use: they carry its labels, not sindri's."""
        if self.adopted is None:
            return ()
        return tuple(v for v in (self.adopted.home, self.adopted.docker) if v)

    @property
    def compose_file(self) -> Path:
        return self.output_dir / "compose.yaml"

    @property
    def secrets_file(self) -> Path:
        return self.output_dir / "secrets.env"

    @property
    def labels(self) -> dict[str, str]:
        """Labels every container and volume of a deployment with this name carries: what
        ``destroy`` looks for (whose they are is then checked by :data:`PROJECT_DIR_LABEL`)."""
        return {NAME_LABEL: self.name, PROVIDER_LABEL: "docker"}

    @property
    def owner_labels(self) -> dict[str, str]:
        """:attr:`labels` and the project directory: what deploy puts on what it creates."""
        return {**self.labels, PROJECT_DIR_LABEL: self.project_dir}

    @property
    def project_labels(self) -> dict[str, str]:
        """Labels compose puts on the project's networks."""
        return {COMPOSE_PROJECT_LABEL: self.project}
