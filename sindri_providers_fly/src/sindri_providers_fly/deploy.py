"""Deploying to Fly.io: the app, its volume, secrets and address, then ``flyctl deploy``.

Two modes, decided by the image chain (docs/IMAGE_MANAGEMENT.md, docs/providers/fly.md):

* **image mode** (levels 1-4): ``flyctl deploy --image <reference>``; fly.toml has no
  ``[build]`` section and nothing is built.
* **build mode** (level 5, or ``--force`` with a build source): flyctl builds the Dockerfile
  of the fetched build context (Fly's remote builder, or the local engine with
  ``buildLocally``), run with the context as working directory.

:func:`plan` describes the same steps from the same data and runs nothing.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import attrs

from sindri_core.plugin import (
    DEFAULT_FILE_PERMISSIONS,
    Artifact,
    BuildContext,
    BuildOptions,
    BuiltImage,
    Change,
    ChangeAction,
    ConfigError,
    DeploymentState,
    DeployOptions,
    DeployRecord,
    DeployResult,
    ImageResolution,
    OperationError,
    Plan,
    PlannedAction,
    ProviderContext,
    config_change,
    planned_context,
    sha256_text,
    write_artifacts,
)
from sindri_providers_fly import fly_toml
from sindri_providers_fly.fly_toml import FILE_SECRET_PREFIX, VOLUME_NAME, BuildSpec, FileMount
from sindri_providers_fly.flyctl import Flyctl, Machine, Volume
from sindri_providers_fly.machines import machine_state, primary_machine
from sindri_providers_fly.secret_encoding import encode_secrets
from sindri_providers_fly.settings import FlySettings

__all__ = ["DEV_USER", "FlyTarget", "build_image", "deploy", "plan", "require_flyctl"]

DEFAULT_ORGANIZATION = "personal"
FLY_REGISTRY = "registry.fly.io"
DEV_USER = "developer"
# flyctl's own --wait-timeout bounds the rollout; these bound the command around it.
IMAGE_DEPLOY_ALLOWANCE = 300
BUILD_ALLOWANCE = 3600
# Volume states of a volume that is going away and cannot be mounted.
GONE_VOLUME_STATES = frozenset({"pending_destroy", "destroying", "destroyed"})
# IP types the Fly proxy can route raw TCP (the SSH service) to; shared IPv4 only serves
# HTTP/TLS by hostname.
TCP_ROUTABLE_IPS = frozenset({"v4", "v6"})


@attrs.frozen
class FlyTarget:
    """The facts plan and deploy share: which app, where, and the generated file."""

    app: str
    organization: str
    region: str
    volume_size_gb: int
    fly_toml: Path
    settings: FlySettings

    @classmethod
    def of(cls, ctx: ProviderContext) -> FlyTarget:
        settings: FlySettings = ctx.provider_config
        return cls(
            app=ctx.name,
            organization=settings.organization or DEFAULT_ORGANIZATION,
            region=settings.region,
            volume_size_gb=fly_toml.volume_size_gb(ctx.config),
            fly_toml=ctx.output_dir / "fly.toml",
            settings=settings,
        )

    @property
    def secret_names_file(self) -> Path:
        """The names (never the values) of the secrets the last deploy staged on the app."""
        return self.fly_toml.parent / "secret-names.json"

    @property
    def ssh_address(self) -> str:
        return f"{DEV_USER}@{self.app}.fly.dev -p {self.settings.ssh_port}"


@attrs.frozen
class SecretPayload:
    """What ``secrets import`` receives (values) and what fly.toml mounts (files)."""

    values: dict[str, str] = attrs.field(repr=False)
    files: tuple[FileMount, ...]
    encoded: str = attrs.field(default="", repr=False)  # the stdin of `secrets import`

    @property
    def names(self) -> list[str]:
        return sorted(self.values)


def secret_payload(ctx: ProviderContext) -> SecretPayload:
    """Env secrets as they are; file secrets base64-encoded (Fly's ``[[files]]`` decodes a
    secret into the file) under ``SINDRI_FILE_<NAME>``.

    :raises ConfigError: a required secret is missing, or a value cannot reach Fly intact.
    """
    values = dict(ctx.secrets.env_values())
    files = []
    for secret, path in ctx.secrets.file_secrets():
        assert secret.mount_path, "the config schema requires mountPath for file secrets"
        if secret.permissions != DEFAULT_FILE_PERMISSIONS:
            raise ConfigError(
                f"the fly provider cannot give a mounted file the mode {secret.permissions}: "
                "fly.toml [[files]] has no mode",
                path=f"secrets.{secret.name}.permissions",
                hint="remove permissions to let Fly write the file, or use docker or kubernetes",
            )
        name = FILE_SECRET_PREFIX + secret.name
        values[name] = base64.b64encode(path.read_bytes()).decode("ascii")
        files.append(FileMount(guest_path=secret.mount_path, secret_name=name))
    return SecretPayload(values=values, files=tuple(files), encoded=encode_secrets(values))


def removed_secret_names(target: FlyTarget, payload: SecretPayload) -> list[str]:
    """Secrets an earlier deploy staged on this app that sindri.yaml no longer lists.

    Fly keeps an app's secrets until they are unset, so a secret deleted from sindri.yaml
    would otherwise stay in the environment. Only names sindri itself staged (recorded in
    :attr:`FlyTarget.secret_names_file`) are candidates: secrets set on the app by other
    means are never touched. No record, or one for another app, means none.
    """
    try:
        record = json.loads(target.secret_names_file.read_text(encoding="utf-8"))
        staged = set(record["names"]) if record["app"] == target.app else set()
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return sorted(staged - set(payload.names))


def require_flyctl(ctx: ProviderContext) -> Flyctl:
    fly = Flyctl.locate(ctx.runner)
    if fly is None:
        raise OperationError("flyctl is not installed (https://fly.io/docs/flyctl/install/)")
    return fly


def _fly_toml(
    ctx: ProviderContext, target: FlyTarget, payload: SecretPayload, build: BuildSpec | None
) -> Artifact:
    document = fly_toml.fly_document(ctx.config, target.settings, build=build, files=payload.files)
    return Artifact(path=target.fly_toml, content=fly_toml.render(document))


def _image_label(build: BuildContext) -> str:
    """The tag Fly's registry gets for a build: the build tag without ``sindri:``."""
    return build.tag.split(":", 1)[-1]


