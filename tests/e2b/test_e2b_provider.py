"""The e2b provider: templates from a Dockerfile or an image, sandboxes through the API."""

from __future__ import annotations

import json

import pytest

from sindri_providers_e2b.settings import E2bSettings
from sindri_providers_e2b.template import decide_rebuild, derive_alias
from tests.e2b.conftest import API_KEY

DIGEST = "sha256:" + "ab" * 32
SECRET_VALUE = "s3cr3t-value-never-shown"

IMAGE_CONFIG = f"""
version: "3.0"
name: demo-env
deployment:
  provider: e2b
  image_config:
    registry: ghcr.io/pacphi/sindri
    digest: {DIGEST}
extensions:
  profile: fullstack
secrets:
  - name: API_TOKEN
    required: true
providers:
  e2b:
    timeout: 900
    metadata: {{team: core}}
    allowedDomains: [pypi.org]
"""

BUILD_CONFIG = """
version: "3.0"
name: demo-env
deployment:
  provider: e2b
  resources: {memory: 3GB, cpus: 4}
secrets:
  - name: API_TOKEN
"""

DOCKERFILE = """FROM scratch
ARG SINDRI_VERSION=0.0.0
ARG DISTRO
COPY busybox /bin/busybox
CMD ["/bin/busybox", "sleep", "3600"]
"""


@pytest.fixture
def image_project(write_config, monkeypatch):
    monkeypatch.setenv("API_TOKEN", SECRET_VALUE)
    return write_config(IMAGE_CONFIG).parent


@pytest.fixture
def build_project(write_config, monkeypatch):
    monkeypatch.setenv("API_TOKEN", SECRET_VALUE)
    project = write_config(BUILD_CONFIG).parent
    (project / "Dockerfile").write_text(DOCKERFILE)
    (project / "busybox").write_text("binary")
    return project


def assert_no_secret(fake_tools, project):
    for call in fake_tools.calls():
        assert SECRET_VALUE not in " ".join(call.argv) + call.stdin
    for path in (project / ".sindri").rglob("*"):
        if path.is_file():
            assert SECRET_VALUE not in path.read_text()


