"""A minimal sindri provider that records deployments in a file (docs/PLUGINS.md)."""
