"""``plan`` and ``deploy``: the same compose document, compared with what runs, described or
applied.

``deploy`` converges (docs/adr/0015-deploy-converges.md): a running container created from the
same image and compose file is left alone without a single compose call; otherwise the image
is built (with the layer cache) when needed, the files are written and ``compose up``
recreates what changed, keeping the volumes. ``--force`` rebuilds without cache and recreates.

Deploy order matters for "nothing half-created": everything that can be refused (settings,
a foreign container, compose version) is checked before the image is built or a file is
written; after that, a failure rolls back the container and what this deploy created.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from sindri_core.plugin import (
    Artifact,
    BuildContext,
    Change,
    ChangeAction,
    DeployOptions,
    DeployResult,
    ExternalCommandError,
    ImageResolution,
    OperationError,
    Plan,
    PlannedAction,
    ProviderContext,
    build_image,
    planned_context,
    read_artifact,
    remove_artifact,
    write_artifacts,
    write_copy,
)
from sindri_providers_docker.adoption import rust_deployment, unadopted_home, unadopted_note
from sindri_providers_docker.compose_file import (
    ComposeInputs,
    compose_text,
    file_secret_mounts,
    pull_policy_for,
    redacted_secrets_env,
    secrets_env,
)
from sindri_providers_docker.dind import DindMode, describe_dind, resolve_dind, socket_group
from sindri_providers_docker.engine import (
    ContainerInfo,
    engine_info,
    inspect_container,
    list_volumes,
    remove_containers,
)
from sindri_providers_docker.live import (
    LiveDeployment,
    container_change,
    file_changes,
    read_live,
    volume_changes,
)
from sindri_providers_docker.names import DeploymentNames

if TYPE_CHECKING:
    from sindri_providers_docker.compose import ComposeProject, ComposeTool

__all__ = ["deploy", "drift", "plan"]

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
    rust_container: ContainerInfo | None = None  # the Rust tool's container, to be adopted
    # The container named like the deployment, as inspected while preparing (``()`` when it
    # was not: an adopted deployment's names are known from its record).
    inspected: tuple[ContainerInfo | None] | tuple[()] = ()
    # The compose file, made on first use: plan needs it four times and each costs two
    # YAML dumps. Not copied by with_image (init=False), whose document differs.
    _compose: list[tuple[Artifact, str]] = attrs.field(
        init=False, factory=list, repr=False, eq=False
    )

    def with_image(self, reference: str) -> _Prepared:
        return attrs.evolve(self, inputs=attrs.evolve(self.inputs, image=reference))

    def compose(self) -> tuple[Artifact, str]:
        """The compose file and its configuration hash."""
        if not self._compose:
            text, config_hash = compose_text(self.inputs)
            self._compose.append((Artifact(self.inputs.names.compose_file, text), config_hash))
        return self._compose[0]

    def artifacts(self, *, redacted: bool) -> list[Artifact]:
        """The files deploy writes; ``redacted``: secret values replaced (what plan shows)."""
        names = self.inputs.names
        artifacts = [self.compose()[0]]
        if names.adopted is not None:
            artifacts.append(names.adopted.artifact(names.output_dir))
        if self.secret_values:
            content = (
                redacted_secrets_env(list(self.secret_values))
                if redacted
                else secrets_env(self.secret_values)
            )
            # The ignore file keeps a `git add .` from committing the values.
            artifacts += [
                Artifact(names.secrets_file, content, mode=0o600),
                Artifact(names.output_dir / ".gitignore", f"{names.secrets_file.name}\n"),
            ]
        copies = [m for m in self.inputs.file_secrets if m.copy_from is not None]
        if copies:  # the ignore file keeps a `git add .` from committing the private copies
            artifacts.append(Artifact(copies[0].source.parent / ".gitignore", "*\n"))
        return artifacts

    def stale_copies(self) -> bool:
        """Whether a private copy of a file secret differs from its source (or is missing)."""
        return any(
            _read_bytes(m.copy_from) != read_artifact(m.source)
            for m in self.inputs.file_secrets
            if m.copy_from is not None
        )

    def removed_files(self) -> tuple[Path, ...]:
        """Files of an earlier deploy this one removes: values must not outlive their secrets."""
        names = self.inputs.names
        if self.secret_values:
            return ()
        return (names.secrets_file, names.output_dir / ".gitignore")

    def volumes(self) -> tuple[str, ...]:
        names = self.inputs.names
        if self.inputs.dind is DindMode.PRIVILEGED:
            return (names.home_volume, names.docker_volume)
        return (names.home_volume,)


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _prepare(ctx: ProviderContext, reference: str, pull_policy: str) -> _Prepared:
    settings = ctx.provider_config  # checked while sindri.yaml was read (settings.py's rules)
    dind = resolve_dind(settings, lambda: _runtimes(ctx))
    values = ctx.secrets.env_values()
    names, inspected = _names(ctx)
    rust_container = inspected[0] if inspected and names.adopted is not None else None
    inputs = ComposeInputs(
        names=names,
        image=reference,
        pull_policy=pull_policy,
        config=ctx.config,
        settings=settings,
        dind=dind,
        socket_gid=socket_group() if dind is DindMode.SOCKET else None,
        env_secrets=bool(values),
        file_secrets=file_secret_mounts(
            ctx.secrets.file_secrets(), names.output_dir / "secret-files"
        ),
    )
    return _Prepared(inputs, values, rust_container, inspected)


def _names(
    ctx: ProviderContext,
) -> tuple[DeploymentNames, tuple[ContainerInfo | None] | tuple[()]]:
    """This deployment's names, and the container named like it when it was inspected.
    When that container is the Rust tool's deployment of this project, the names are its
    volumes' (adopted)."""
    names = DeploymentNames.of(ctx)
    if names.adopted is not None:
        return names, ()
    try:
        info = inspect_container(ctx.runner, names.container)
    except ExternalCommandError:  # plan works without an engine; deploy asks again
        return names, ()
    if info is None or info.has_labels(names.labels):
        return names, (info,)
    adopted = rust_deployment(info, ctx.project_dir)
    if adopted is None:
        return names, (info,)
    return attrs.evolve(names, adopted=adopted), (info,)


