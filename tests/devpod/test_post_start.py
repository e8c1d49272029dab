"""The devcontainer's postStartCommand, run as devcontainer runs a string command (``/bin/sh
-c``) in real containers on the real engine: the Sindri image's entrypoint script runs, and an
image without it still starts."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from sindri_providers_devpod.devcontainer import ENTRYPOINT, POST_START_COMMAND

pytestmark = pytest.mark.docker

BUSYBOX = Path("/bin/busybox")


def _docker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def image(tmp_path: Path):  # type: ignore[no-untyped-def]
    """``image(with_entrypoint)`` → a static busybox image tag, removed afterwards."""
    tags: list[str] = []

    def build(with_entrypoint: bool) -> str:
        context = tmp_path / uuid.uuid4().hex[:8]
        context.mkdir()
        shutil.copy(BUSYBOX, context / "busybox")
        lines = ["FROM scratch", "COPY busybox /bin/busybox",
                 'RUN ["/bin/busybox", "--install", "-s", "/bin"]']  # fmt: skip
        if with_entrypoint:
            (context / "entrypoint.sh").write_text("#!/bin/sh\necho initialised > /ran\n")
            lines += [
                f"COPY entrypoint.sh {ENTRYPOINT}",
                f'RUN ["/bin/chmod", "755", "{ENTRYPOINT}"]',
            ]
        (context / "Dockerfile").write_text("\n".join(lines) + "\n")
        tag = f"sindri-test-poststart:{context.name}"
        built = _docker("build", "-q", "-t", tag, str(context))
        assert built.returncode == 0, built.stderr
        tags.append(tag)
        return tag

    yield build
    for tag in tags:
        _docker("rmi", "-f", tag)


def test_the_images_entrypoint_script_runs(image) -> None:  # type: ignore[no-untyped-def]
    tag = image(with_entrypoint=True)
    ran = _docker("run", "--rm", tag, "/bin/sh", "-c", f"{POST_START_COMMAND} && cat /ran")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "initialised"


def test_an_image_without_the_script_still_starts(image) -> None:  # type: ignore[no-untyped-def]
    tag = image(with_entrypoint=False)
    ran = _docker("run", "--rm", tag, "/bin/sh", "-c", POST_START_COMMAND)
    assert ran.returncode == 0, ran.stderr
