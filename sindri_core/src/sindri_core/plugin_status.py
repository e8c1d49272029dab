"""What ``sindri providers`` shows about each plugin: loaded, failed or disabled.

Its own module so that a command whose plugins all load creates none of these classes
(docs/adr/0022-fast-paths.md); :mod:`sindri_core.plugin_host` re-exports these names.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

__all__ = ["PluginFailure", "PluginRecord", "PluginStatus"]


class PluginStatus(str, enum.Enum):
    """Whether a plugin was loaded (``sindri providers`` shows the value)."""

    ACTIVE = "active"
    FAILED = "failed"
    DISABLED = "disabled"  # by SINDRI_DISABLE_PLUGINS, before it was imported


@attrs.frozen
class PluginFailure:
    """A plugin that was not loaded, and why."""

    name: str
    distribution: str | None
    error: str
    status: PluginStatus = PluginStatus.FAILED

    def to_json(self) -> dict[str, Any]:
        return {**attrs.asdict(self), "status": self.status.value}


@attrs.frozen
class PluginRecord:
    """One plugin as ``sindri providers --json`` lists it, provider or not.

    :param name: the entry-point name (what ``SINDRI_DISABLE_PLUGINS`` takes), or the name it
        was registered under.
    :param hooks: the hooks it implements.
    :param status: loaded, failed or disabled.
    :param provider: the provider it registers, if it is one.
    """

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]
    status: PluginStatus
    provider: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = attrs.asdict(self)
        data["hooks"] = list(self.hooks)
        data["status"] = self.status.value
        return data
