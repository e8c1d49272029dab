"""The ``providers.k8s`` section: the local kind or k3d cluster, as the Rust tool describes it.

Its own module so that only a configuration holding that section pays for creating these
classes (every command reads sindri.yaml; few name a local cluster).
"""

from __future__ import annotations

from typing import Literal

from sindri_core.config.fields import section, setting
from sindri_core.config.model import NAME_PATTERN

__all__ = ["K3dOptions", "K3dRegistry", "KindOptions", "LocalClusterConfig"]


@section
class KindOptions:
    image: str | None = setting(
        None,
        doc="Node image a new cluster would use; sindri does not create clusters (ignored).",
        example="kindest/node:v1.31.0",
    )
    config_file: str | None = setting(
        None,
        key="configFile",
        doc="kind cluster config a new cluster would use (ignored, as `image`).",
        example="kind-config.yaml",
    )


@section
class K3dRegistry:
    enabled: bool = setting(
        False, doc="Create a registry with a new cluster (ignored: sindri creates no clusters)."
    )
    name: str = setting("k3d-registry", doc="Its name (ignored, as `enabled`).")
    port: int = setting(5000, doc="Its port (ignored, as `enabled`).", minimum=1, maximum=65535)


@section
class K3dOptions:
    image: str | None = setting(
        None, doc="k3s image a new cluster would use (ignored: sindri creates no clusters)."
    )
    registry: K3dRegistry = setting(factory=K3dRegistry, doc="Local registry of a new cluster.")


@section
class LocalClusterConfig:
    """``providers.k8s``: the local kind or k3d cluster, as the Rust tool describes it."""

    provider: Literal["kind", "k3d"] = setting(
        "kind",
        doc="The tool running the cluster: images are loaded with `kind load docker-image` "
        "or `k3d image import`.",
    )
    cluster_name: str | None = setting(
        None,
        key="clusterName",
        doc="The cluster's name (default: `name`); kubectl uses its context, kind-<name> or "
        "k3d-<name>, unless providers.kubernetes.context names it.",
        example="sindri-dev",
        pattern=NAME_PATTERN,
        pattern_hint="lower-case letters, digits and '-', starting with a letter",
    )
    version: str = setting(
        "v1.35.0",
        doc="Kubernetes version of a new cluster (ignored: sindri creates no clusters).",
        pattern=r"^v?\d+\.\d+\.\d+$",
        pattern_hint="a version such as v1.35.0",
    )
    nodes: int = setting(
        1, doc="Nodes of a new cluster (ignored, as `version`).", minimum=1, maximum=10
    )
    kind: KindOptions = setting(factory=KindOptions, doc="kind-specific options.")
    k3d: K3dOptions = setting(factory=K3dOptions, doc="k3d-specific options.")

    def name_for(self, deployment_name: str) -> str:
        return self.cluster_name or deployment_name
