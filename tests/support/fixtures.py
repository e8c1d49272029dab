"""Fixtures shared across test folders; each real component lives in its own module here
(registry, git daemon, docker images) and is re-exported by this module."""
