"""Fixtures shared across test folders; each real component lives in its own module here
(registry, git daemon, docker images) and is re-exported by this module."""

from tests.support.git_server import (  # noqa: F401
    _sindri_sources_template,
    git_calls,
    git_server,
    sindri_sources,
)
from tests.support.registry import auth_registry, faulty_proxy, registry, token_registry  # noqa: F401
