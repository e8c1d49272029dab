"""The Docker engine and its containers, as the ``docker`` CLI shows them: what the docker
provider runs, inspects and removes (building images is the core's, shared with other
providers).

Every function takes the :class:`CommandRunner` of the operation, so tests can record the
commands and timeouts apply.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from sindri_core.plugin import QUERY_TIMEOUT, ExternalCommandError

if TYPE_CHECKING:
    from sindri_core.plugin import CommandRunner

__all__ = [
    "ContainerInfo",
    "EngineInfo",
    "container_logs",
    "container_stats",
    "engine_info",
    "engine_version",
    "exec_argv",
    "exec_output",
    "inspect_container",
    "label_filters",
    "label_values",
    "list_containers",
    "list_networks",
    "list_volumes",
    "remove_containers",
    "remove_networks",
    "remove_volumes",
    "start_containers",
    "stop_containers",
]


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


def label_values(runner: CommandRunner, labels: Mapping[str, str], key: str) -> dict[str, str]:
    """Label ``key`` of every container and volume carrying all of ``labels``, by container
    ID or volume name (``""`` where it is absent)."""
    found: dict[str, str] = {}
    for kind, ident in ((("ps", "--all", "--no-trunc"), ".ID"), (("volume", "ls"), ".Name")):
        result = runner.run(
            [
                "docker",
                *kind,
                "--format",
                f"{{{{{ident}}}}}\t{{{{json (.Label {json.dumps(key)})}}}}",
                *label_filters(labels),
            ],
            timeout=QUERY_TIMEOUT,
        )
        for line in result.stdout.splitlines():
            name, _, value = line.partition("\t")
            if name.strip():
                found[name.strip()] = str(json.loads(value or '""'))
    return found


def start_containers(runner: CommandRunner, ids: Iterable[str]) -> None:
    ids = list(ids)
    if ids:
        runner.run(["docker", "start", "--", *ids], timeout=QUERY_TIMEOUT * 4)


def stop_containers(runner: CommandRunner, ids: Iterable[str], *, check: bool = True) -> None:
    """Stop gracefully (the engine's default: SIGTERM, SIGKILL after 10 s), as compose does.

    :param check: false when a removal follows anyway (a container already gone is fine).
    """
    ids = list(ids)
    if ids:
        runner.run(["docker", "stop", "--", *ids], timeout=QUERY_TIMEOUT * 4, check=check)


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
