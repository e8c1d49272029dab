"""What ``sindri providers`` shows about each plugin: loaded, failed or disabled.

Its own module so that a command whose plugins all load creates none of these classes
(docs/adr/0022-fast-paths.md); :mod:`sindri_core.plugins` re-exports both names.
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["PluginFailure", "PluginRecord"]


@attrs.frozen
class PluginFailure:
    """A plugin that was not loaded, and why."""

    name: str
    distribution: str | None
    error: str
    status: str = "failed"  # failed | disabled

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class PluginRecord:
    """One plugin as ``sindri providers --json`` lists it, provider or not.

    :param name: the entry-point name (what ``SINDRI_DISABLE_PLUGINS`` takes), or the name it
        was registered under.
    :param hooks: the hooks it implements.
    :param status: ``active``, ``failed`` or ``disabled``.
    :param provider: the provider it registers, if it is one.
    """

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]
    status: str
    provider: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = attrs.asdict(self)
        data["hooks"] = list(self.hooks)
        return data
