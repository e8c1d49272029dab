"""DeploymentNames and labels of the objects this provider manages.

Kept in one place so that deploy, status and destroy agree on what belongs to a deployment:
everything carries ``app.kubernetes.io/managed-by: sindri`` and
``app.kubernetes.io/instance: <name>``, and destroy deletes by exactly those two labels.
"""

from __future__ import annotations

import re

import attrs

from sindri_core.plugin import ConfigError

__all__ = ["MANAGED_BY", "DeploymentNames"]

MANAGED_BY = "sindri"
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@attrs.frozen
class DeploymentNames:
    """The objects of one deployment (``instance`` = the configuration's ``name``)."""

    instance: str
    namespace: str

    def __attrs_post_init__(self) -> None:
        # sindri.yaml allows a trailing '-'; Kubernetes object names and label values do not.
        if not _DNS_LABEL.match(self.instance):
            raise ConfigError(
                f"{self.instance!r} is not a valid Kubernetes name",
                path="name",
                hint="the kubernetes provider needs a name that ends with a letter or digit",
            )

    @property
    def deployment(self) -> str:
        return self.instance

    @property
    def service(self) -> str:
        return self.instance

    @property
    def ingress(self) -> str:
        return self.instance

    @property
    def volume_claim(self) -> str:
        return f"{self.instance}-home"

    @property
    def env_secret(self) -> str:
        return f"{self.instance}-env"

    @property
    def files_secret(self) -> str:
        return f"{self.instance}-files"

    @property
    def registry_secret(self) -> str:
        return f"{self.instance}-registry"

    def selector_labels(self) -> dict[str, str]:
        """The labels that pick this deployment's pods."""
        return {"app.kubernetes.io/name": "sindri", "app.kubernetes.io/instance": self.instance}

    def labels(self) -> dict[str, str]:
        return {**self.selector_labels(), "app.kubernetes.io/managed-by": MANAGED_BY}

    def label_selector(self) -> str:
        """What destroy and status select by: managed by sindri, this instance."""
        return (
            f"app.kubernetes.io/managed-by={MANAGED_BY},app.kubernetes.io/instance={self.instance}"
        )

    def metadata(self, name: str) -> dict[str, object]:
        return {"name": name, "namespace": self.namespace, "labels": self.labels()}
