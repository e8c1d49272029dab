"""Where sindri keeps its caches (tag lists, build-context clones).

One function so every cache agrees on the location and tests can redirect all of them with a
single variable.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_root"]


def cache_root() -> Path:
    """The cache directory: ``SINDRI_CACHE_DIR``, else ``$XDG_CACHE_HOME/sindri``, else
    ``~/.cache/sindri``.

    The directory is not created here; writers create what they need, so read-only commands
    leave no trace.
    """
    explicit = os.environ.get("SINDRI_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "sindri"