def _unadopted(ctx: ProviderContext, prepared: _Prepared) -> list[str]:
    """A Rust-tool home volume left without its container, while this deployment has no
    container and no home of its own yet: the user's files may be there."""
    names = prepared.inputs.names
    if names.adopted is not None or prepared.inspected != (None,):
        return []
    try:
        if list_volumes(ctx.runner, names.labels):
            return []
        volume = unadopted_home(ctx.runner, names.name, ctx.project_dir)
    except ExternalCommandError:
        return []
    return [unadopted_note(volume, ctx.project_dir, names.home_volume)] if volume else []


def _runtimes(ctx: ProviderContext) -> frozenset[str]:
    try:
        return engine_info(ctx.runner).runtimes
    except ExternalCommandError as exc:  # plan works without an engine: sysbox counts as absent
        ctx.console.warn(f"cannot ask the Docker engine for its runtimes: {exc.message}")
        return frozenset()


# -- plan ----------------------------------------------------------------------------------------


def plan(ctx: ProviderContext, image: ImageResolution) -> Plan:
    """What :func:`deploy` would do, compared with what runs. Writes nothing; reads the engine
    (container, volumes, images with the build's fingerprint, runtimes for ``dind: auto``)."""
    prepared, build = _desired(ctx, image)
    notes = list(_notes(prepared.inputs)) + _unadopted(ctx, prepared)
    if image.build is not None and build is None and not image.locked:
        notes.append(
            f"{prepared.inputs.image} is a placeholder: the tag names the commit of the sources, "
            "known once they are fetched"
        )
    config_hash = prepared.compose()[1]
    try:
        live = read_live(ctx, prepared.inputs.names, build.fingerprint if build else None)
    except ExternalCommandError as exc:
        return Plan(
            actions=tuple(_actions(prepared, image, built=False)),
            artifacts=tuple(prepared.artifacts(redacted=True)),
            notes=tuple(notes),
            reference=prepared.inputs.image,
        ).uncompared(f"the Docker engine did not answer: {exc.message}")
    result = Plan(
        actions=tuple(_actions(prepared, image, built=live.built)),
        artifacts=tuple(prepared.artifacts(redacted=True)),
        notes=tuple(notes),
        reference=prepared.inputs.image,
    ).compared(_changes(prepared, live, build, built=live.built, config_hash=config_hash))
    names = prepared.inputs.names
    if live.container is not None and not live.container.has_labels(names.labels):
        return result.refused(_foreign_container(names))
    return result


def _desired(ctx: ProviderContext, image: ImageResolution) -> tuple[_Prepared, BuildContext | None]:
    """The deployment sindri.yaml asks for now, as plan and status see it (nothing fetched)."""
    assert image.reference is not None  # the chain raises "No image configured" instead
    prepared = _prepare(ctx, image.reference, pull_policy_for(image, ctx.config))
    build = planned_context(ctx.config, ctx.project_dir, image.build) if image.build else None
    if build is not None:  # a local Dockerfile: its exact tag is known before any build
        prepared = prepared.with_image(build.tag)
    return prepared, build


