"""The kubernetes provider against the conformance suite every provider passes, on the fake
kubectl of a remote cluster that remembers what was applied."""

from __future__ import annotations

import pytest

from sindri_core.testing import FakeTools, ProviderConformance
from tests.k8s.conftest import IMAGE, NAME, FakeCluster

CONFIG = f"""\
version: "3.0"
name: {NAME}
deployment:
  provider: kubernetes
  image: {IMAGE}
"""


class TestKubernetesConformance(ProviderConformance):
    provider = "kubernetes"
    read_only_commands = (
        ("kubectl", "config", "current-context"),
        ("kubectl", "config", "get-contexts"),
        ("kubectl", "get"),
        ("kubectl", "version"),
    )

    @pytest.fixture
    def conformance_config(self) -> str:
        return CONFIG

    @pytest.fixture
    def conformance_tools(self, fake_tools: FakeTools) -> FakeTools:
        cluster = FakeCluster(fake_tools).setup(context="remote-prod")
        cluster.kubectl.follow("tests.k8s.applied_deployment:check")
        cluster.docker(local=False)
        return fake_tools
