"""The ``providers.kubernetes`` section of sindri.yaml."""

from __future__ import annotations

from collections.abc import Iterator

from sindri_core.plugin import section, setting

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"


@section
class IngressSettings:
    enabled: bool = setting(False, doc="Render an Ingress (networking.k8s.io/v1) for the Service.")
    hostname: str | None = setting(
        None,
        doc="Host name the Ingress answers for; unset: every host.",
        example="dev.example.com",
        pattern=r"^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
        pattern_hint="a lower-case DNS name such as dev.example.com",
    )
    port: int | None = setting(
        None,
        doc="Container port of the HTTP service the Ingress routes to; without it no Ingress "
        "is rendered (config validate says so).",
        example=8080,
        minimum=1,
        maximum=65535,
    )
    class_name: str | None = setting(
        None,
        key="className",
        doc="IngressClass to use; unset: the cluster's default class.",
        example="nginx",
    )

    @property
    def routable(self) -> bool:
        return self.enabled and self.port is not None


@section
class KubernetesSettings:
    namespace: str = setting(
        "default",
        doc="Namespace of every resource; created (never deleted) when it is not `default`.",
        pattern=DNS_LABEL,
        pattern_hint="a DNS label: lower-case letters, digits and '-'",
        max_length=63,
    )
    context: str | None = setting(
        None, doc="kubectl context (passed as --context to every call); default: current."
    )
    storage_class: str | None = setting(
        None, key="storageClass", doc="StorageClass of the home volume claim; unset: default."
    )
    node_selector: dict[str, str] | None = setting(
        None,
        key="nodeSelector",
        doc="Node labels the pod must run on. Unset with a GPU: the vendor's label "
        "(nvidia.com/gpu.present or feature.node.kubernetes.io/amd-gpu).",
    )
    ingress: IngressSettings = setting(factory=IngressSettings, doc="Ingress.")

    def config_notes(self) -> Iterator[tuple[str, str]]:
        if self.ingress.enabled and self.ingress.port is None:
            yield (
                "ingress.enabled",
                "renders no Ingress: ingress.port, the container port to route to, is not set",
            )
