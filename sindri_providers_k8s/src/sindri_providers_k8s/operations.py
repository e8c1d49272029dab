"""Prerequisites, status, start, stop, destroy and connect: one or two kubectl calls each.

``destroy`` deletes exactly what carries this deployment's labels (managed by sindri, this
instance); the home volume claim only with ``--volumes``; the namespace never, because other
things may live in it and deleting a namespace deletes everything inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sindri_core.plugin import (
    OperationError,
    OperationResult,
    Prerequisite,
    PrerequisiteReport,
    remove_artifacts,
)
from sindri_providers_k8s.deploy import kubectl_for
from sindri_providers_k8s.kubectl import LOGIN_SHELL, not_found
from sindri_providers_k8s.names import DeploymentNames

if TYPE_CHECKING:
    from sindri_core.plugin import (
        DeploymentStatus,
        DestroyOptions,
        ImageResolution,
        ProviderContext,
    )

__all__ = ["connect", "destroy", "prerequisites", "scale", "start", "status", "stop"]

KUBECTL_HINT = "install kubectl: https://kubernetes.io/docs/tasks/tools/"
DESTROYED_KINDS = ("deployment", "service", "secret", "ingress")


def names_for(ctx: ProviderContext) -> DeploymentNames:
    return DeploymentNames(ctx.name, ctx.provider_config.namespace)


def prerequisites(ctx: ProviderContext) -> PrerequisiteReport:
    """kubectl on PATH, and a context to talk to (configured, or the current one)."""
    if ctx.runner.which("kubectl") is None:
        return PrerequisiteReport(
            (Prerequisite("kubectl", "Kubernetes CLI", satisfied=False, install_hint=KUBECTL_HINT),)
        )
    tool = Prerequisite("kubectl", "Kubernetes CLI", satisfied=True)
    try:
        context = kubectl_for(ctx).context_name()
    except OperationError as exc:
        return PrerequisiteReport(
            (tool, Prerequisite("kubectl context", exc.message, False, install_hint=exc.hint))
        )
    return PrerequisiteReport((tool, Prerequisite("kubectl context", context, satisfied=True)))


def status(ctx: ProviderContext, image: ImageResolution | None) -> DeploymentStatus:
    from sindri_providers_k8s.status import deployment_status

    return deployment_status(kubectl_for(ctx), names_for(ctx), ctx.provider_config, image)


def start(ctx: ProviderContext) -> OperationResult:
    return scale(ctx, 1)


def stop(ctx: ProviderContext) -> OperationResult:
    return scale(ctx, 0)


def scale(ctx: ProviderContext, replicas: int) -> OperationResult:
    """``start`` (1) and ``stop`` (0): the pod goes, the volume and everything else stay."""
    names = names_for(ctx)
    result = kubectl_for(ctx).scale(names.deployment, names.namespace, replicas)
    if not_found(result):
        raise OperationError(
            f"{names.deployment} is not deployed in namespace {names.namespace}",
            hint="run `sindri deploy`",
        )
    if not result.ok:
        raise OperationError(f"scaling deployment {names.deployment}: {result.last_lines()}")
    verb = "started" if replicas else "stopped (the home volume is kept)"
    return OperationResult(f"{names.deployment} {verb}")


def destroy(ctx: ProviderContext, options: DestroyOptions) -> OperationResult:
    names = names_for(ctx)
    kinds = [*DESTROYED_KINDS, *(("persistentvolumeclaim",) if options.volumes else ())]
    deleted = kubectl_for(ctx).delete(kinds, names.namespace, names.label_selector())
    remove_artifacts(ctx.output_dir, warn=ctx.console.warn)
    if not deleted:
        return OperationResult(f"{names.instance}: nothing to destroy in {names.namespace}")
    kept = "" if options.volumes else f"; kept the home volume {names.volume_claim} (--volumes)"
    return OperationResult(
        f"Destroyed {names.instance} in namespace {names.namespace}: {len(deleted)} object(s){kept}"
    )


def connect(ctx: ProviderContext, command: tuple[str, ...]) -> OperationResult:
    """``kubectl exec -it deploy/<name>``: a login shell, or ``command``."""
    names = names_for(ctx)
    kubectl = kubectl_for(ctx)
    deployment = kubectl.get("deployment", names.deployment, names.namespace)
    if deployment is None:
        raise OperationError(
            f"{names.deployment} is not deployed in namespace {names.namespace}",
            hint="run `sindri deploy`",
        )
    if (deployment.get("spec") or {}).get("replicas", 1) == 0:
        raise OperationError(f"{names.deployment} is stopped", hint="run `sindri start`")
    argv = kubectl.exec_argv(names.deployment, names.namespace, command or LOGIN_SHELL)
    return OperationResult("", exit_code=ctx.runner.interactive(argv))
