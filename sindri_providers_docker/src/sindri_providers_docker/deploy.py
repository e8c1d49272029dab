"""``plan`` and ``deploy``: the same compose document, described or applied.

Deploy order matters for "nothing half-created": everything that can be refused (settings,
an existing deployment, compose version) is checked before the image is built or a file is
written; after that, a failure rolls back what this deploy created.
"""

from __future__ import annotations

import time

import attrs

from sindri_core.plugin import (
    Artifact,
    BuildContext,
    ContainerInfo,
    DeployOptions,
    DeployResult,
    ExternalCommandError,
    ImageResolution,
    OperationError,
    Plan,
    PlannedAction,
    ProviderContext,
    UsageError,
    build_image,
    engine_info,
    inspect_container,
    list_volumes,
    remove_artifact,
    write_artifacts,
    write_copy,
)
from sindri_providers_docker.compose import RAW_ENV_FILE_VERSION, ComposeProject, ComposeTool
from sindri_providers_docker.compose_file import (
    ComposeInputs,
    compose_document,
    file_secret_mounts,
    pull_policy_for,
    redacted_secrets_env,
    render_compose,
    secrets_env,
)
from sindri_providers_docker.container import wait_until_running
from sindri_providers_docker.dind import DindMode, resolve_dind
from sindri_providers_docker.names import DeploymentNames
from sindri_providers_docker.prerequisites import require_compose
from sindri_providers_docker.teardown import remove_deployment

__all__ = ["deploy", "plan"]

PULL_DESCRIPTIONS = {
    "always": "pull before every start",
    "missing": "pull unless the engine already has it",
    "never": "use the engine's local copy only (never pulled)",
}


@attrs.frozen
class _Prepared:
    """The document's inputs, and the secret values (kept apart: they never reach a plan)."""

    inputs: ComposeInputs
    secret_values: dict[str, str] = attrs.field(repr=False)  # never in a log or traceback


def _prepare(ctx: ProviderContext, reference: str, pull_policy: str) -> _Prepared:
    settings = ctx.provider_config  # checked while sindri.yaml was read (settings.py's rules)
    dind = resolve_dind(settings, lambda: _runtimes(ctx))
    values = ctx.secrets.env_values()
    inputs = ComposeInputs(
        names=DeploymentNames.of(ctx),
        image=reference,
        pull_policy=pull_policy,
        config=ctx.config,
        settings=settings,
        dind=dind,
        env_secrets=bool(values),
        file_secrets=file_secret_mounts(
            ctx.secrets.file_secrets(), DeploymentNames.of(ctx).output_dir / "secret-files"
        ),
    )
    return _Prepared(inputs, values)


def _runtimes(ctx: ProviderContext) -> frozenset[str]:
    try:
        return engine_info(ctx.runner).runtimes
    except ExternalCommandError as exc:  # plan works without an engine: sysbox counts as absent
        ctx.console.warn(f"cannot ask the Docker engine for its runtimes: {exc.message}")
        return frozenset()


def _compose_artifact(inputs: ComposeInputs) -> Artifact:
    return Artifact(inputs.names.compose_file, render_compose(compose_document(inputs)))


def _secrets_artifacts(names: DeploymentNames, content: str) -> tuple[Artifact, ...]:
    # The ignore file keeps a `git add .` from committing the values.
    ignore = Artifact(names.output_dir / ".gitignore", f"{names.secrets_file.name}\n")
    return (Artifact(names.secrets_file, content, mode=0o600), ignore)


# -- plan ----------------------------------------------------------------------------------------


def plan(ctx: ProviderContext, image: ImageResolution) -> Plan:
    """What :func:`deploy` would do. Writes nothing; the only engine query is for the
    runtimes when Docker-in-Docker is ``auto``/``sysbox``."""
    assert image.reference is not None  # the chain raises "No image configured" instead
    prepared = _prepare(ctx, image.reference, pull_policy_for(image, ctx.config))
    inputs, names = prepared.inputs, prepared.inputs.names
    artifacts = [_compose_artifact(inputs)]
    if prepared.secret_values:
        artifacts += _secrets_artifacts(names, redacted_secrets_env(list(prepared.secret_values)))
    return Plan(
        actions=tuple(_actions(inputs, image, artifacts)),
        artifacts=tuple(artifacts),
        notes=_notes(inputs),
    )


def _actions(
    inputs: ComposeInputs, image: ImageResolution, artifacts: list[Artifact]
) -> list[PlannedAction]:
    names = inputs.names
    actions = []
    if image.build is not None:
        actions.append(
            PlannedAction(
                "build",
                f"image:{image.reference}",
                f"docker build from the {image.build.describe()}; reused when an image with the "
                "same content fingerprint exists (deploy --force rebuilds without cache)",
            )
        )
    else:
        actions.append(
            PlannedAction("pull", f"image:{image.reference}", PULL_DESCRIPTIONS[inputs.pull_policy])
        )
    actions.extend(
        PlannedAction("create", f"file:{artifact.path}", _file_description(artifact))
        for artifact in artifacts
    )
    home = inputs.config.deployment.volumes.workspace.home
    actions.append(
        PlannedAction(
            "create",
            f"volume:{names.home_volume}",
            f"persistent home at {home}, unless it exists; kept by destroy without --volumes",
        )
    )
    if inputs.dind is DindMode.PRIVILEGED:
        actions.append(
            PlannedAction(
                "create", f"volume:{names.docker_volume}", "storage of the inner Docker daemon"
            )
        )
    settings = inputs.settings
    actions.append(
        PlannedAction(
            "run",
            f"container:{names.container}",
            f"docker compose -p {names.project} up (network {settings.network}, restart "
            f"{settings.restart}), then wait until it runs",
        )
    )
    return actions


