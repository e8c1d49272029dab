"""What a provider needs before it can act: external tools and credentials, and whether each is
there (``sindri_check_prerequisites``). Importable from :mod:`sindri_core.provider` too."""

from __future__ import annotations

import attrs

__all__ = ["Prerequisite", "PrerequisiteReport"]


@attrs.frozen
class Prerequisite:
    """One external tool or credential a provider needs."""

    name: str
    description: str
    satisfied: bool
    install_hint: str | None = None
    version: str | None = None


@attrs.frozen
class PrerequisiteReport:
    items: tuple[Prerequisite, ...] = ()

    @property
    def satisfied(self) -> bool:
        return all(item.satisfied for item in self.items)

    @property
    def missing(self) -> tuple[Prerequisite, ...]:
        return tuple(item for item in self.items if not item.satisfied)
