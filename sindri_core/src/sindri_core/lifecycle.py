"""Arguments and results of the provider lifecycle hooks (plan, build, deploy, status, ...)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sindri_core.config.model import SindriConfig
    from sindri_core.output import Console
    from sindri_core.provider import ProviderInfo
    from sindri_core.runner import CommandRunner
    from sindri_core.secrets import SecretValues

__all__ = [
    "Artifact",
    "BuildOptions",
    "BuiltImage",
    "Change",
    "ChangeAction",
    "DeployOptions",
    "DeployResult",
    "DeploymentState",
    "DeploymentStatus",
    "DestroyOptions",
    "OperationResult",
    "Plan",
    "PlannedAction",
    "ProviderContext",
    "SettingsT",
]


SettingsT = TypeVar("SettingsT")


@attrs.frozen
class ProviderContext(Generic[SettingsT]):
    """Everything a lifecycle hook needs about the deployment, passed as ``ctx``.

    Generic over the provider's settings class, so a provider annotates
    ``ctx: ProviderContext[MySettings]`` and ``ctx.provider_config`` has that type.

    :param config: the validated configuration.
    :param project_dir: the directory holding ``sindri.yaml``.
    :param provider: the selected provider's description.
    :param provider_config: the ``providers.<name>`` section as the provider's attrs class
        (defaults when absent).
    :param runner: runs external commands (argv lists, timeouts); tests swap it.
    :param console: progress and log output (stderr); quiet under ``--json``/``-q``.
    :param secrets: resolves secret values on demand; never logged.
    """

    config: SindriConfig
    project_dir: Path
    provider: ProviderInfo
    provider_config: SettingsT
    runner: CommandRunner
    console: Console
    secrets: SecretValues

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def output_dir(self) -> Path:
        """``<project>/.sindri/<provider>/``: the only place a provider writes files. It exists
        when ``sindri_build`` and ``sindri_deploy`` run; ``plan``, ``status`` and ``destroy``
        write nothing, so it may be absent for them."""
        return self.project_dir / ".sindri" / self.provider.name


@attrs.frozen
class DeployOptions:
    force: bool = False
    wait: bool = True
    timeout: int = 600
    dry_run: bool = False


@attrs.frozen
class BuildOptions:
    force: bool = False  # rebuild without cache even when an identical image exists


@attrs.frozen
class DestroyOptions:
    volumes: bool = False


@attrs.frozen
class BuiltImage:
    """What a build produced: the reference to run, and whether work was skipped."""

    reference: str
    fingerprint: str
    skipped: bool = False
    pushed: bool = False
    digest: str | None = None

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class OperationResult:
    """The answer of start, stop, destroy and connect: what was done, in one line."""

    message: str
    exit_code: int = 0


@attrs.frozen
class PlannedAction:
    action: str  # create | update | delete | start | stop | build | push | load | run | adopt
    resource: str
    description: str


class ChangeAction(str, enum.Enum):
    """What ``deploy`` would do to one resource, judged against what runs now."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DELETE = "delete"


@attrs.frozen
class Change:
    """One resource of a plan compared with the live state (``plan --json``'s ``changes``).

    :param resource: ``kind:name`` as in :class:`PlannedAction` (``container:web``).
    :param before: for an update, what runs now (shown as ``from``).
    :param after: for an update, what deploy would make of it (shown as ``to``).
    """

    action: ChangeAction
    resource: str
    before: str | None = None
    after: str | None = None

    @classmethod
    def compare(cls, resource: str, before: str | None, after: str) -> Change:
        """create when nothing exists, unchanged when equal, else update ``before → after``."""
        if before is None:
            return cls(ChangeAction.CREATE, resource)
        if before == after:
            return cls(ChangeAction.UNCHANGED, resource)
        return cls(ChangeAction.UPDATE, resource, before, after)

    def describe(self) -> str:
        if self.action is ChangeAction.UPDATE:
            return f"{self.action.value:<9} {self.resource}: {self.before} → {self.after}"
        return f"{self.action.value:<9} {self.resource}"

    def to_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"action": self.action.value, "resource": self.resource}
        if self.action is ChangeAction.UPDATE:
            shown.update({"from": self.before, "to": self.after})
        return shown


