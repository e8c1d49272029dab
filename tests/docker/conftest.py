"""Fixtures for the Docker provider's tests: the compose-spec validator, throw-away busybox
projects, and an engine janitor that removes everything a test created, even when it fails.

The janitor talks to the engine with plain ``docker`` commands, not with the code under
test, so a bug in sindri's teardown cannot hide its own leftovers.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import shutil
import subprocess
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest

BUSYBOX = Path("/bin/busybox")
TEST_LABEL = "dev.sindri.test"
DEFAULT_CMD = ["/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1 & wait $!; done"]


# Resolved once: tests change PATH and DOCKER_HOST, and teardown must still reach the engine.
DOCKER = shutil.which("docker") or "docker"


def docker(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "DOCKER_HOST"}
    return subprocess.run(
        [DOCKER, *args], capture_output=True, text=True, check=check, timeout=120, env=env
    )


def docker_lines(*args: str) -> list[str]:
    return [line for line in docker(*args).stdout.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def compose_validator() -> jsonschema.protocols.Validator:
    """The compose specification's JSON schema, as vendored by check-jsonschema."""
    path = (
        importlib.resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    )
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


@pytest.fixture
def assert_valid_compose(compose_validator: Any) -> Any:
    def check(document: Any) -> None:
        errors = [error.message for error in compose_validator.iter_errors(document)]
        assert errors == [], errors

    return check


class EngineJanitor:
    """What a test created on the engine, removed at teardown by label or name."""

    def __init__(self) -> None:
        self.deployments: list[str] = []
        self.test_ids: list[str] = []
        self.images: list[str] = []
        self.volumes: list[str] = []
        self.networks: list[str] = []

    def deployment(self, name: str) -> str:
        self.deployments.append(name)
        return name

    def cleanup(self) -> None:
        for name in self.deployments:
            for container in docker_lines("ps", "-aq", "--filter", f"label=dev.sindri.name={name}"):
                docker("rm", "-f", container, check=False)
            for container in docker_lines("ps", "-aq", "--filter", f"name=^/{name}$"):
                docker("rm", "-f", container, check=False)
            project = f"label=com.docker.compose.project=sindri-{name}"
            for network in docker_lines("network", "ls", "-q", "--filter", project):
                docker("network", "rm", network, check=False)
            for volume in docker_lines(
                "volume", "ls", "-q", "--filter", f"label=dev.sindri.name={name}"
            ):
                docker("volume", "rm", "-f", volume, check=False)
            self.volumes += [f"sindri-{name}-home", f"sindri-{name}-docker"]
        for test_id in self.test_ids:
            self.images += docker_lines("images", "-q", "--filter", f"label={TEST_LABEL}={test_id}")
        for image in dict.fromkeys(self.images):
            docker("rmi", "-f", image, check=False)
        for volume in self.volumes:
            docker("volume", "rm", "-f", volume, check=False)
        for network in self.networks:
            docker("network", "rm", network, check=False)


@pytest.fixture
def engine_janitor() -> Iterator[EngineJanitor]:
    janitor = EngineJanitor()
    try:
        yield janitor
    finally:
        janitor.cleanup()


@attrs.frozen
class BusyboxProject:
    """A project directory whose Dockerfile builds a static busybox image.

    Its Dockerfile carries a per-test label, so its content fingerprint is unique: no test
    reuses another test's image, and the janitor finds every image it built.
    """

    dir: Path
    name: str
    test_id: str

    @property
    def config(self) -> Path:
        return self.dir / "sindri.yaml"

    @property
    def output_dir(self) -> Path:
        return self.dir / ".sindri" / "docker"

    def write_config(self, text: str) -> None:
        self.config.write_text(textwrap.dedent(text).lstrip().replace("{name}", self.name))

    def write_dockerfile(self, cmd: list[str] | None = None, extra: tuple[str, ...] = ()) -> None:
        lines = [
            "FROM scratch",
            "COPY busybox /bin/busybox",
            'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
            *extra,
            f"LABEL {TEST_LABEL}={self.test_id}",
            f"CMD {json.dumps(cmd or DEFAULT_CMD)}",
        ]
        (self.dir / "Dockerfile").write_text("\n".join(lines) + "\n")


BASE_CONFIG = """
version: "3.0"
name: {name}
deployment:
  provider: docker
  resources:
    memory: 128MB
    cpus: 1
  volumes:
    workspace:
      path: /workspace
"""


@pytest.fixture
def busybox_project(tmp_path: Path, engine_janitor: EngineJanitor) -> Any:
    """``busybox_project(cmd=None, config=BASE_CONFIG, extra=())`` → a :class:`BusyboxProject`
    (``extra``: Dockerfile lines after the busybox install)."""

    def make(
        cmd: list[str] | None = None, config: str = BASE_CONFIG, extra: tuple[str, ...] = ()
    ) -> BusyboxProject:
        test_id = uuid.uuid4().hex[:10]
        project = BusyboxProject(tmp_path / f"p{test_id}", f"t{test_id}", test_id)
        project.dir.mkdir()
        shutil.copy(BUSYBOX, project.dir / "busybox")
        project.write_dockerfile(cmd, extra)
        project.write_config(config)
        engine_janitor.deployment(project.name)
        engine_janitor.test_ids.append(test_id)
        return project

    return make


@pytest.fixture
def busybox_image(tmp_path: Path, engine_janitor: EngineJanitor) -> str:
    """A runnable busybox image built for this test (not through sindri); its tag."""
    test_id = uuid.uuid4().hex[:10]
    context = tmp_path / f"image-{test_id}"
    context.mkdir()
    shutil.copy(BUSYBOX, context / "busybox")
    project = BusyboxProject(context, f"i{test_id}", test_id)
    project.write_dockerfile()
    tag = f"sindri-test-busybox:{test_id}"
    engine_janitor.test_ids.append(test_id)
    docker("build", "-q", "-t", tag, str(context))
    return tag
