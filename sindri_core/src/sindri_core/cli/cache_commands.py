"""``sindri cache``: see and clean the build-context and tag-list caches."""

from __future__ import annotations

COMMANDS: list = []
