"""flyctl as a Python API: argv lists in, typed records out.

Every existence check parses flyctl's ``--json`` output; nothing matches substrings of text
meant for humans. Secret values only ever travel on stdin (``secrets import``).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from sindri_core.plugin import CommandResult, CommandRunner, OperationError

__all__ = [
    "EXECUTABLES",
    "Flyctl",
    "IpAddress",
    "Machine",
    "Volume",
]

# flyctl installs both names; newer installs may only have `fly`.
EXECUTABLES = ("flyctl", "fly")
QUERY_TIMEOUT = 60.0


@attrs.frozen
class Volume:
    id: str
    name: str
    region: str
    size_gb: int
    state: str


@attrs.frozen
class IpAddress:
    address: str
    type: str  # v4 | v6 | shared_v4 | private_v6


@attrs.frozen
class Machine:
    """One entry of ``flyctl machines list --json`` (the Machines API object)."""

    id: str
    state: str
    region: str
    image: str | None
    image_digest: str | None
    private_ip: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Machine:
        config = data.get("config") or {}
        image_ref = data.get("image_ref") or {}
        return cls(
            id=str(data.get("id", "")),
            state=str(data.get("state", "")),
            region=str(data.get("region", "")),
            image=config.get("image") or None,
            image_digest=image_ref.get("digest") or None,
            private_ip=data.get("private_ip") or None,
        )


def _field(data: Mapping[str, Any], name: str) -> Any:
    """flyctl prints API objects with lower-case keys and GraphQL objects with Go field
    names (``Name``, ``Type``); accept both spellings."""
    if name in data:
        return data[name]
    return data.get(name[:1].upper() + name[1:], data.get(name.upper()))


class Flyctl:
    """flyctl through a :class:`~sindri_core.runner.CommandRunner`.

    :param runner: runs the commands (argv lists, timeouts).
    :param executable: ``flyctl`` or ``fly`` as found on PATH.
    """

    def __init__(self, runner: CommandRunner, executable: str = "flyctl") -> None:
        self.runner = runner
        self.executable = executable

    @classmethod
    def locate(cls, runner: CommandRunner) -> Flyctl | None:
        for name in EXECUTABLES:
            if runner.which(name):
                return cls(runner, name)
        return None

    # -- plumbing ------------------------------------------------------------------------------

    def argv(self, *args: str) -> list[str]:
        return [self.executable, *args]

    def _run(self, *args: str, **kwargs: Any) -> CommandResult:
        kwargs.setdefault("timeout", QUERY_TIMEOUT)
        return self.runner.run(self.argv(*args), **kwargs)

    def _json(self, *args: str) -> Any:
        result = self._run(*args, "--json")
        try:
            return json.loads(result.stdout or "null")
        except json.JSONDecodeError:
            raise OperationError(
                f"`{self.executable} {' '.join(args)} --json` did not print JSON"
            ) from None

    def _list(self, *args: str) -> list[Mapping[str, Any]]:
        data = self._json(*args)
        if data is None:
            return []
        if not isinstance(data, list):
            raise OperationError(
                f"`{self.executable} {' '.join(args)} --json` did not print a JSON list"
            )
        return [item for item in data if isinstance(item, Mapping)]

    # -- auth ----------------------------------------------------------------------------------

    def authenticated(self) -> bool:
        return self._run("auth", "whoami", check=False).ok

    # -- apps ----------------------------------------------------------------------------------

    def app_exists(self, app: str) -> bool:
        return any(_field(item, "name") == app for item in self._list("apps", "list"))

    def create_app(self, app: str, organization: str) -> None:
        self._run("apps", "create", app, "--org", organization)

    def destroy_app(self, app: str) -> None:
        # --yes: the user confirmed in `sindri destroy`; flyctl would ask again otherwise.
        self._run("apps", "destroy", app, "--yes")

    # -- volumes -------------------------------------------------------------------------------

    def volumes(self, app: str) -> list[Volume]:
        return [
            Volume(
                id=str(_field(item, "id") or ""),
                name=str(_field(item, "name") or ""),
                region=str(_field(item, "region") or ""),
                size_gb=int(_field(item, "size_gb") or 0),
                state=str(_field(item, "state") or ""),
            )
            for item in self._list("volumes", "list", "--app", app)
        ]

    def create_volume(self, app: str, name: str, *, region: str, size_gb: int) -> None:
        self._run(
            "volumes", "create", name, "--app", app, "--region", region,
            "--size", str(size_gb), "--yes",
        )  # fmt: skip

    # -- secrets -------------------------------------------------------------------------------

    def stage_secrets(self, app: str, encoded: str) -> None:
        """Set secrets without restarting machines; the next deploy applies them.

        :param encoded: ``NAME=VALUE`` lines from :func:`~.secret_encoding.encode_secrets`.
        """
        self._run("secrets", "import", "--stage", "--app", app, input=encoded)

    def secret_names(self, app: str) -> set[str]:
        """The names of the app's secrets (flyctl never prints their values)."""
        names = (_field(item, "name") for item in self._list("secrets", "list", "--app", app))
        return {str(name) for name in names if name}

    def unstage_secrets(self, app: str, names: Iterable[str]) -> None:
        """Remove secrets without restarting machines; the next deploy applies it."""
        self._run("secrets", "unset", "--stage", "--app", app, *sorted(names))

    # -- IP addresses --------------------------------------------------------------------------

    def ip_addresses(self, app: str) -> list[IpAddress]:
        return [
            IpAddress(
                address=str(_field(item, "address") or ""), type=str(_field(item, "type") or "")
            )
            for item in self._list("ips", "list", "--app", app)
        ]

    def allocate_ipv6(self, app: str) -> None:
        self._run("ips", "allocate-v6", "--app", app)

    def allocate_dedicated_ipv4(self, app: str) -> None:
        # --yes: without it flyctl asks before allocating a billed address.
        self._run("ips", "allocate-v4", "--app", app, "--yes")

    # -- deploy --------------------------------------------------------------------------------

    def deploy(self, args: Sequence[str], *, cwd: Path, timeout: float, stream: bool) -> None:
        self._run("deploy", *args, cwd=cwd, timeout=timeout, stream=stream)

    # -- machines ------------------------------------------------------------------------------

    def machines(self, app: str) -> list[Machine]:
        return [Machine.from_json(item) for item in self._list("machines", "list", "--app", app)]

    def start_machines(self, app: str, ids: Sequence[str]) -> None:
        self._run("machine", "start", *ids, "--app", app, timeout=300.0)

    def stop_machines(self, app: str, ids: Sequence[str]) -> None:
        self._run("machine", "stop", *ids, "--app", app, timeout=300.0)

    def destroy_machines(self, app: str, ids: Sequence[str]) -> None:
        self._run("machine", "destroy", *ids, "--app", app, "--force", timeout=300.0)

    def ssh_console_argv(
        self, app: str, user: str, command: Sequence[str] = (), *, machine: str | None = None
    ) -> list[str]:
        argv = self.argv("ssh", "console", "--app", app, "--user", user)
        if machine:
            argv += ["--machine", machine]
        if command:
            argv += ["--command", shlex.join(command)]
        return argv