def drift(
    ctx: ProviderContext, image: ImageResolution, info: ContainerInfo
) -> tuple[str, Change | None]:
    """The image sindri.yaml asks for now, and the running container against it (``status``);
    no change when that image is a placeholder (sources not fetched yet)."""
    prepared, build = _desired(ctx, image)
    inputs = prepared.inputs
    if image.is_build and build is None:
        return inputs.image, None
    return inputs.image, container_change(inputs.names, info, inputs.image, prepared.compose()[1])


def _changes(
    prepared: _Prepared,
    live: LiveDeployment,
    build: BuildContext | None,
    *,
    built: bool,
    config_hash: str,
) -> tuple[Change, ...]:
    changes = []
    if build is not None:
        changes.append(
            Change(ChangeAction.UNCHANGED if built else ChangeAction.CREATE, f"image:{build.tag}")
        )
    changes += file_changes(prepared.artifacts(redacted=False), prepared.removed_files())
    changes += volume_changes(prepared.volumes(), live)
    changes.append(
        container_change(prepared.inputs.names, live.container, prepared.inputs.image, config_hash)
    )
    return tuple(changes)


def _actions(prepared: _Prepared, image: ImageResolution, *, built: bool) -> list[PlannedAction]:
    inputs = prepared.inputs
    names = inputs.names
    actions = []
    if prepared.rust_container is not None and names.adopted is not None:
        actions.append(
            PlannedAction(
                "adopt",
                f"container:{prepared.rust_container.name}",
                f"{names.adopted.describe()}, made in this directory: its container is "
                "replaced, its volumes are kept and mounted, and sindri treats them as its own",
            )
        )
    if image.build is not None:
        reuse = (
            "an image built from the same sources exists and is reused"
            if built
            else "reused when an image with the same content fingerprint exists"
        )
        actions.append(
            PlannedAction(
                "build",
                f"image:{inputs.image}",
                f"docker build from the {image.build.describe()} with the layer cache; {reuse} "
                "(deploy --force rebuilds without cache)",
            )
        )
    else:
        actions.append(
            PlannedAction("pull", f"image:{inputs.image}", PULL_DESCRIPTIONS[inputs.pull_policy])
        )
    actions.extend(
        PlannedAction("create", f"file:{artifact.path}", _file_description(artifact))
        for artifact in prepared.artifacts(redacted=True)
    )
    home = inputs.config.deployment.volumes.workspace.home
    adopted = " (the Rust tool's, adopted)" if names.home_volume in names.adopted_volumes else ""
    actions.append(
        PlannedAction(
            "create",
            f"volume:{names.home_volume}",
            f"persistent home at {home}{adopted}, unless it exists; kept by destroy without "
            "--volumes",
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
            f"{settings.restart}): creates the container, or recreates it when its image or "
            "compose file changed, then waits until it runs",
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
    described = describe_dind(inputs.settings, inputs.dind)
    return (described,) if described else ()


# -- deploy --------------------------------------------------------------------------------------


def deploy(
    ctx: ProviderContext,
    image: ImageResolution,
    build: BuildContext | None,
    options: DeployOptions,
) -> DeployResult:
    """Converge: leave an up-to-date deployment alone, else build when needed, write the
    files, ``compose up`` and wait until the container runs.

    Everything that can refuse (settings, secrets, a foreign container, the compose version)
    is checked before the build, so a bad configuration never costs a build.

    :raises OperationError: anything failed; the container and what this deploy created are
        removed again (volumes that existed before are kept). An interrupt (Ctrl-C, SIGTERM)
        once the files are written is rolled back the same way, then passed on.
    """
    assert image.reference is not None  # the chain raises "No image configured" instead
    prepared = _prepare(ctx, image.reference, pull_policy_for(image, ctx.config))
    for note in _notes(prepared.inputs):
        ctx.console.info(note)
    for warning in _unadopted(ctx, prepared):
        ctx.console.warn(warning)
    if build is not None:  # the tag names the content fingerprint (or the sources' commit)
        prepared = prepared.with_image(build.tag)
    names = prepared.inputs.names
    existing = None if prepared.rust_container else _existing_deployment(ctx, names, prepared)
    if not options.force and _up_to_date(prepared, existing):
        return DeployResult(reference=prepared.inputs.image, unchanged=True)
    # Here, not at the top: plan needs none of compose's machinery.
    from sindri_providers_docker.compose import ComposeProject
    from sindri_providers_docker.prerequisites import require_compose
    from sindri_providers_docker.teardown import remove_deployment

    tool = require_compose(ctx.runner)
    _check_secrets_support(tool, prepared)
    messages: list[str] = []
    if build is not None:
        built = build_image(ctx.runner, build, build.tag, force=options.force, console=ctx.console)
        messages.append(f"{'Reused' if built.skipped else 'Built'} image {built.reference}")
        prepared = prepared.with_image(built.reference)
    had_volumes = bool(list_volumes(ctx.runner, names.labels))
    if prepared.rust_container is not None and names.adopted is not None:
        ctx.console.step(f"Adopting {names.adopted.describe()}")
        remove_containers(ctx.runner, [prepared.rust_container.id])
        messages.append(f"Adopted {names.adopted.describe()}")
    project = ComposeProject(
        ctx.runner, tool, names.project, names.compose_file, stream=ctx.console.progress
    )
    try:
        _write_files(prepared)
        messages.append(_up_and_wait(ctx, project, names, options))
    except OperationError as exc:
        raise _rolled_back(ctx, exc, names, had_volumes=had_volumes) from None
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: compose is already ended (subprocess)
        remove_deployment(ctx.runner, names, volumes=not had_volumes)
        raise
    return DeployResult(
        reference=prepared.inputs.image, messages=tuple(messages), connection="sindri connect"
    )


def _up_to_date(prepared: _Prepared, existing: ContainerInfo | None) -> bool:
    """The container runs what this deploy would create and the files on disk are current."""
    config_hash = prepared.compose()[1]
    change = container_change(prepared.inputs.names, existing, prepared.inputs.image, config_hash)
    if change.action is not ChangeAction.UNCHANGED:
        return False
    files = file_changes(prepared.artifacts(redacted=False), prepared.removed_files())
    unchanged = all(c.action is ChangeAction.UNCHANGED for c in files)
    return unchanged and not prepared.stale_copies()


def _rolled_back(
    ctx: ProviderContext,
    exc: OperationError,
    names: DeploymentNames,
    *,
    had_volumes: bool,
) -> OperationError:
    # Volumes that existed before this deploy hold the user's files: they are kept.
    from sindri_providers_docker.teardown import remove_deployment

    teardown = remove_deployment(ctx.runner, names, volumes=not had_volumes)
    return OperationError(
        f"deploy of {names.name} failed: {exc.message}\n"
        f"Rolled back what this deploy created: {teardown.describe(names)}"
    )


def _up_and_wait(
    ctx: ProviderContext,
    project: ComposeProject,
    names: DeploymentNames,
    options: DeployOptions,
) -> str:
    ctx.console.step(f"Starting {names.container}")
    deadline = time.monotonic() + options.timeout  # --timeout bounds pulling and starting
    # Compose recreates the container when its configuration (image included) changed;
    # --force recreates it regardless.
    project.up(recreate=options.force, timeout=options.timeout)
    if not options.wait:
        return f"Container {names.container} created; not waiting for it to run"
    from sindri_providers_docker.container import wait_until_running

    info = wait_until_running(ctx.runner, names.container, deadline=deadline)
    return f"Container {info.name} is running ({info.image})"


def _existing_deployment(
    ctx: ProviderContext, names: DeploymentNames, prepared: _Prepared
) -> ContainerInfo | None:
    from sindri_providers_docker.ownership import require_ownership

    require_ownership(ctx.runner, names)
    if prepared.inspected:
        (info,) = prepared.inspected
    else:
        info = inspect_container(ctx.runner, names.container)
    if info is not None and not info.has_labels(names.labels):
        raise OperationError(_foreign_container(names))
    return info


def _foreign_container(names: DeploymentNames) -> str:
    return (
        f"a container named {names.container} exists and was not created by sindri for "
        f"this deployment; remove or rename it (docker rm {names.container}), or change "
        "`name` in sindri.yaml"
    )


def _check_secrets_support(tool: ComposeTool, prepared: _Prepared) -> None:
    from sindri_providers_docker.compose import RAW_ENV_FILE_VERSION

    if prepared.secret_values and tool.version < RAW_ENV_FILE_VERSION:
        raise OperationError(
            f"passing secrets needs Docker Compose {RAW_ENV_FILE_VERSION} or later (env_file "
            f"format raw); found {tool.describe()}"
        )


def _write_files(prepared: _Prepared) -> None:
    for path in prepared.removed_files():
        remove_artifact(path)
    write_artifacts(prepared.artifacts(redacted=False))
    for mount in prepared.inputs.file_secrets:
        if mount.copy_from is not None:
            write_copy(mount.copy_from, mount.source, mount.mode)
