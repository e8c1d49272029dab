"""``status``: the Deployment and its pod, mapped to sindri's states.

- no Deployment → not deployed;
- scaled to 0 with no pod left → stopped;
- the newest live pod: Running and Ready → running; Pending, or Running but not yet Ready →
  creating; a container stuck on an image pull, a crash loop or a bad config → error;
  Failed → error; Succeeded → stopped; Unknown (node lost) → unknown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sindri_core.plugin import DeploymentState, DeploymentStatus

if TYPE_CHECKING:
    from sindri_core.plugin import ImageResolution
    from sindri_providers_k8s.kubectl import Kubectl
    from sindri_providers_k8s.names import DeploymentNames
    from sindri_providers_k8s.settings import KubernetesSettings

__all__ = ["deployment_status", "pod_problem", "pod_state"]

# Waiting reasons that do not resolve by waiting longer.
STUCK_REASONS = frozenset(
    {
        "ErrImagePull",
        "ImagePullBackOff",
        "ErrImageNeverPull",
        "InvalidImageName",
        "CrashLoopBackOff",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
    }
)
_PHASES = {
    "Pending": DeploymentState.CREATING,
    "Succeeded": DeploymentState.STOPPED,
    "Failed": DeploymentState.ERROR,
    "Unknown": DeploymentState.UNKNOWN,
}


def deployment_status(
    kubectl: Kubectl,
    names: DeploymentNames,
    settings: KubernetesSettings,
    image: ImageResolution | None,
) -> DeploymentStatus:
    configured = image.reference if image is not None else None
    deployment = kubectl.get("deployment", names.deployment, names.namespace)
    if deployment is None:
        return DeploymentStatus(
            state=DeploymentState.NOT_DEPLOYED,
            configured_image=configured,
            details={"namespace": names.namespace},
        )
    replicas = (deployment.get("spec") or {}).get("replicas", 1)
    pod = newest_pod(kubectl.select("pods", names.namespace, names.label_selector()))
    details: dict[str, Any] = {"namespace": names.namespace, "replicas": replicas}
    if kubectl.context:
        details["context"] = kubectl.context
    addresses = _addresses(settings)
    if pod is None:
        state = DeploymentState.STOPPED if replicas == 0 else DeploymentState.CREATING
        return DeploymentStatus(
            state=state, configured_image=configured, addresses=addresses, details=details
        )
    container = _container_status(pod)
    details.update(_pod_details(pod, container))
    return DeploymentStatus(
        state=pod_state(pod),
        image=container.get("image") or _spec_image(pod),
        configured_image=configured,
        addresses=addresses,
        details=details,
    )


def newest_pod(pods: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The newest pod that is not being deleted (a Recreate rollout briefly has two)."""
    live = [p for p in pods if not (p.get("metadata") or {}).get("deletionTimestamp")]
    if not live:
        return None
    return max(live, key=lambda p: (p.get("metadata") or {}).get("creationTimestamp") or "")


def pod_state(pod: dict[str, Any]) -> DeploymentState:
    status = pod.get("status") or {}
    phase = status.get("phase", "Unknown")
    if _waiting(pod)[0] in STUCK_REASONS:
        return DeploymentState.ERROR
    if phase == "Running":
        return DeploymentState.RUNNING if _ready(status) else DeploymentState.CREATING
    return _PHASES.get(phase, DeploymentState.UNKNOWN)


def pod_problem(pods: list[dict[str, Any]]) -> str | None:
    """Why the newest pod is not running, in one line, when the cluster says why."""
    pod = newest_pod(pods)
    if pod is None:
        return "no pod was created (see the Deployment's events)"
    name = (pod.get("metadata") or {}).get("name", "?")
    reason, message = _waiting(pod)
    if reason:
        return f"pod {name} is waiting: {reason}" + (f" ({message})" if message else "")
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("status") == "False" and condition.get("reason"):
            detail = condition.get("message")
            return f"pod {name}: {condition['reason']}" + (f" ({detail})" if detail else "")
    return None


def _ready(status: dict[str, Any]) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in status.get("conditions") or []
    )


def _container_status(pod: dict[str, Any]) -> dict[str, Any]:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return next((c for c in statuses if c.get("name") == "sindri"), statuses[0] if statuses else {})


def _waiting(pod: dict[str, Any]) -> tuple[str | None, str | None]:
    waiting = (_container_status(pod).get("state") or {}).get("waiting") or {}
    return waiting.get("reason"), waiting.get("message")


def _spec_image(pod: dict[str, Any]) -> str | None:
    containers = (pod.get("spec") or {}).get("containers") or []
    return containers[0].get("image") if containers else None


def _pod_details(pod: dict[str, Any], container: dict[str, Any]) -> dict[str, Any]:
    status = pod.get("status") or {}
    details: dict[str, Any] = {
        "pod": (pod.get("metadata") or {}).get("name"),
        "phase": status.get("phase"),
        "node": (pod.get("spec") or {}).get("nodeName"),
        "restarts": container.get("restartCount", 0),
    }
    if container.get("imageID"):
        details["image_id"] = container["imageID"]
    reason, message = _waiting(pod)
    if reason:
        details["reason"] = reason + (f": {message}" if message else "")
    return {key: value for key, value in details.items() if value is not None}


def _addresses(settings: KubernetesSettings) -> tuple[str, ...]:
    ingress = settings.ingress
    if ingress.enabled and ingress.hostname:
        return (f"http://{ingress.hostname}/",)
    return ()
