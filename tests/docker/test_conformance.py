"""The docker provider against the conformance suite every provider passes, on the real
engine: a busybox project built locally, under a name of its own (the engine is shared)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from sindri_core.testing import ProviderConformance
from tests.docker.conftest import BASE_CONFIG, BUSYBOX, BusyboxProject, EngineJanitor

pytestmark = pytest.mark.docker


class TestDockerConformance(ProviderConformance):
    provider = "docker"
    read_only_commands = (
        ("docker", "version"),
        ("docker", "info"),
        ("docker", "compose", "version"),
        ("docker", "container", "inspect"),
        ("docker", "image", "inspect"),
        ("docker", "volume", "inspect"),
        ("docker", "inspect"),
        ("docker", "ps"),
        ("docker", "images"),
        ("docker", "volume", "ls"),
        ("docker", "network", "ls"),
    )

    @pytest.fixture
    def conformance_config(self, engine_janitor: EngineJanitor) -> str:
        self.test_id = uuid.uuid4().hex[:10]
        name = engine_janitor.deployment(f"t{self.test_id}")
        engine_janitor.test_ids.append(self.test_id)
        return BASE_CONFIG.lstrip().replace("{name}", name)

    def prepare_project(self, directory: Path) -> None:
        shutil.copy(BUSYBOX, directory / "busybox")
        BusyboxProject(directory, "", self.test_id).write_dockerfile()