def _built_reference(target: FlyTarget, build: BuildContext) -> str:
    return f"{FLY_REGISTRY}/{target.app}:{_image_label(build)}"


# -- plan ------------------------------------------------------------------------------------


def plan(ctx: ProviderContext, image: ImageResolution) -> Plan:
    """The actions deploy takes and the fly.toml it writes. Runs nothing, writes nothing."""
    target = FlyTarget.of(ctx)
    payload = secret_payload(ctx)
    actions = [
        PlannedAction(
            "create",
            f"app:{target.app}",
            f"Create the Fly.io app in organization {target.organization} unless it exists",
        ),
        PlannedAction(
            "create",
            f"volume:{VOLUME_NAME}",
            f"Create a {target.volume_size_gb}GB volume in {target.region} unless the app "
            "has one there",
        ),
    ]
    removed = removed_secret_names(target, payload)
    if removed:
        actions.append(
            PlannedAction(
                "update",
                f"secrets:{target.app}",
                "Unset " + ", ".join(removed) + " (staged by an earlier deploy, no longer in "
                "sindri.yaml) where the app still has them",
            )
        )
    if payload.values:
        actions.append(
            PlannedAction(
                "update",
                f"secrets:{target.app}",
                "Stage secrets " + ", ".join(payload.names) + " (values on stdin)",
            )
        )
    actions.append(
        PlannedAction(
            "create",
            f"ip:{target.app}",
            "Allocate a dedicated IPv6 address"
            + (
                " and a dedicated IPv4 address (billed by Fly.io)"
                if target.settings.dedicated_ipv4
                else ""
            )
            + " for SSH unless the app has a dedicated address",
        )
    )
    notes = []
    spec = None
    context = None
    if image.is_build:
        source = image.build.describe() if image.build else "the build source"
        # A local Dockerfile's context is known in plan: fly.toml's [build] is the deployed one.
        context = planned_context(ctx.config, ctx.project_dir, image.build) if image.build else None
        spec = fly_toml.build_spec(context, target.fly_toml) if context is not None else None
        where = "the local Docker engine" if target.settings.build_locally else "Fly's builder"
        actions += [
            PlannedAction(
                "build", f"image:{FLY_REGISTRY}/{target.app}", f"{where} builds {source}"
            ),
            PlannedAction("run", f"machine:{target.app}", "flyctl deploy the built image"),
        ]
        if spec is None:
            notes.append(
                "fly.toml gains a [build] section (Dockerfile and build arguments) once the "
                "Sindri sources are fetched during deploy"
            )
    else:
        actions.append(
            PlannedAction(
                "run",
                f"machine:{target.app}",
                f"flyctl deploy --image {image.reference} (nothing is built)",
            )
        )
    artifact = _fly_toml(ctx, target, payload, build=spec)
    reference = _planned_reference(target, image, context)
    if reference is None:
        notes.append(
            f"{FLY_REGISTRY}/{target.app}:<tag> is a placeholder: the tag names the commit of "
            "the sources, known once they are fetched"
        )
    result = Plan(actions=tuple(actions), artifacts=(artifact,), notes=tuple(notes))
    return _compared(ctx, target, payload, artifact, reference, result)


