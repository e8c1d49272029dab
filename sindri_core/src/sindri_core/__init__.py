"""sindri: deploy a containerised development environment from one ``sindri.yaml``.

Provider plugins import :data:`hookimpl` from here to mark their hook implementations::

    from sindri_core import hookimpl

    @hookimpl
    def sindri_provider_info():
        ...
"""

from __future__ import annotations

import pluggy

__version__ = "3.2.0"

hookimpl = pluggy.HookimplMarker("sindri")
"""Marker for hook implementations (``@hookimpl``, ``@hookimpl(wrapper=True)``, ...)."""

__all__ = ["__version__", "hookimpl"]
