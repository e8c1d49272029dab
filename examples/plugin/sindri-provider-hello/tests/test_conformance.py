"""The hello provider against the conformance suite every provider passes."""

import pytest
from sindri_provider_hello import plugin

from sindri_core.testing import ProviderConformance

CONFIG = """\
version: "3.0"
name: demo
deployment:
  provider: hello
  image: registry.example.com/team/dev:1.0
providers:
  hello:
    greeting: hi
"""


class TestHelloConformance(ProviderConformance):
    provider = "hello"

    @pytest.fixture
    def conformance_config(self):
        return CONFIG

    @pytest.fixture
    def conformance_plugin(self):
        return plugin