def _planned_reference(
    target: FlyTarget, image: ImageResolution, context: BuildContext | None
) -> str | None:
    """The image the machine would run; ``None`` while a git source's tag is unknown."""
    if not image.is_build:
        return image.reference
    return _built_reference(target, context) if context is not None else None


def _compared(
    ctx: ProviderContext,
    target: FlyTarget,
    payload: SecretPayload,
    artifact: Artifact,
    reference: str | None,
    result: Plan,
) -> Plan:
    """``result`` with each resource compared with what runs, from read-only flyctl calls."""
    fly = Flyctl.locate(ctx.runner)
    if fly is None:
        return result.uncompared("flyctl is not installed")
    if not fly.authenticated():
        return result.uncompared(f"flyctl is not logged in (`{fly.executable} auth login`)")
    try:
        changes = _changes(ctx, fly, target, payload, artifact, reference)
    except OperationError as exc:
        return result.uncompared(f"flyctl could not read the app: {exc.message}")
    return result.compared(changes)


def _changes(
    ctx: ProviderContext,
    fly: Flyctl,
    target: FlyTarget,
    payload: SecretPayload,
    artifact: Artifact,
    reference: str | None,
) -> tuple[Change, ...]:
    app = f"app:{target.app}"
    if not fly.app_exists(target.app):
        return (
            Change(ChangeAction.CREATE, app),
            Change(ChangeAction.CREATE, f"volume:{VOLUME_NAME}"),
            Change(ChangeAction.CREATE, f"machine:{target.app}"),
            Change(ChangeAction.CREATE, f"file:{artifact.path}"),
        )
    volume = ChangeAction.UNCHANGED if _live_volume(fly, target) else ChangeAction.CREATE
    record = DeployRecord.read(artifact.path.parent, target.app)
    changes = [
        Change(ChangeAction.UNCHANGED, app),
        Change(volume, f"volume:{VOLUME_NAME}"),
        machine_change(target, fly.machines(target.app), reference),
        config_change(f"file:{artifact.path}", record, artifact.content),
    ]
    if payload.values:  # values are never read back nor hashed: staged on every deploy
        changes.append(
            Change(
                ChangeAction.UPDATE,
                f"secrets:{target.app}",
                "live values",
                "values from sindri.yaml (not compared)",
            )
        )
    return tuple(changes)


def machine_change(target: FlyTarget, machines: list[Machine], reference: str | None) -> Change:
    """The app's primary machine against the image deploy would run (and running)."""
    resource = f"machine:{target.app}"
    machine = primary_machine(machines)
    if machine is None:
        return Change(ChangeAction.CREATE, resource)
    desired = reference or f"{FLY_REGISTRY}/{target.app}:<tag>"
    if machine.image != desired:
        return Change(ChangeAction.UPDATE, resource, f"image {machine.image}", f"image {desired}")
    if machine_state(machine.state) is not DeploymentState.RUNNING:
        return Change(ChangeAction.UPDATE, resource, machine.state, "started")
    return Change(ChangeAction.UNCHANGED, resource)


