"""The ``providers.kubernetes`` section of sindri.yaml."""

from __future__ import annotations

import attrs

from sindri_core.config.fields import setting


@attrs.frozen
class IngressSettings:
    enabled: bool = setting(False, doc="Render an Ingress for the Service.")
    hostname: str | None = setting(None, doc="Host name the Ingress answers for.")


@attrs.frozen
class KubernetesSettings:
    namespace: str = setting(
        "default",
        doc="Namespace of every resource.",
        pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        pattern_hint="a DNS label: lower-case letters, digits and '-'",
        max_length=63,
    )
    context: str | None = setting(
        None, doc="kubectl context (passed as --context to every call); default: current."
    )
    storage_class: str | None = setting(
        None, key="storageClass", doc="StorageClass of the home volume claim."
    )
    ingress: IngressSettings = setting(factory=IngressSettings, doc="Ingress.")
