"""The e2b provider against the conformance suite every provider passes, through the
official SDK and the fake E2B service."""

from __future__ import annotations

from typing import Any

import pytest

from sindri_core.testing import ProviderConformance
from tests.e2b.test_e2b_provider import DIGEST

CONFIG = f"""\
version: "3.0"
name: demo-env
deployment:
  provider: e2b
  image_config:
    registry: ghcr.io/pacphi/sindri
    digest: {DIGEST}
providers:
  e2b:
    timeout: 900
"""


class TestE2bConformance(ProviderConformance):
    provider = "e2b"
    deploy_records = ("template.json",)  # the template built, recorded for reuse

    @pytest.fixture
    def conformance_config(self) -> str:
        return CONFIG

    @pytest.fixture
    def conformance_tools(self, e2b: Any) -> None:
        return None  # a service, not executables: its requests are its own tests' concern