# -- deploy ----------------------------------------------------------------------------------


def _ensure_app(fly: Flyctl, target: FlyTarget) -> list[str]:
    if fly.app_exists(target.app):
        return []
    fly.create_app(target.app, target.organization)
    return [f"Created Fly.io app {target.app} in organization {target.organization}"]


def _live_volume(fly: Flyctl, target: FlyTarget) -> list[Volume]:
    """The app's home volumes in the configured region that can still be mounted."""
    return [
        v
        for v in fly.volumes(target.app)
        if v.name == VOLUME_NAME and v.region == target.region and v.state not in GONE_VOLUME_STATES
    ]


def _ensure_volume(ctx: ProviderContext, fly: Flyctl, target: FlyTarget) -> list[str]:
    volumes = _live_volume(fly, target)
    if volumes:
        smallest = min(v.size_gb for v in volumes)
        if smallest < target.volume_size_gb:
            ctx.console.warn(
                f"volume {VOLUME_NAME} has {smallest}GB, less than the configured "
                f"{target.volume_size_gb}GB; grow it with `{fly.executable} volumes extend`"
            )
        return []
    fly.create_volume(target.app, VOLUME_NAME, region=target.region, size_gb=target.volume_size_gb)
    return [f"Created volume {VOLUME_NAME} ({target.volume_size_gb}GB, {target.region})"]


def _ensure_ip(fly: Flyctl, target: FlyTarget, settings: FlySettings) -> list[str]:
    """An app with no address SSH can reach gets an IPv6 and, as from the Rust tool, a
    dedicated IPv4 (unless dedicatedIpv4: false); an app that has one is left as it is."""
    if any(ip.type in TCP_ROUTABLE_IPS for ip in fly.ip_addresses(target.app)):
        return []
    fly.allocate_ipv6(target.app)
    if not settings.dedicated_ipv4:
        return [
            "Allocated a dedicated IPv6 address (dedicatedIpv4: false); for IPv4 clients run "
            f"`{fly.executable} ips allocate-v4 --app {target.app}` (billed by Fly.io)"
        ]
    fly.allocate_dedicated_ipv4(target.app)
    return ["Allocated a dedicated IPv6 and a dedicated IPv4 address (IPv4 billed by Fly.io)"]


def _prepare(
    ctx: ProviderContext, fly: Flyctl, target: FlyTarget, payload: SecretPayload
) -> list[str]:
    """Everything ``flyctl deploy`` needs to exist first."""
    ctx.console.step(f"Preparing Fly.io app {target.app}")
    messages = _ensure_app(fly, target) + _ensure_volume(ctx, fly, target)
    messages += _sync_secrets(fly, target, payload)
    return messages + _ensure_ip(fly, target, ctx.provider_config)


def _sync_secrets(fly: Flyctl, target: FlyTarget, payload: SecretPayload) -> list[str]:
    """Unset what sindri staged before and sindri.yaml dropped, stage the rest, and record
    the names staged now."""
    messages = []
    removed = removed_secret_names(target, payload)
    still_set = sorted(set(removed) & fly.secret_names(target.app)) if removed else []
    if still_set:
        fly.unstage_secrets(target.app, still_set)
        messages.append("Unset secrets no longer in sindri.yaml: " + ", ".join(still_set))
    if payload.values:
        fly.stage_secrets(target.app, payload.encoded)
        messages.append("Staged secrets " + ", ".join(payload.names))
    record = {"app": target.app, "names": payload.names}
    write_artifacts([Artifact(target.secret_names_file, json.dumps(record, indent=2) + "\n")])
    return messages


def _common_args(target: FlyTarget, options: DeployOptions) -> list[str]:
    args = [
        "--config", str(target.fly_toml),
        f"--ha={str(target.settings.high_availability).lower()}",
        "--wait-timeout", str(options.timeout),
        "--yes",
    ]  # fmt: skip
    return args if options.wait else [*args, "--detach"]


