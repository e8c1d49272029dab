"""The fly provider against the conformance suite every provider passes, on the fake
flyctl."""

from __future__ import annotations

import pytest

from sindri_core.testing import FakeTools, ProviderConformance
from tests.fly.conftest import IMAGE_CONFIG
from tests.fly.fakefly import APP, install_flyctl

CONFIG = f"""\
version: "3.0"
name: {APP}
deployment:
  provider: fly
{IMAGE_CONFIG.strip(chr(10))}
providers:
  fly:
    region: sjc
"""


class TestFlyConformance(ProviderConformance):
    provider = "fly"
    deploy_records = ("secret-names.json",)  # the secret names staged, for the next deploy
    read_only_commands = (
        ("flyctl", "auth", "whoami"),
        ("flyctl", "apps", "list"),
        ("flyctl", "volumes", "list"),
        ("flyctl", "machines", "list"),
        ("flyctl", "ips", "list"),
    )

    @pytest.fixture
    def conformance_config(self) -> str:
        return CONFIG

    @pytest.fixture
    def conformance_tools(self, fake_tools: FakeTools) -> FakeTools:
        install_flyctl(fake_tools)
        return fake_tools