def _file_description(artifact: Artifact) -> str:
    if artifact.mode == 0o600:
        return "secret values for the container (mode 0600; values are never shown)"
    if artifact.path.name == ".gitignore":
        return "keeps secrets.env out of git"
    return "compose file of the deployment"


def _notes(inputs: ComposeInputs) -> tuple[str, ...]:
    if inputs.dind is DindMode.NONE:
        return ()
    return (f"Docker-in-Docker mode: {inputs.dind.value}",)


# -- deploy --------------------------------------------------------------------------------------


def deploy(
    ctx: ProviderContext,
    image: ImageResolution,
    build: BuildContext | None,
    options: DeployOptions,
) -> DeployResult:
    """Build when asked, write the files, ``compose up`` and wait until the container runs.

    Everything that can refuse (settings, secrets, an existing deployment, the compose
    version) is checked before the build, so a bad configuration never costs a build.

    :raises UsageError: the deployment exists and ``options.force`` is not set.
    :raises OperationError: anything failed; what this deploy created is removed again.
    """
    assert image.reference is not None  # the chain raises "No image configured" instead
    prepared = _prepare(ctx, image.reference, pull_policy_for(image, ctx.config))
    names = prepared.inputs.names
    existing = _existing_deployment(ctx, names, force=options.force)
    tool = require_compose(ctx.runner)
    _check_secrets_support(tool, prepared)
    messages: list[str] = []
    if build is not None:
        built = build_image(ctx.runner, build, build.tag, force=options.force, console=ctx.console)
        messages.append(f"{'Reused' if built.skipped else 'Built'} image {built.reference}")
        prepared = attrs.evolve(
            prepared, inputs=attrs.evolve(prepared.inputs, image=built.reference)
        )
    had_volumes = bool(list_volumes(ctx.runner, names.labels))
    _write_files(prepared)
    project = ComposeProject(
        ctx.runner, tool, names.project, names.compose_file, stream=ctx.console.progress
    )
    try:
        messages.append(_up_and_wait(ctx, project, names, options, recreate=existing is not None))
    except OperationError as exc:
        teardown = remove_deployment(
            ctx.runner, names, project, volumes=not had_volumes, console=ctx.console
        )
        raise OperationError(
            f"deploy of {names.name} failed: {exc.message}\n"
            f"Rolled back what this deploy created: {teardown.describe(names)}"
        ) from None
    return DeployResult(
        reference=prepared.inputs.image, messages=tuple(messages), connection="sindri connect"
    )


def _up_and_wait(
    ctx: ProviderContext,
    project: ComposeProject,
    names: DeploymentNames,
    options: DeployOptions,
    *,
    recreate: bool,
) -> str:
    ctx.console.step(f"Starting {names.container}")
    deadline = time.monotonic() + options.timeout  # --timeout bounds pulling and starting
    project.up(recreate=recreate, timeout=options.timeout)
    if not options.wait:
        return f"Container {names.container} created; not waiting for it to run"
    info = wait_until_running(ctx.runner, names.container, deadline=deadline)
    return f"Container {info.name} is running ({info.image})"


def _existing_deployment(
    ctx: ProviderContext, names: DeploymentNames, *, force: bool
) -> ContainerInfo | None:
    info = inspect_container(ctx.runner, names.container)
    if info is None:
        return None
    if not info.has_labels(names.labels):
        raise OperationError(
            f"a container named {names.container} exists and was not created by sindri for "
            f"this deployment; remove or rename it (docker rm {names.container}), or change "
            "`name` in sindri.yaml"
        )
    if not force:
        raise UsageError(
            f"{names.name} is already deployed (container {names.container}, {info.status}); "
            "`sindri deploy --force` recreates the container and keeps the home volume, "
            "`sindri destroy` removes it"
        )
    return info


def _check_secrets_support(tool: ComposeTool, prepared: _Prepared) -> None:
    if prepared.secret_values and tool.version < RAW_ENV_FILE_VERSION:
        raise OperationError(
            f"passing secrets needs Docker Compose {RAW_ENV_FILE_VERSION} or later (env_file "
            f"format raw); found {tool.describe()}"
        )


def _write_files(prepared: _Prepared) -> None:
    names = prepared.inputs.names
    artifacts = [_compose_artifact(prepared.inputs)]
    if prepared.secret_values:
        artifacts += _secrets_artifacts(names, secrets_env(prepared.secret_values))
    else:  # values from an earlier deploy must not outlive the secrets that produced them
        remove_artifact(names.secrets_file)
        remove_artifact(names.output_dir / ".gitignore")
    copies = [(m.copy_from, m) for m in prepared.inputs.file_secrets if m.copy_from is not None]
    if copies:  # the ignore file keeps a `git add .` from committing the copies
        artifacts.append(Artifact(copies[0][1].source.parent / ".gitignore", "*\n"))
    write_artifacts(artifacts)
    for source, mount in copies:
        write_copy(source, mount.source, mount.mode)
