"""``plan --json`` of the Docker provider on the real engine, pinned to golden files.

The golden files were written by the code before the fast-path work of issue 29
(docs/adr/0022-fast-paths.md: the compose document computed once, the engine queried
concurrently); any later change of this output shows here. What differs between runs is
replaced before the comparison: the project directory, the unique deployment name, the image
fingerprint in a build's tag and the compose file's hash (both follow from pinned content).

Regenerate (after a deliberate change of output) with ``SINDRI_UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from sindri_core import __version__
from tests.docker.conftest import BASE_CONFIG, BusyboxProject

pytestmark = pytest.mark.docker

GOLDEN = Path(__file__).parent / "golden"

SETTINGS = """
  image: registry.golden.invalid/team/sindri:3.1.4@sha256:{digest}
  image_config:
    registry: registry.golden.invalid/team/sindri
    pull_policy: Always
secrets:
  - name: GOLDEN_TOKEN
  - name: SSH_KEY
    source: file
    path: id_test.pub
    mountPath: /secrets/id_test.pub
    permissions: '0600'
providers:
  docker:
    ports: ["127.0.0.1:8080:80", "2222:22/tcp"]
    network: bridge
    restart: 'no'
    extraHosts: ["registry.local:10.0.0.2"]
    dind:
      enabled: true
      mode: auto
""".replace("{digest}", "1" * 64)


def _normalised(text: str, project: BusyboxProject) -> Any:
    text = text.replace(str(project.dir), "<project>").replace(project.name, "<name>")
    text = re.sub(r"sindri:([0-9.]+)-[0-9a-f]{12}\b", r"sindri:\1-<fingerprint>", text)
    text = re.sub(r"\b[0-9a-f]{64}\b(?!\s*')", "<config-hash>", text.replace("1" * 64, "<ones>"))
    text = re.sub(r"(compose file|sha256) [0-9a-f]{12}\b", r"\1 <hash>", text)
    text = re.sub(  # a stale lock's note (the arrow as JSON writes it)
        r"fingerprint [0-9a-f]{12} (→|\\u2192) [0-9a-f]{12}", r"fingerprint <hash> \1 <hash>", text
    )
    return json.loads(text.replace(__version__, "<cli-version>"))


def _check(name: str, output: str, project: BusyboxProject) -> None:
    path = GOLDEN / f"plan-{name}.json"
    actual = _normalised(output, project)
    if os.environ.get("SINDRI_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(actual, indent=2) + "\n")
    assert actual == json.loads(path.read_text())


def _plan(sindri_cli: Any, project: BusyboxProject) -> str:
    result = sindri_cli("plan", "--json", cwd=project.dir)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_plan_of_a_local_dockerfile_with_nothing_deployed(
    busybox_project: Any, sindri_cli: Any
) -> None:
    project = busybox_project()
    _check("dockerfile-undeployed", _plan(sindri_cli, project), project)


def test_plan_of_a_registry_image_with_settings_secrets_and_dind(
    busybox_project: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOLDEN_TOKEN", "never-shown")
    project = busybox_project(config=BASE_CONFIG + SETTINGS)
    (project.dir / "id_test.pub").write_text("ssh-ed25519 AAAAgolden\n")
    (project.dir / "id_test.pub").chmod(0o644)
    # dind auto asks the engine for its runtimes (this engine has no sysbox: privileged).
    _check("image-settings-secrets", _plan(sindri_cli, project), project)


def test_plan_of_a_deployment_unchanged_then_changed(busybox_project: Any, sindri_cli: Any) -> None:
    project = busybox_project()
    deployed = sindri_cli("deploy", cwd=project.dir)
    assert deployed.exit_code == 0, deployed.stderr
    _check("deployed-unchanged", _plan(sindri_cli, project), project)

    project.write_config(BASE_CONFIG.replace("memory: 128MB", "memory: 256MB"))
    _check("deployed-changed", _plan(sindri_cli, project), project)
    sindri_cli("stop", cwd=project.dir)
    project.write_config(BASE_CONFIG)
    _check("deployed-stopped", _plan(sindri_cli, project), project)
