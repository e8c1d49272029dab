"""The ``docker`` CLI, for every provider that drives a local Docker engine.

The Docker provider builds, runs and inspects containers; DevPod (type docker, local kind/k3d
clusters) and Kubernetes (loading images into kind/k3d) build, tag and push images. They all
use the functions here, so the argv of every ``docker`` command lives in one module and the
build-skip rule (an image labelled with the same content fingerprint) is the same everywhere.

Every function takes the :class:`~sindri_core.runner.CommandRunner` of the operation, so tests
can record the commands and timeouts apply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from sindri_core.errors import ExternalCommandError, OperationError
from sindri_core.lifecycle import BuiltImage

if TYPE_CHECKING:
    from sindri_core.build.context import BuildContext
    from sindri_core.output import Console
    from sindri_core.runner import CommandRunner

__all__ = [
    "BUILD_TIMEOUT",
    "FINGERPRINT_LABEL",
    "PUSH_TIMEOUT",
    "QUERY_TIMEOUT",
    "ContainerInfo",
    "EngineInfo",
    "build_and_push",
    "build_argv",
    "build_image",
    "container_logs",
    "container_stats",
    "engine_info",
    "engine_version",
    "exec_argv",
    "exec_output",
    "has_built_image",
    "image_exists_locally",
    "images_with_label",
    "inspect_container",
    "label_filters",
    "list_containers",
    "list_networks",
    "list_volumes",
    "push_image",
    "pushed_reference",
    "remove_containers",
    "remove_networks",
    "remove_volumes",
    "tag_image",
]

FINGERPRINT_LABEL = "dev.sindri.fingerprint"

# A build of the Sindri image compiles and downloads a lot; queries answer in milliseconds
# but a busy engine can be slow, so they get a generous bound rather than the default.
BUILD_TIMEOUT = 3600.0
PUSH_TIMEOUT = 1800.0
QUERY_TIMEOUT = 30.0

_PUSHED_DIGEST = re.compile(r"digest: (sha256:[0-9a-f]{64})")


# -- images ----------------------------------------------------------------------------------


def build_argv(build: BuildContext, tag: str, *, no_cache: bool) -> list[str]:
    """``docker build`` of a build context, labelled with its content fingerprint."""
    argv = ["docker", "build", "-f", str(build.dockerfile), "-t", tag]
    argv += ["--label", f"{FINGERPRINT_LABEL}={build.fingerprint}"]
    for name, value in sorted(build.build_args.items()):
        argv += ["--build-arg", f"{name}={value}"]
    if no_cache:
        argv.append("--no-cache")
    argv.append(str(build.context_dir))
    return argv


def build_image(
    runner: CommandRunner, build: BuildContext, tag: str, *, force: bool, console: Console
) -> BuiltImage:
    """Build ``build`` as ``tag`` on the local engine, or reuse an identical image.

    Without ``force``, an image carrying the same fingerprint label is the same build: it is
    tagged ``tag`` and nothing is built. ``force`` rebuilds without the layer cache.
    Progress streams to stderr when the console shows progress; otherwise the output is
    captured and its last lines end up in the error message.

    :raises OperationError: the build failed.
    """
    if not force:
        existing = images_with_label(runner, FINGERPRINT_LABEL, build.fingerprint)
        if existing:
            tag_image(runner, existing[0], tag)
            console.step(f"Reusing {tag}: an image built from the same sources exists")
            return BuiltImage(reference=tag, fingerprint=build.fingerprint, skipped=True)
    console.step(f"Building {tag} from the {build.source.describe()}")
    try:
        runner.run(
            build_argv(build, tag, no_cache=force),
            timeout=BUILD_TIMEOUT,
            stream=console.progress,
        )
    except ExternalCommandError as exc:
        raise OperationError(
            f"building {tag} from the {build.source.describe()} failed: {exc.message}"
        ) from None
    return BuiltImage(reference=tag, fingerprint=build.fingerprint)


def has_built_image(runner: CommandRunner, fingerprint: str) -> bool:
    """Whether the engine holds an image built from sources with this content fingerprint
    (a read-only query: ``plan`` uses it to say whether deploy would build or reuse).

    :raises ExternalCommandError: the engine could not answer.
    """
    return bool(images_with_label(runner, FINGERPRINT_LABEL, fingerprint))


def images_with_label(runner: CommandRunner, label: str, value: str) -> list[str]:
    """IDs of local images labelled ``label=value``, newest first."""
    result = runner.run(
        ["docker", "images", "--filter", f"label={label}={value}", "--quiet", "--no-trunc"],
        timeout=QUERY_TIMEOUT,
    )
    return _unique_lines(result.stdout)


def image_exists_locally(runner: CommandRunner, ref: str) -> bool:
    result = runner.run(
        ["docker", "image", "inspect", "--format", "{{.Id}}", ref],
        timeout=QUERY_TIMEOUT,
        check=False,
    )
    return result.ok


def tag_image(runner: CommandRunner, source: str, target: str) -> None:
    runner.run(["docker", "tag", source, target], timeout=QUERY_TIMEOUT)


def push_image(runner: CommandRunner, source: str, target: str) -> str | None:
    """Tag ``source`` as ``target`` and push it; returns the pushed manifest digest.

    :raises OperationError: the push failed (the registry's answer is in the message).
    """
    if source != target:
        tag_image(runner, source, target)
    try:
        result = runner.run(["docker", "push", target], timeout=PUSH_TIMEOUT)
    except ExternalCommandError as exc:
        raise OperationError(f"pushing {target} failed: {exc.message}") from None
    match = _PUSHED_DIGEST.search(result.stdout)
    return match.group(1) if match else None


def pushed_reference(repository: str, tag: str) -> str:
    """``sindri:3.2.0-abc1234`` pushed to ``ghcr.io/me/dev`` is ``ghcr.io/me/dev:3.2.0-abc1234``."""
    return f"{repository}:{tag.rsplit(':', 1)[-1]}"


def build_and_push(
    runner: CommandRunner, build: BuildContext, repository: str, *, force: bool, console: Console
) -> str:
    """Build ``build`` locally (or reuse it) and push it to ``repository``: the pushed
    reference, pinned by digest when the registry reported one."""
    built = build_image(runner, build, build.tag, force=force, console=console)
    target = pushed_reference(repository, built.reference)
    console.step(f"Pushing {target}")
    digest = push_image(runner, built.reference, target)
    return f"{target}@{digest}" if digest else target


# -- the engine --------------------------------------------------------------------------------


@attrs.frozen
class EngineInfo:
    """What ``docker info`` says about the engine that matters to sindri."""

    server_version: str
    runtimes: frozenset[str]


def engine_info(runner: CommandRunner, *, timeout: float = 20.0) -> EngineInfo:
    """Ask the engine for its version and runtimes.

    :raises ExternalCommandError: the engine cannot be reached (message says why).
    """
    result = runner.run(
        ["docker", "info", "--format", "{{json .ServerVersion}} {{json .Runtimes}}"],
        timeout=timeout,
    )
    version_text, _, runtimes_text = result.stdout.strip().partition(" ")
    version = json.loads(version_text or '""')
    if not version:  # the CLI prints an empty server section when the daemon is down
        raise ExternalCommandError(
            "`docker info` got no answer from the Docker engine: " + result.last_lines()
        )
    runtimes = json.loads(runtimes_text or "{}") or {}
    return EngineInfo(server_version=version, runtimes=frozenset(runtimes))


def engine_version(runner: CommandRunner, *, timeout: float = 20.0) -> str:
    """The engine's version: the cheapest call that proves the engine answers.

    :raises ExternalCommandError: the engine cannot be reached (message says why).
    """
    result = runner.run(
        ["docker", "version", "--format", "{{json .Server.Version}}"], timeout=timeout
    )
    version = json.loads(result.stdout.strip() or '""')
    if not version:
        raise ExternalCommandError(
            "`docker version` got no answer from the Docker engine: " + result.last_lines()
        )
    return version


# -- containers --------------------------------------------------------------------------------


@attrs.frozen
class ContainerInfo:
    """The parts of ``docker container inspect`` sindri reads.

    :param status: the engine's word: created, running, paused, restarting, removing,
        exited or dead.
    :param image: the reference the container was created from (as written).
    :param ports: published ports as ``host_ip:host_port->container_port/proto``.
    :param volumes: named volumes mounted, by their path in the container.
    """

    id: str
    name: str
    status: str
    running: bool
    restarting: bool
    restart_count: int
    exit_code: int
    started_at: str
    image: str
    image_id: str
    labels: Mapping[str, str]
    ports: tuple[str, ...]
    volumes: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def from_inspect(cls, data: Mapping[str, Any]) -> ContainerInfo:
        state = data.get("State") or {}
        config = data.get("Config") or {}
        ports = []
        for container_port, bindings in sorted(
            ((data.get("NetworkSettings") or {}).get("Ports") or {}).items()
        ):
            for binding in bindings or ():
                ports.append(f"{binding['HostIp']}:{binding['HostPort']}->{container_port}")
        return cls(
            id=data["Id"],
            name=data.get("Name", "").lstrip("/"),
            status=state.get("Status", "unknown"),
            running=bool(state.get("Running")),
            restarting=bool(state.get("Restarting")),
            restart_count=int(data.get("RestartCount") or 0),
            exit_code=int(state.get("ExitCode") or 0),
            started_at=state.get("StartedAt", ""),
            image=config.get("Image", ""),
            image_id=data.get("Image", ""),
            labels=dict(config.get("Labels") or {}),
            ports=tuple(ports),
            volumes={
                mount["Destination"]: mount["Name"]
                for mount in data.get("Mounts") or ()
                if mount.get("Type") == "volume" and mount.get("Name")
            },
        )

    def has_labels(self, labels: Mapping[str, str]) -> bool:
        return all(self.labels.get(key) == value for key, value in labels.items())


def inspect_container(runner: CommandRunner, name: str) -> ContainerInfo | None:
    """The container called ``name``, or ``None`` when there is none.

    :raises ExternalCommandError: the engine could not answer.
    """
    result = runner.run(
        ["docker", "container", "inspect", "--", name], timeout=QUERY_TIMEOUT, check=False
    )
    if not result.ok:
        if "no such container" in result.stderr.lower():
            return None
        raise ExternalCommandError(
            f"`docker container inspect` failed with exit status {result.returncode}: "
            + result.last_lines()
        )
    documents = json.loads(result.stdout)
    return ContainerInfo.from_inspect(documents[0]) if documents else None


def container_logs(runner: CommandRunner, name: str, *, tail: int = 20) -> str:
    """The last ``tail`` lines the container wrote (stdout and stderr), or ``""``."""
    result = runner.run(
        ["docker", "logs", "--tail", str(tail), name], timeout=QUERY_TIMEOUT, check=False
    )
    return "\n".join(part for part in (result.stdout.strip(), result.stderr.strip()) if part)


def container_stats(runner: CommandRunner, name: str) -> dict[str, str]:
    """One sample of ``docker stats`` (CPUPerc, MemUsage, ...), or ``{}`` when unavailable."""
    result = runner.run(
        ["docker", "stats", "--no-stream", "--format", "{{json .}}", name],
        timeout=QUERY_TIMEOUT,
        check=False,
    )
    line = result.stdout.strip().splitlines()[:1]
    if not result.ok or not line:
        return {}
    return json.loads(line[0])


def exec_argv(
    container: str,
    command: Sequence[str],
    *,
    user: str | None = None,
    workdir: str | None = None,
    tty: bool = False,
) -> list[str]:
    """``docker exec`` of ``command``; ``tty`` only when a terminal is attached (else the
    CLI refuses with "the input device is not a TTY")."""
    argv = ["docker", "exec", "--interactive"]
    if tty:
        argv.append("--tty")
    if user:
        argv += ["--user", user]
    if workdir:
        argv += ["--workdir", workdir]
    return [*argv, container, *command]


def exec_output(runner: CommandRunner, container: str, command: Sequence[str]) -> str | None:
    """Run ``command`` in the container without a terminal; its stdout, or ``None`` if it
    failed."""
    result = runner.run(["docker", "exec", container, *command], timeout=QUERY_TIMEOUT, check=False)
    return result.stdout if result.ok else None


def label_filters(labels: Mapping[str, str]) -> list[str]:
    filters: list[str] = []
    for key, value in labels.items():
        filters += ["--filter", f"label={key}={value}"]
    return filters


def list_containers(runner: CommandRunner, labels: Mapping[str, str]) -> list[str]:
    """IDs of all containers (running or not) carrying every one of ``labels``."""
    result = runner.run(
        ["docker", "ps", "--all", "--quiet", "--no-trunc", *label_filters(labels)],
        timeout=QUERY_TIMEOUT,
    )
    return _unique_lines(result.stdout)


def list_networks(runner: CommandRunner, labels: Mapping[str, str]) -> list[str]:
    result = runner.run(
        ["docker", "network", "ls", "--format", "{{.Name}}", *label_filters(labels)],
        timeout=QUERY_TIMEOUT,
    )
    return _unique_lines(result.stdout)


def list_volumes(runner: CommandRunner, labels: Mapping[str, str]) -> list[str]:
    result = runner.run(
        ["docker", "volume", "ls", "--quiet", *label_filters(labels)], timeout=QUERY_TIMEOUT
    )
    return _unique_lines(result.stdout)


def remove_containers(runner: CommandRunner, ids: Iterable[str]) -> None:
    ids = list(ids)
    if ids:
        runner.run(["docker", "rm", "--force", "--", *ids], timeout=QUERY_TIMEOUT * 4)


def remove_networks(runner: CommandRunner, names: Iterable[str]) -> None:
    names = list(names)
    if names:
        runner.run(["docker", "network", "rm", "--", *names], timeout=QUERY_TIMEOUT)


def remove_volumes(runner: CommandRunner, names: Iterable[str]) -> None:
    names = list(names)
    if names:
        runner.run(["docker", "volume", "rm", "--", *names], timeout=QUERY_TIMEOUT)


def _unique_lines(text: str) -> list[str]:
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