def _build_args(target: FlyTarget, build: BuildContext, force: bool) -> list[str]:
    args = ["--image-label", _image_label(build)]
    if force:
        args.append("--no-cache")
    args.append("--local-only" if target.settings.build_locally else "--remote-only")
    return args


def deploy(
    ctx: ProviderContext,
    image: ImageResolution,
    build: BuildContext | None,
    options: DeployOptions,
) -> DeployResult:
    """Create what is missing, then run ``flyctl deploy`` in image or build mode.

    Deploying over an existing app updates it in place (Fly replaces the machines; the
    volume and its data stay), so no ``--force`` is needed to redeploy.
    """
    target = FlyTarget.of(ctx)
    payload = secret_payload(ctx)
    spec = fly_toml.build_spec(build, target.fly_toml) if build is not None else None
    artifact = _fly_toml(ctx, target, payload, spec)
    if build is not None:
        reference = _built_reference(target, build)
    elif image.reference is not None:
        reference = image.reference
    else:
        raise OperationError("no image to deploy and no build context")
    write_artifacts([artifact])
    fly = require_flyctl(ctx)
    connection = " ".join(fly.ssh_console_argv(target.app, DEV_USER))
    if not options.force and _up_to_date(fly, target, payload, artifact, reference):
        return DeployResult(reference=reference, connection=connection, unchanged=True)
    messages = _prepare(ctx, fly, target, payload)
    args = _common_args(target, options)
    if build is not None:
        ctx.console.step(f"Building and deploying {build.source.describe()} on Fly.io")
        args += _build_args(target, build, options.force)
        cwd, allowance = build.context_dir, BUILD_ALLOWANCE
    else:
        ctx.console.step(f"Deploying {reference} to Fly.io")
        args += ["--image", reference]
        cwd, allowance = target.fly_toml.parent, IMAGE_DEPLOY_ALLOWANCE
    fly.deploy(args, cwd=cwd, timeout=options.timeout + allowance, stream=ctx.console.progress)
    record = DeployRecord(target.app, reference, sha256_text(artifact.content))
    write_artifacts([record.artifact(target.fly_toml.parent)])
    messages.append(f"SSH: ssh {target.ssh_address}")
    return DeployResult(reference=reference, messages=tuple(messages), connection=connection)


def _up_to_date(
    fly: Flyctl, target: FlyTarget, payload: SecretPayload, artifact: Artifact, reference: str
) -> bool:
    """The last deploy applied this fly.toml and the app's machine runs ``reference``.

    Secret values are never read back nor hashed, so an app with secrets is deployed every
    time (as Kubernetes Secrets are applied every time). Costs ``machines list`` only.
    """
    record = DeployRecord.read(target.fly_toml.parent, target.app)
    if payload.values or record is None or record.config_sha256 != sha256_text(artifact.content):
        return False
    try:
        machines = fly.machines(target.app)
    except OperationError:  # the app is gone (destroyed outside sindri): deploy recreates it
        return False
    return machine_change(target, machines, reference).action is ChangeAction.UNCHANGED


def build_image(ctx: ProviderContext, build: BuildContext, options: BuildOptions) -> BuiltImage:
    """``sindri build``: build and push to the app's Fly registry without deploying, so a
    later deploy (or another project) can use the image with ``deployment.image``."""
    target = FlyTarget.of(ctx)
    spec = fly_toml.build_spec(build, target.fly_toml)
    # A build creates no machine, so secrets are neither read nor staged here.
    write_artifacts([_fly_toml(ctx, target, SecretPayload(values={}, files=()), spec)])
    fly = require_flyctl(ctx)
    _ensure_app(fly, target)  # the registry repository belongs to the app
    ctx.console.step(f"Building {build.source.describe()} on Fly.io")
    args = ["--config", str(target.fly_toml), "--build-only", "--push"]
    args += _build_args(target, build, options.force)
    fly.deploy(args, cwd=build.context_dir, timeout=BUILD_ALLOWANCE, stream=ctx.console.progress)
    return BuiltImage(
        reference=_built_reference(target, build), fingerprint=build.fingerprint, pushed=True
    )
