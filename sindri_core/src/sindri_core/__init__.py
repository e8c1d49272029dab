"""sindri: deploy a containerised development environment from one ``sindri.yaml``.

Plugins import everything they use, :data:`hookimpl` included, from
:mod:`sindri_core.plugin`, the declared plugin API::

    from sindri_core.plugin import hookimpl

    @hookimpl
    def sindri_provider_info():
        ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "3.2.0"

if TYPE_CHECKING:
    import pluggy

    hookimpl: pluggy.HookimplMarker
    """Marker for hook implementations (``@hookimpl``, ``@hookimpl(wrapper=True)``, ...)."""

__all__ = ["__version__", "hookimpl"]


def __getattr__(name: str) -> Any:
    # Created on first use so that `sindri --version` does not pay for importing pluggy.
    if name == "hookimpl":
        import pluggy

        marker = pluggy.HookimplMarker("sindri")
        globals()["hookimpl"] = marker
        return marker
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
