"""The devpod provider against the conformance suite every provider passes, on the fake
devpod (docker backend, a pinned image)."""

from __future__ import annotations

from typing import Any

import pytest

from sindri_core.testing import FakeTools, ProviderConformance
from tests.devpod.test_devpod_provider import DIGEST

CONFIG = f"""\
version: "3.0"
name: dev-box
deployment:
  provider: devpod
  image: ghcr.io/acme/dev@{DIGEST}
providers:
  devpod:
    type: docker
"""


class TestDevpodConformance(ProviderConformance):
    provider = "devpod"
    read_only_commands = (
        ("devpod", "provider", "list"),
        ("devpod", "status"),
    )

    @pytest.fixture
    def conformance_config(self) -> str:
        return CONFIG

    @pytest.fixture
    def conformance_tools(self, fake_tools: FakeTools, devpod: Any, docker: Any) -> FakeTools:
        return fake_tools