@attrs.frozen
class Artifact:
    """A file a provider generates under ``.sindri/<provider>/``."""

    path: Path
    content: str
    mode: int = 0o644


@attrs.frozen
class Plan:
    """What ``deploy`` would do. ``plan`` prints it and writes/runs nothing.

    :param changes: each resource compared with the live state, read read-only; empty when
        the provider does not compare.
    :param not_compared: why the live state could not be read (missing tool, unreachable
        backend); the plan then shows the desired state only.
    :param refusals: why ``deploy`` would refuse to go ahead, found in the live state (a
        container of the same name that sindri did not create, say): a plan never shows as
        possible what deploy refuses.
    :param reference: the image deploy would run, when the provider knows it better than the
        chain's answer (a local Dockerfile's tag instead of the ``-SOURCE`` placeholder).
    """

    actions: tuple[PlannedAction, ...] = ()
    artifacts: tuple[Artifact, ...] = ()
    notes: tuple[str, ...] = ()
    changes: tuple[Change, ...] = ()
    not_compared: str | None = None
    refusals: tuple[str, ...] = ()
    reference: str | None = None

    @property
    def up_to_date(self) -> bool:
        """Everything was compared and nothing would change."""
        return (
            self.not_compared is None
            and not self.refusals
            and bool(self.changes)
            and all(c.action is ChangeAction.UNCHANGED for c in self.changes)
        )

    def compared(self, changes: Iterable[Change]) -> Plan:
        """This plan with the live comparison; when nothing would change, no actions either,
        and never an action that creates what exists unchanged."""
        changes = tuple(changes)
        unchanged = {c.resource for c in changes if c.action is ChangeAction.UNCHANGED}
        actions = tuple(
            a for a in self.actions if not (a.action == "create" and a.resource in unchanged)
        )
        result = attrs.evolve(self, changes=changes, actions=actions)
        if not result.up_to_date:
            return result
        return attrs.evolve(
            result, actions=(), notes=(*self.notes, "up to date: deploy changes nothing")
        )

    def refused(self, reason: str) -> Plan:
        """This plan, which ``deploy`` would refuse for ``reason``."""
        return attrs.evolve(self, refusals=(*self.refusals, reason))

    def uncompared(self, reason: str) -> Plan:
        """This plan (the desired state) with why the live state could not be read."""
        return attrs.evolve(
            self, notes=(*self.notes, f"could not compare: {reason}"), not_compared=reason
        )


@attrs.frozen
class DeployResult:
    """What ``deploy`` did.

    :param unchanged: what runs already matched sindri.yaml, and nothing was changed.
    """

    reference: str | None
    messages: tuple[str, ...] = ()
    connection: str | None = None  # e.g. the command that connects
    unchanged: bool = False


class DeploymentState(str, enum.Enum):
    NOT_DEPLOYED = "not_deployed"
    CREATING = "creating"
    RUNNING = "running"
    STOPPED = "stopped"
    SUSPENDED = "suspended"
    PAUSED = "paused"
    ERROR = "error"
    UNKNOWN = "unknown"


@attrs.frozen
class DeploymentStatus:
    """What ``status`` reports.

    :param image: the image actually running (``None`` when nothing runs).
    :param configured_image: what the chain says should run, when it differs or nothing runs.
    :param details: provider-specific extras (instance id, region, node, usage).
    """

    state: DeploymentState
    image: str | None = None
    configured_image: str | None = None
    addresses: tuple[str, ...] = ()
    details: dict[str, Any] = attrs.field(factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "image": self.image,
            "configured_image": self.configured_image,
            "addresses": list(self.addresses),
            "details": dict(self.details),
        }
