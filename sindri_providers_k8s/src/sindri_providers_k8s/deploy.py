"""``plan`` and ``deploy``: manifests to the cluster with one server-side apply.

Order of a deploy, so that nothing changes before everything has been checked:
context → existing deployment (one sindri did not create is refused) → manifests and secrets
(config errors) → image availability (load into kind/k3d, or refuse a local-only image on a
remote cluster) → write ``manifests.yaml`` → ``kubectl apply`` from stdin → ``rollout restart``
(``--force`` on an existing deployment) → ``rollout status`` (unless ``--no-wait``).

A deploy of an existing deployment converges (docs/adr/0015-deploy-converges.md): the
server-side apply changes only what differs, and Kubernetes rolls the pods only when their
template changed (a new image, resources, environment); ``--force`` restarts them regardless.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from sindri_core.plugin import (
    Artifact,
    Change,
    ChangeAction,
    ConfigError,
    DeployResult,
    ImageReference,
    OperationError,
    Plan,
    PlannedAction,
    UsageError,
    configured_cluster,
    detect_local_cluster,
    lookup_credentials,
    require_cluster,
    write_artifacts,
)
from sindri_providers_k8s.images import make_available, pinned_reference
from sindri_providers_k8s.kubectl import LOGIN_SHELL, Kubectl
from sindri_providers_k8s.manifests import (
    CONFIG_HASH_ANNOTATION,
    FILE_HEADER,
    Manifests,
    WorkloadSpec,
    build_manifests,
    to_yaml,
    with_config_hash,
    workload_spec,
)
from sindri_providers_k8s.names import MANAGED_BY, DeploymentNames
from sindri_providers_k8s.secrets import RegistryAuth, deployment_secrets
from sindri_providers_k8s.status import pod_problem

if TYPE_CHECKING:
    from sindri_core.plugin import DeployOptions, ImageResolution, ProviderContext

__all__ = ["deploy", "kubectl_for", "plan"]

MANIFESTS_FILE = "manifests.yaml"
# Secret values are never read back from the cluster: they are applied on every deploy.
SECRET_VALUES = ("live values", "values from sindri.yaml (not compared)")
APPLIED = "applied (pods roll only if their template changed)"


def kubectl_for(ctx: ProviderContext) -> Kubectl:
    """kubectl for the configured context; else the providers.k8s cluster's; else current."""
    configured = configured_cluster(ctx.config)
    context = ctx.provider_config.context
    if configured is not None and context is not None and context != configured.context:
        raise ConfigError(
            f"providers.k8s names the {configured.describe()} (context {configured.context}), "
            f"but providers.kubernetes.context is {context!r}",
            path="providers.kubernetes.context",
            hint="remove one of them, or make them name the same cluster",
        )
    return Kubectl(ctx.runner, context or (configured.context if configured else None))


def plan(ctx: ProviderContext, image: ImageResolution) -> Plan:
    """What deploy would apply, compared with the live Deployment (one read-only ``kubectl
    get``); credentials are not looked up."""
    reference = pinned_reference(image)
    spec = workload_spec(ctx, reference, pull_secret=False)
    manifests, config_hash = with_config_hash(build_manifests(spec))
    names = spec.names
    where = f"namespace {names.namespace}" + (
        f", context {ctx.provider_config.context}" if ctx.provider_config.context else ""
    )
    actions = [
        PlannedAction("apply", _resource(doc), f"server-side apply in {where}")
        for doc in manifests.documents(_secret_stubs(spec))
    ]
    actions.append(
        PlannedAction(
            "wait", f"deployment/{names.deployment}", "kubectl rollout status (unless --no-wait)"
        )
    )
    registry = ImageReference.parse(reference, field="deployment.image").registry
    notes = (
        f"imagePullSecrets: a Secret {names.registry_secret} is added at deploy time when "
        f"credentials for {registry} are found (docker login / GITHUB_TOKEN)",
        "kind-/k3d- contexts: an image that exists in the local Docker engine is loaded into "
        "the cluster; other clusters must be able to pull it",
    )
    result = Plan(actions=tuple(actions), artifacts=(_artifact(ctx, manifests),), notes=notes)
    kubectl = kubectl_for(ctx)  # a contradicting context is a configuration error
    try:
        existing = kubectl.get("deployment", names.deployment, names.namespace)
    except OperationError as exc:  # no kubectl, no context, an unreachable cluster
        return result.uncompared(f"kubectl could not read the deployment: {exc}")
    changes = [_deployment_change(names, existing, config_hash)]
    changes += [
        Change(
            ChangeAction.UPDATE,
            f"secret/{stub['metadata']['name']}",
            "live values",
            "values from sindri.yaml (not compared)",
        )
        for stub in _secret_stubs(spec)
    ]
    return attrs.evolve(result, changes=tuple(changes))