def test_image_mode_builds_a_template_from_the_pinned_image_and_creates_a_sandbox(
    sindri_cli, image_project, e2b_cli, e2b_api, fake_tools
):
    result = sindri_cli("deploy", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    dockerfile = (image_project / ".sindri/e2b/e2b.Dockerfile").read_text()
    assert f"FROM ghcr.io/pacphi/sindri@{DIGEST}\n" in dockerfile
    assert 'ENV E2B_PROVIDER="true"' in dockerfile
    assert 'ENV INSTALL_PROFILE="fullstack"' in dockerfile
    assert "WORKDIR /alt/home/developer/workspace" in dockerfile and "USER developer" in dockerfile
    builds = [
        c
        for c in e2b_cli.calls()
        if c.args[:2] == ["template", "create"] and "--help" not in c.args
    ]
    assert len(builds) == 1
    out = str(image_project / ".sindri/e2b")
    assert builds[0].args == [
        "template",
        "create",
        "demo-env",
        "-p",
        out,
        "-d",
        "e2b.Dockerfile",
        "--cpu-count",
        "2",
        "--memory-mb",
        "4096",
    ]
    (create,) = e2b_api.calls("POST", "/sandboxes")
    assert create.api_key == API_KEY
    assert create.body["templateID"] == "demo-env"
    assert create.body["timeout"] == 900 and create.body["autoPause"] is True
    assert create.body["metadata"] == {
        "team": "core",
        "sindri_name": "demo-env",
        "sindri_profile": "fullstack",
    }
    assert create.body["envVars"] == {"API_TOKEN": SECRET_VALUE}
    assert create.body["network"] == {"allowOut": ["pypi.org"]}
    assert_no_secret(fake_tools, image_project)
    assert SECRET_VALUE not in result.stdout + result.stderr


def test_build_mode_uses_the_build_context_and_bakes_build_args(
    sindri_cli, build_project, e2b_cli, e2b_api
):
    result = sindri_cli("deploy", cwd=build_project)
    assert result.exit_code == 0, result.stderr
    dockerfile = (build_project / ".sindri/e2b/e2b.Dockerfile").read_text()
    assert "COPY busybox /bin/busybox" in dockerfile
    assert 'ARG SINDRI_VERSION="3.2.0"' in dockerfile and 'ARG DISTRO="ubuntu"' in dockerfile
    assert "ARG SINDRI_VERSION=0.0.0" not in dockerfile
    (build,) = [c for c in e2b_cli.calls() if c.args[:3] == ["template", "create", "demo-env"]]
    assert build.cwd == str(build_project)
    assert build.args[3:] == [
        "-p",
        str(build_project),
        "-d",
        ".sindri/e2b/e2b.Dockerfile",
        "--cpu-count",
        "4",
        "--memory-mb",
        "3072",
    ]
    assert not (build_project / "e2b.Dockerfile").exists()  # never over the user's files


def template_builds(e2b_cli):
    return [
        c
        for c in e2b_cli.calls()
        if c.args[:2] == ["template", "create"] and "--help" not in c.args
    ]


def test_unchanged_template_is_reused_and_a_changed_dockerfile_rebuilds(
    sindri_cli, build_project, e2b_cli, e2b_api
):
    assert sindri_cli("deploy", cwd=build_project).exit_code == 0
    e2b_api.sandboxes.clear()
    assert sindri_cli("deploy", cwd=build_project).exit_code == 0
    assert len(template_builds(e2b_cli)) == 1  # fingerprint unchanged: reused
    (build_project / "Dockerfile").write_text(DOCKERFILE.replace("3600", "7200"))
    e2b_api.sandboxes.clear()
    result = sindri_cli("deploy", cwd=build_project)
    assert result.exit_code == 0
    assert len(template_builds(e2b_cli)) == 2
    assert "changed since the last build" in result.stderr


def test_a_changed_image_digest_rebuilds_the_template(sindri_cli, write_config, e2b_cli, e2b_api):
    project = write_config(IMAGE_CONFIG.replace("required: true", "required: false")).parent
    assert sindri_cli("deploy", cwd=project).exit_code == 0
    other = IMAGE_CONFIG.replace(DIGEST, "sha256:" + "cd" * 32)
    write_config(other.replace("required: true", "required: false"), project)
    e2b_api.sandboxes.clear()
    assert sindri_cli("deploy", cwd=project).exit_code == 0
    assert len(template_builds(e2b_cli)) == 2


@pytest.mark.parametrize(
    ("settings", "force", "exists", "recorded", "expected"),
    [
        ({"buildOnDeploy": True}, False, True, "fp", "buildOnDeploy"),
        ({}, True, True, "fp", "--force"),
        ({"reuseTemplate": False}, False, True, "fp", "reuseTemplate is false"),
        ({}, False, False, "fp", "no template called"),
        ({}, False, True, None, "nothing records"),
        ({}, False, True, "old", "changed"),
        ({}, False, True, "fp", None),
    ],
)
def test_rebuild_decision_triggers(settings, force, exists, recorded, expected):
    from sindri_core.config.structure import converter

    parsed = converter().structure(settings, E2bSettings)
    decision = decide_rebuild(
        parsed, force=force, exists=exists, recorded=recorded, current="fp", alias="demo"
    )
    assert decision.build is (expected is not None)
    if expected:
        assert expected in decision.reason


def test_running_sandbox_is_reused_paused_is_resumed_and_force_replaces(
    sindri_cli, image_project, e2b_cli, e2b_api
):
    running = e2b_api.add("demo-env", "running")
    result = sindri_cli("deploy", cwd=image_project)
    assert result.exit_code == 0 and "already running" in result.stdout
    assert not e2b_api.calls("POST", "/sandboxes") and not template_builds(e2b_cli)

    e2b_api.sandboxes[running]["state"] = "paused"
    assert sindri_cli("deploy", cwd=image_project).exit_code == 0
    assert e2b_api.calls("POST", f"/sandboxes/{running}/resume")
    assert e2b_api.sandboxes[running]["state"] == "running"

    result = sindri_cli("deploy", "--force", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    assert e2b_api.calls("DELETE", f"/sandboxes/{running}")
    assert len(e2b_api.calls("POST", "/sandboxes")) == 1
    assert "--no-cache" in template_builds(e2b_cli)[0].args


@pytest.mark.parametrize(
    ("state", "expected"), [("running", "running"), ("paused", "paused"), (None, "not_deployed")]
)
def test_status_mapping(sindri_cli, image_project, e2b_cli, e2b_api, state, expected):
    if state:
        e2b_api.add("demo-env", state)
    result = sindri_cli("status", "--json", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["state"] == expected
    assert data["configured_image"] == f"ghcr.io/pacphi/sindri@{DIGEST}"


def test_start_stop_and_destroy(sindri_cli, image_project, e2b_cli, e2b_api):
    assert sindri_cli("deploy", cwd=image_project).exit_code == 0
    (sandbox_id,) = e2b_api.sandboxes
    assert sindri_cli("stop", cwd=image_project).exit_code == 0
    assert e2b_api.sandboxes[sandbox_id]["state"] == "paused"
    assert sindri_cli("start", cwd=image_project).exit_code == 0
    assert e2b_api.sandboxes[sandbox_id]["state"] == "running"
    result = sindri_cli("destroy", "--yes", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    assert not e2b_api.sandboxes
    assert not (image_project / ".sindri/e2b").exists()
    assert "template demo-env is kept" in result.stdout


def test_older_cli_uses_template_build_with_its_flags(
    sindri_cli, write_config, old_e2b_cli, e2b_api
):
    project = write_config(
        IMAGE_CONFIG.replace("required: true", "required: false").replace(
            "timeout: 900", "timeout: 900\n    team: t-42"
        )
    ).parent
    result = sindri_cli("deploy", cwd=project)
    assert result.exit_code == 0, result.stderr
    (build,) = [
        c
        for c in old_e2b_cli.calls()
        if c.args[:2] == ["template", "build"] and "--help" not in c.args
    ]
    assert build.args == [
        "template",
        "build",
        "--name",
        "demo-env",
        "-p",
        str(project / ".sindri/e2b"),
        "--dockerfile",
        "e2b.Dockerfile",
        "--cpu-count",
        "2",
        "--memory-mb",
        "4096",
        "--team",
        "t-42",
    ]


def test_a_cli_without_template_commands_fails_clearly(
    sindri_cli, image_project, fake_tools, e2b_api
):
    e2b = fake_tools.tool("e2b")
    e2b.on("template", exit=1, stderr="unknown command")
    result = sindri_cli("deploy", cwd=image_project)
    assert result.exit_code == 1
    assert "neither `template create` nor `template build`" in result.stderr
    assert "Traceback" not in result.stderr


def test_gpu_is_rejected_naming_providers_with_gpus(sindri_cli, write_config, e2b_cli, e2b_api):
    text = IMAGE_CONFIG.replace(
        "extensions:", "  resources:\n    gpu: {enabled: true}\nextensions:"
    )
    project = write_config(text).parent
    for command in (["plan"], ["deploy"]):
        result = sindri_cli(*command, cwd=project)
        assert result.exit_code == 2
        assert "no GPUs" in result.stderr and "docker" in result.stderr
    assert not e2b_api.requests and not template_builds(e2b_cli)


def test_required_secret_missing_stops_before_anything_is_built(
    sindri_cli, write_config, e2b_cli, e2b_api, monkeypatch
):
    monkeypatch.delenv("API_TOKEN", raising=False)
    project = write_config(IMAGE_CONFIG).parent
    result = sindri_cli("deploy", cwd=project)
    assert result.exit_code == 2 and "API_TOKEN" in result.stderr
    assert not template_builds(e2b_cli) and not e2b_api.calls("POST", "/sandboxes")


def test_plan_writes_nothing_and_runs_nothing(sindri_cli, image_project, e2b_cli, e2b_api):
    result = sindri_cli("plan", "--json", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    plan = result.json()
    (artifact,) = plan["artifacts"]
    assert artifact["path"].endswith(".sindri/e2b/e2b.Dockerfile")
    assert f"FROM ghcr.io/pacphi/sindri@{DIGEST}" in artifact["content"]
    assert SECRET_VALUE not in json.dumps(plan)
    assert not (image_project / ".sindri").exists()
    assert not e2b_cli.calls() and not e2b_api.requests


def test_prerequisites_need_the_api_key(sindri_cli, image_project, e2b_cli, monkeypatch):
    monkeypatch.delenv("E2B_API_KEY", raising=False)
    result = sindri_cli("status", cwd=image_project)
    assert result.exit_code == 1 and "E2B_API_KEY" in result.stderr


@pytest.mark.parametrize(("name", "alias"), [("Demo_Env", "demo-env"), ("a--b", "a-b")])
def test_alias_derivation(name, alias):
    assert derive_alias(name, E2bSettings()) == alias
    assert derive_alias(name, E2bSettings(template_alias="custom")) == "custom"
