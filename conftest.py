"""Loaded for every test under this checkout (tests/ and the example plugin's): the loopback
guard, before anything else runs (tests/support/network_guard.py)."""

pytest_plugins = ["tests.support.network_guard"]