def _deployment_change(
    names: DeploymentNames, existing: dict[str, Any] | None, config_hash: str
) -> Change:
    """The live Deployment against the manifests: their hash annotation, and whether it runs."""
    resource = f"deployment/{names.deployment}"
    if existing is None:
        return Change(ChangeAction.CREATE, resource)
    live = ((existing.get("metadata") or {}).get("annotations") or {}).get(CONFIG_HASH_ANNOTATION)
    if live != config_hash:
        before = f"manifests {live[:12]}" if live else "manifests (unknown)"
        return Change(ChangeAction.UPDATE, resource, before, f"manifests {config_hash[:12]}")
    ready = (existing.get("status") or {}).get("readyReplicas") or 0
    if ready < 1:
        return Change(ChangeAction.UPDATE, resource, f"{ready} ready replicas", "1 ready replica")
    return Change(ChangeAction.UNCHANGED, resource)


def deploy(ctx: ProviderContext, image: ImageResolution, options: DeployOptions) -> DeployResult:
    kubectl = kubectl_for(ctx)
    reference = pinned_reference(image)
    context = kubectl.context_name()
    names = DeploymentNames(ctx.name, ctx.provider_config.namespace)
    existing = kubectl.get("deployment", names.deployment, names.namespace)
    _check_owner(existing, names)

    registry_auth = _registry_auth(ctx, reference)
    spec = workload_spec(ctx, reference, pull_secret=registry_auth is not None)
    manifests, config_hash = with_config_hash(build_manifests(spec))
    secrets = deployment_secrets(spec, ctx.secrets, registry_auth)
    if not options.force and not secrets:  # Secrets hold values: they are applied every time
        change = _deployment_change(names, existing, config_hash)
        if change.action is ChangeAction.UNCHANGED:
            return DeployResult(reference=reference, unchanged=True)

    messages: list[str] = []
    configured = configured_cluster(ctx.config)
    cluster = (
        require_cluster(ctx.runner, configured)
        if configured is not None
        else detect_local_cluster(ctx.runner, context)
    )
    loaded = make_available(
        ctx.runner, cluster, reference, pull_policy=spec.pull_policy, console=ctx.console
    )
    if loaded:
        messages.append(loaded)
    write_artifacts([_artifact(ctx, manifests)])
    ctx.console.step(f"Applying manifests to {names.namespace} ({context})")
    kubectl.apply(to_yaml(manifests.documents(secrets)), force_conflicts=options.force)
    if existing is not None and options.force:
        kubectl.rollout_restart(names.deployment, names.namespace)
    if options.wait:
        _wait(kubectl, names, options.timeout, ctx)
    verb = "created"
    if existing is not None:
        verb = (
            "restarted" if options.force else "applied (pods roll only if their template changed)"
        )
    messages.append(f"Deployment {names.deployment} {verb} in namespace {names.namespace}")
    return DeployResult(
        reference=reference,
        messages=tuple(messages),
        connection=" ".join(kubectl.exec_argv(names.deployment, names.namespace, LOGIN_SHELL)),
    )


def _check_owner(existing: dict[str, Any] | None, names: DeploymentNames) -> None:
    if existing is None:
        return
    labels = (existing.get("metadata") or {}).get("labels") or {}
    if labels.get("app.kubernetes.io/managed-by") != MANAGED_BY:
        raise UsageError(
            f"deployment {names.deployment} in namespace {names.namespace} was not created by "
            "sindri; not touching it",
            hint="choose another name or providers.kubernetes.namespace",
        )


def _registry_auth(ctx: ProviderContext, reference: str) -> RegistryAuth | None:
    registry = ImageReference.parse(reference, field="deployment.image").registry
    credentials = lookup_credentials(registry, runner=ctx.runner)
    return RegistryAuth(registry, credentials) if credentials is not None else None


def _wait(kubectl: Kubectl, names: DeploymentNames, timeout: int, ctx: ProviderContext) -> None:
    ctx.console.step(f"Waiting up to {timeout}s for deployment {names.deployment} to roll out")
    result = kubectl.rollout_status(names.deployment, names.namespace, timeout)
    if result.ok:
        return
    problem = pod_problem(kubectl.select("pods", names.namespace, names.label_selector()))
    raise OperationError(
        f"deployment {names.deployment} did not become ready within {timeout}s"
        + (f": {problem}" if problem else f": {result.last_lines()}"),
        hint=f"`sindri status` or `kubectl describe pods -n {names.namespace} "
        f"-l {names.label_selector()}`",
    )


def _artifact(ctx: ProviderContext, manifests: Manifests) -> Artifact:
    return Artifact(
        path=ctx.output_dir / MANIFESTS_FILE, content=FILE_HEADER + to_yaml(manifests.documents())
    )


def _secret_stubs(spec: WorkloadSpec) -> tuple[dict[str, Any], ...]:
    """Name-only stand-ins for the Secrets, so the plan lists them without their values."""
    names = spec.names
    wanted = [(spec.env_secret, names.env_secret), (bool(spec.file_mounts), names.files_secret)]
    return tuple({"kind": "Secret", "metadata": {"name": n}} for on, n in wanted if on)


def _resource(document: dict[str, Any]) -> str:
    return f"{document['kind'].lower()}/{document['metadata']['name']}"
