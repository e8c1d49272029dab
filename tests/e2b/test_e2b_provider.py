"""The e2b provider end to end through the official SDK, against the contract-checked fake E2B
service: templates (image and build mode, reuse, rebuild) and sandboxes (private by default,
network rules, lifecycle), with secrets only in the sandbox creation body."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sindri_providers_e2b.settings import E2bSettings
from sindri_providers_e2b.template import decide_rebuild, derive_alias
from tests.e2b.fake_e2b import API_KEY

DIGEST = "sha256:" + "ab" * 32
PINNED = f"ghcr.io/pacphi/sindri@{DIGEST}"
SECRET_VALUE = "s3cr3t-value-never-shown"
# Every character a Dockerfile ENV line or E2B's Dockerfile reading would have mangled.
AWKWARD = "a b=\"c d\" #e 'f' g=h ünï 名"

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

DOCKERFILE = """FROM busybox:1.36
ARG SINDRI_VERSION=0.0.0
ARG DISTRO
LABEL org.example=ignored
COPY busybox /bin/busybox
WORKDIR /opt/sindri-${SINDRI_VERSION}
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


def configure(write_config, project: Path, text: str = IMAGE_CONFIG, **e2b: object) -> None:
    lines = "".join(f"    {key}: {json.dumps(value)}\n" for key, value in e2b.items())
    write_config(text + lines, project)


def last_build(e2b, alias: str = "demo-env") -> dict:
    template = e2b.template(alias)
    assert template is not None and template.builds, f"no build of {alias}"
    return template.builds[-1]


def steps(definition: dict, kind: str) -> list[list[str]]:
    return [step["args"] for step in definition["steps"] if step["type"] == kind]


def create_body(e2b) -> dict:
    (create,) = e2b.requests("POST", "/v2/sandboxes")
    return create.body


def assert_no_secret(e2b, project: Path, *outputs: str) -> None:
    for call in e2b.calls:
        if call.method == "POST" and call.path == "/v2/sandboxes":
            continue  # the one place a secret belongs: the sandbox's environment
        assert SECRET_VALUE not in json.dumps(call.body) + json.dumps(call.query)
    for path in (project / ".sindri").rglob("*"):
        if path.is_file():
            assert SECRET_VALUE not in path.read_text()
    for text in outputs:
        assert SECRET_VALUE not in text


# -- image mode, the sandbox body, secrets ------------------------------------------------------


def test_image_mode_builds_the_template_from_the_pinned_image_and_a_private_sandbox(
    sindri_cli, image_project, e2b, monkeypatch, tmp_path
):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no e2b CLI, no Node.js
    result = sindri_cli("deploy", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    definition = last_build(e2b)
    assert definition["fromImage"] == PINNED
    assert "fromImageRegistry" not in definition  # no login for ghcr.io here
    assert steps(definition, "ENV") == [
        [
            "E2B_PROVIDER",
            "true",
            "SKIP_AUTO_INSTALL",
            "false",
            "INIT_WORKSPACE",
            "true",
            "INSTALL_PROFILE",
            "fullstack",
        ]
    ]
    assert steps(definition, "WORKDIR") == [["/alt/home/developer/workspace"]]
    assert steps(definition, "USER") == [["developer"]]
    template = e2b.template("demo-env")
    assert (template.cpu_count, template.memory_mb) == (2, 4096)

    body = create_body(e2b)
    assert body["templateID"] == "demo-env"
    assert body["timeout"] == 900 and body["autoPause"] is True
    assert body["metadata"] == {
        "team": "core",
        "sindri_name": "demo-env",
        "sindri_profile": "fullstack",
    }
    assert body["envVars"]["API_TOKEN"] == SECRET_VALUE
    assert body["envVars"]["INSTALL_PROFILE"] == "fullstack"
    # Finding 4: private by default, which the API only accepts for a secured sandbox: the v2
    # create is always secured (no ``secure`` field; the fake refuses an unlisted property).
    assert "secure" not in body
    assert body["network"] == {"allowPublicTraffic": False}
    (sandbox,) = e2b.sandboxes.values()
    assert sandbox["_public"] is False
    assert "private sandbox" in result.stdout
    assert all(call.api_key == API_KEY for call in e2b.calls)
    assert_no_secret(e2b, image_project, result.stdout, result.stderr)


def test_public_access_true_makes_the_sandbox_public(sindri_cli, image_project, write_config, e2b):
    configure(write_config, image_project, publicAccess=True)
    assert sindri_cli("deploy", cwd=image_project).exit_code == 0
    assert create_body(e2b)["network"] == {"allowPublicTraffic": True}
    (sandbox,) = e2b.sandboxes.values()
    assert sandbox["_public"] is True


def test_extension_environment_reaches_the_template_byte_for_byte(
    sindri_cli, image_project, write_config, e2b
):
    text = IMAGE_CONFIG.replace(
        "  profile: fullstack\n",
        f"  profile: fullstack\n  additional: [{json.dumps(AWKWARD)}, 'x=1#2']\n",
    )
    write_config(text, image_project)
    result = sindri_cli("deploy", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    (env,) = steps(last_build(e2b), "ENV")
    values = dict(zip(env[::2], env[1::2], strict=True))
    assert values["ADDITIONAL_EXTENSIONS"] == f"{AWKWARD},x=1#2"
    assert values["INSTALL_PROFILE"] == "fullstack"
    assert create_body(e2b)["envVars"]["ADDITIONAL_EXTENSIONS"] == f"{AWKWARD},x=1#2"


@pytest.mark.parametrize("where", ["GITHUB_TOKEN", "DOCKER_CONFIG"])
def test_registry_credentials_go_to_the_build_request_only(
    sindri_cli, image_project, e2b, monkeypatch, where
):
    import base64
    import os

    token = "ghp_registry-token-never-in-files"
    username = "token"
    if where == "GITHUB_TOKEN":
        monkeypatch.setenv("GITHUB_TOKEN", token)
    else:  # a `docker login ghcr.io` in the Docker config sindri reads
        username = "octo"
        auth = base64.b64encode(f"{username}:{token}".encode()).decode()
        config = Path(os.environ["DOCKER_CONFIG"]) / "config.json"
        config.write_text(json.dumps({"auths": {"ghcr.io": {"auth": auth}}}))
    result = sindri_cli("deploy", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    assert last_build(e2b)["fromImageRegistry"] == {
        "type": "registry",
        "username": username,
        "password": token,
    }
    written = "".join(p.read_text() for p in (image_project / ".sindri").rglob("*") if p.is_file())
    assert token not in written + result.stdout + result.stderr
    assert PINNED in (image_project / ".sindri/e2b/e2b-template.json").read_text()


# -- network rules (finding 5) --------------------------------------------------------------


def test_allowed_domains_come_with_the_deny_all_the_api_requires(
    sindri_cli, image_project, write_config, e2b
):
    configure(
        write_config,
        image_project,
        allowedDomains=["pypi.org", "10.0.0.0/8"],
        blockedDomains=["192.0.2.7", "198.51.100.0/24"],
    )
    result = sindri_cli("deploy", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    assert create_body(e2b)["network"] == {
        "allowPublicTraffic": False,
        "allowOut": ["pypi.org", "10.0.0.0/8"],
        "denyOut": ["0.0.0.0/0", "192.0.2.7", "198.51.100.0/24"],
    }


NOT_ENFORCED = (
    "providers.e2b.blockedDomains entry ads.example.com is NOT enforced: E2B denies IP "
    "addresses and CIDR blocks only, no domain names"
)


def test_a_blocked_domain_name_is_accepted_said_not_enforced_and_never_sent(
    sindri_cli, image_project, write_config, e2b
):
    # The Rust tool accepted it and dropped it silently; E2B's denyOut takes no domains.
    configure(
        write_config, image_project, blockedDomains=["10.1.2.3", "ads.example.com"], team="acme"
    )
    validate = sindri_cli("config", "validate", cwd=image_project)
    assert validate.exit_code == 0, validate.stderr
    assert validate.stderr.splitlines() == [
        f"warning: {NOT_ENFORCED}",
        "warning: providers.e2b.team is ignored: the API key (E2B_API_KEY) decides the team",
    ]
    plan = sindri_cli("plan", "--json", cwd=image_project)
    assert plan.exit_code == 0, plan.stderr
    assert NOT_ENFORCED.removeprefix("providers.e2b.") in plan.json()["notes"]
    deploy = sindri_cli("deploy", cwd=image_project)
    assert deploy.exit_code == 0, deploy.stderr
    assert NOT_ENFORCED.removeprefix("providers.e2b.") in deploy.stderr
    assert create_body(e2b)["network"] == {"allowPublicTraffic": False, "denyOut": ["10.1.2.3"]}


@pytest.mark.parametrize("entry", ["::/0", "0.0.0.0", "0.0.0.0/8", "not a host!"])
def test_blocked_entries_e2b_refuses_are_refused_when_the_config_is_read(
    sindri_cli, image_project, write_config, e2b, entry
):
    configure(write_config, image_project, blockedDomains=["10.1.2.3", entry])
    result = sindri_cli("plan", cwd=image_project)
    assert result.exit_code == 2
    assert "providers.e2b.blockedDomains[1]" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not e2b.calls


# -- build mode ----------------------------------------------------------------------------


def test_single_stage_dockerfile_goes_through_the_sdk_with_variables_resolved(
    sindri_cli, build_project, e2b
):
    result = sindri_cli("deploy", cwd=build_project)
    assert result.exit_code == 0, result.stderr
    definition = last_build(e2b)
    assert definition["fromImage"] == "busybox:1.36"
    env = [args for args in steps(definition, "ENV")]
    assert ["SINDRI_VERSION", "3.2.0"] in env and ["DISTRO", "ubuntu"] in env
    workdirs = steps(definition, "WORKDIR")
    assert ["/opt/sindri-3.2.0"] in workdirs  # ${SINDRI_VERSION} resolved before E2B saw it
    assert not any("$" in arg for args in workdirs for arg in args)
    (copy,) = steps(definition, "COPY")
    assert copy[:2] == ["busybox", "/bin/busybox"]
    (copy_step,) = [s for s in definition["steps"] if s["type"] == "COPY"]
    assert copy_step["filesHash"] in e2b.uploads  # the file went to the upload link
    template = e2b.template("demo-env")
    assert (template.cpu_count, template.memory_mb) == (4, 3072)
    assert not (build_project / "e2b.Dockerfile").exists()  # never over the user's files


def test_quoted_values_continuations_and_arg_expansion_build_as_a_template_directly(
    sindri_cli, build_project, e2b
):
    """Issue 27: e2b 2.50's Dockerfile reading altered these, so sindri built them locally;
    the SDK's current parser keeps them, and the definition it sent says so."""
    (build_project / "Dockerfile").write_text(
        "ARG BASE=busybox\n"
        "FROM ${BASE}:1.36\n"
        'ARG GREETING="hello world"\n'
        'ENV QUOTED="a b=c \\"d\\"" \\\n'
        "    PLAIN=x \\\n"
        "    DERIVED=${GREETING}-$PLAIN\n"
        "COPY busybox /bin/busybox\n"
    )
    result = sindri_cli("deploy", cwd=build_project)  # no buildRepository: no local build
    assert result.exit_code == 0, result.stderr
    definition = last_build(e2b)
    assert definition["fromImage"] == "busybox:1.36"
    env = steps(definition, "ENV")
    assert ["GREETING", "hello world"] in env
    assert ["QUOTED", 'a b=c "d"', "PLAIN", "x", "DERIVED", "hello world-x"] in env


def test_another_teams_alias_still_gets_this_teams_template(sindri_cli, image_project, e2b):
    """handlers/template_alias.go answers 403 for another team's alias, which the SDK's
    Template.exists reads as "exists"; with no record of its own, sindri builds anyway."""
    e2b.foreign_aliases.add("demo-env")
    result = sindri_cli("deploy", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    assert "nothing records" in result.stdout + result.stderr
    assert template_builds(e2b) == 1 and create_body(e2b)["templateID"] == "demo-env"


def template_builds(e2b) -> int:
    return len(e2b.requests("POST", "/v3/templates"))


def test_unchanged_template_is_reused_and_a_changed_dockerfile_rebuilds(
    sindri_cli, build_project, e2b
):
    assert sindri_cli("deploy", cwd=build_project).exit_code == 0
    e2b.sandboxes.clear()
    assert sindri_cli("deploy", cwd=build_project).exit_code == 0
    assert template_builds(e2b) == 1  # fingerprint unchanged: reused
    (build_project / "Dockerfile").write_text(DOCKERFILE.replace("3600", "7200"))
    e2b.sandboxes.clear()
    result = sindri_cli("deploy", cwd=build_project)
    assert result.exit_code == 0
    assert template_builds(e2b) == 2
    assert "changed since the last build" in result.stderr


def test_a_changed_image_digest_rebuilds_the_template(sindri_cli, write_config, e2b):
    project = write_config(IMAGE_CONFIG.replace("required: true", "required: false")).parent
    assert sindri_cli("deploy", cwd=project).exit_code == 0
    other = IMAGE_CONFIG.replace(DIGEST, "sha256:" + "cd" * 32)
    write_config(other.replace("required: true", "required: false"), project)
    e2b.sandboxes.clear()
    assert sindri_cli("deploy", cwd=project).exit_code == 0
    assert template_builds(e2b) == 2
    assert last_build(e2b)["fromImage"].endswith("cd" * 32)


MULTI_STAGE = """ARG BASE=busybox:1.36
FROM scratch AS tools
COPY busybox /bin/busybox
FROM scratch
COPY --from=tools /bin/busybox /bin/busybox
CMD ["/bin/busybox", "sleep", "3600"]
"""


@pytest.mark.parametrize("command", ["plan", "deploy"])
def test_a_multi_stage_dockerfile_without_build_repository_exits_2(
    sindri_cli, build_project, e2b, command
):
    (build_project / "Dockerfile").write_text(MULTI_STAGE)
    result = sindri_cli(command, cwd=build_project)
    assert result.exit_code == 2, result.stderr
    assert "providers.e2b.buildRepository" in result.stderr
    assert "Multi-stage Dockerfiles are not supported" in result.stderr
    assert "the Rust tool instead had the E2B CLI build the multi-stage" in result.stderr
    assert not e2b.requests("POST", "/v3/templates") and not e2b.requests("POST", "/v2/sandboxes")


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


# -- lifecycle -----------------------------------------------------------------------------


def test_an_unchanged_sandbox_is_left_alone_paused_is_resumed_and_force_replaces(
    sindri_cli, image_project, e2b
):
    assert sindri_cli("deploy", cwd=image_project).exit_code == 0
    (first,) = e2b.sandboxes
    result = sindri_cli("deploy", cwd=image_project)
    assert result.exit_code == 0 and "is up to date" in result.stdout
    assert len(e2b.requests("POST", "/v2/sandboxes")) == 1 and template_builds(e2b) == 1

    e2b.sandboxes[first]["state"] = "paused"
    assert sindri_cli("deploy", cwd=image_project).exit_code == 0
    assert e2b.requests("POST", f"/v2/sandboxes/{first}/connect")
    assert e2b.sandboxes[first]["state"] == "running"

    result = sindri_cli("deploy", "--force", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    assert e2b.requests("DELETE", f"/sandboxes/{first}")
    assert len(e2b.requests("POST", "/v2/sandboxes")) == 2
    assert last_build(e2b)["force"] is True  # --force skips E2B's layer cache


def test_a_changed_template_is_planned_rebuilt_with_cache_and_the_sandbox_replaced(
    sindri_cli, image_project, write_config, e2b
):
    assert sindri_cli("deploy", cwd=image_project).exit_code == 0
    (first,) = e2b.sandboxes
    write_config(IMAGE_CONFIG.replace(DIGEST, "sha256:" + "cd" * 32), image_project)
    report = sindri_cli("plan", "--json", cwd=image_project).json()
    changes = {c["resource"]: c["action"] for c in report["changes"]}
    assert changes == {"template:demo-env": "update", "sandbox:demo-env": "update"}
    result = sindri_cli("deploy", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    assert template_builds(e2b) == 2 and last_build(e2b)["force"] is False
    assert e2b.requests("DELETE", f"/sandboxes/{first}")
    assert len(e2b.requests("POST", "/v2/sandboxes")) == 2


def test_a_sandbox_sindri_has_no_record_of_is_replaced(sindri_cli, image_project, e2b):
    foreign = e2b.add_sandbox("demo-env", "running")
    report = sindri_cli("plan", "--json", cwd=image_project).json()
    assert {c["resource"]: c["action"] for c in report["changes"]}["sandbox:demo-env"] == "update"
    assert sindri_cli("deploy", cwd=image_project).exit_code == 0
    assert e2b.requests("DELETE", f"/sandboxes/{foreign}")


def test_plan_of_an_unchanged_deployment_is_up_to_date(sindri_cli, image_project, e2b):
    assert sindri_cli("deploy", cwd=image_project).exit_code == 0
    report = sindri_cli("plan", "--json", cwd=image_project).json()
    assert report["compared"] is True and report["actions"] == []
    assert {c["action"] for c in report["changes"]} == {"unchanged"}


def test_plan_artifact_is_the_deployed_template_definition(sindri_cli, build_project, e2b):
    (artifact,) = sindri_cli("plan", "--json", cwd=build_project).json()["artifacts"]
    assert sindri_cli("deploy", cwd=build_project).exit_code == 0
    written = build_project / ".sindri" / "e2b" / "e2b-template.json"
    assert written.read_text() == artifact["content"]


@pytest.mark.parametrize(
    ("state", "expected"), [("running", "running"), ("paused", "paused"), (None, "not_deployed")]
)
def test_status_lists_with_one_comma_separated_state(
    sindri_cli, image_project, e2b, state, expected
):
    if state:
        e2b.add_sandbox("demo-env", state)
    e2b.add_sandbox("someone-else", "running")
    result = sindri_cli("status", "--json", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["state"] == expected
    assert data["configured_image"] == PINNED
    (listing,) = e2b.requests("GET", "/v2/sandboxes")
    assert [v for k, v in listing.query if k == "state"] == ["running,paused"]  # finding 1
    assert ("metadata", "sindri_name=demo-env") in listing.query


def test_status_follows_the_listing_pages_to_a_running_sandbox(sindri_cli, image_project, e2b):
    """handlers/sandboxes_list.go pages newest first; the running sandbox may be on page 2."""
    e2b.add_sandbox("demo-env", "running", started_at="2026-11-22T09:00:00Z")
    for minute in (1, 2):
        e2b.add_sandbox("demo-env", "paused", started_at=f"2026-11-22T10:0{minute}:00Z")
    e2b.default_limit = 1
    result = sindri_cli("status", "--json", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    assert result.json()["state"] == "running"
    listings = e2b.requests("GET", "/v2/sandboxes")
    assert len(listings) == 3 and any(k == "nextToken" for k, _ in listings[-1].query)


def test_stop_start_and_destroy_use_pause_connect_and_kill(sindri_cli, image_project, e2b):
    assert sindri_cli("deploy", cwd=image_project).exit_code == 0
    (sandbox_id,) = e2b.sandboxes
    assert sindri_cli("stop", cwd=image_project).exit_code == 0
    assert e2b.sandboxes[sandbox_id]["state"] == "paused"
    result = sindri_cli("stop", cwd=image_project)
    assert result.exit_code == 0 and "already paused" in result.stdout
    assert sindri_cli("start", cwd=image_project).exit_code == 0
    assert e2b.sandboxes[sandbox_id]["state"] == "running"
    assert e2b.sandboxes[sandbox_id]["_timeout"] == 900
    # Finding 9: resume through /connect, never the deprecated /resume.
    assert e2b.requests("POST", f"/v2/sandboxes/{sandbox_id}/connect")
    assert not [c for c in e2b.calls if c.path.endswith("/resume")]
    result = sindri_cli("destroy", "--yes", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    assert not e2b.sandboxes
    assert not (image_project / ".sindri/e2b").exists()
    assert "template demo-env is kept" in result.stdout


def test_gpu_is_rejected_naming_providers_with_gpus(sindri_cli, write_config, e2b):
    text = IMAGE_CONFIG.replace(
        "extensions:", "  resources:\n    gpu: {enabled: true}\nextensions:"
    )
    project = write_config(text).parent
    for command in (["plan"], ["deploy"]):
        result = sindri_cli(*command, cwd=project)
        assert result.exit_code == 2
        assert "no GPUs" in result.stderr and "docker" in result.stderr
    assert not e2b.calls


def test_required_secret_missing_stops_before_anything_is_built(
    sindri_cli, write_config, e2b, monkeypatch
):
    monkeypatch.delenv("API_TOKEN", raising=False)
    project = write_config(IMAGE_CONFIG).parent
    result = sindri_cli("deploy", cwd=project)
    assert result.exit_code == 2 and "API_TOKEN" in result.stderr
    assert not template_builds(e2b) and not e2b.requests("POST", "/v2/sandboxes")


def test_plan_writes_nothing_and_only_reads(sindri_cli, image_project, e2b):
    result = sindri_cli("plan", "--json", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    plan = result.json()
    (artifact,) = plan["artifacts"]
    assert artifact["path"].endswith(".sindri/e2b/e2b-template.json")
    definition = json.loads(artifact["content"])
    assert definition["fromImage"] == PINNED
    assert "private sandbox" in json.dumps(plan["actions"])
    assert SECRET_VALUE not in json.dumps(plan)
    assert not (image_project / ".sindri").exists()
    assert {c.method for c in e2b.calls} == {"GET"}  # template lookup, sandbox list


def test_plan_without_an_api_key_does_not_compare(sindri_cli, image_project, e2b, monkeypatch):
    monkeypatch.delenv("E2B_API_KEY", raising=False)
    report = sindri_cli("plan", "--json", cwd=image_project).json()
    assert report["compared"] is False and report["artifacts"]
    assert not e2b.calls


def test_a_missing_api_key_is_a_prerequisite_error(sindri_cli, image_project, monkeypatch):
    monkeypatch.delenv("E2B_API_KEY", raising=False)
    result = sindri_cli("status", cwd=image_project)
    assert result.exit_code == 1 and "E2B_API_KEY" in result.stderr


def test_a_refused_key_is_one_line_without_the_key(sindri_cli, image_project, e2b, monkeypatch):
    monkeypatch.setenv("E2B_API_KEY", "e2b_wrong_key_0000")
    result = sindri_cli("status", cwd=image_project)
    assert result.exit_code == 1
    assert "E2B" in result.stderr and "e2b_wrong_key_0000" not in result.stderr
    assert "Traceback" not in result.stderr


# -- connection settings (finding 8) --------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "host"),
    [(None, "api.e2b.app"), ("e2b.corp.example", "api.e2b.corp.example")],
)
@pytest.mark.parametrize("command", [["deploy"], ["status"], ["stop"]])
def test_calls_go_to_the_sdk_default_host_or_e2b_domain(
    image_project, network_refusals, domain, host, command
):
    import os
    import subprocess
    import sys

    # A process of its own, without proxies, so the SDK looks up the host its calls go to: the
    # test session's loopback guard refuses that lookup and records the name.
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update({"E2B_API_KEY": API_KEY, "E2B_CONNECTION_RETRIES": "0"})
    env.update({"E2B_DOMAIN": domain} if domain else {})
    sindri = Path(sys.executable).with_name("sindri")
    result = subprocess.run(
        [str(sindri), *command],
        cwd=image_project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "cannot reach E2B" in result.stderr and "Traceback" not in result.stderr
    refused = network_refusals.take()
    names = {refusal.host_name for refusal in refused}
    assert host in names, refused
    # nothing but lookups of that host (with the resolver's search domains, if any)
    assert all(name == host or str(name).startswith(host + ".") for name in names), refused


@pytest.mark.parametrize(("name", "alias"), [("Demo_Env", "demo-env"), ("a--b", "a-b")])
def test_alias_derivation(name, alias):
    assert derive_alias(name, E2bSettings()) == alias
    assert derive_alias(name, E2bSettings(template_alias="custom")) == "custom"


# -- connect (finding 6) -------------------------------------------------------------------


def test_connect_runs_exactly_the_argv_with_dash_arguments_and_returns_its_status(
    sindri_cli, image_project, e2b, envd
):
    sandbox_id = e2b.add_sandbox("demo-env", "paused")
    argv = ["printf", "%s|", "-la", "--help", "a b", "it's", "$HOME", "*"]
    result = sindri_cli("connect", "--", *argv, cwd=image_project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "-la|--help|a b|it's|$HOME|*|"
    (started,) = envd.started
    assert started.cmd == "/bin/bash" and started.args[:2] == ["-l", "-c"]
    assert started.user == "developer" and started.cwd == "/alt/home/developer/workspace"
    # a paused sandbox is resumed through /connect first
    assert e2b.requests("POST", f"/v2/sandboxes/{sandbox_id}/connect")

    result = sindri_cli("connect", "printf", "%s|", "-la", "-x", cwd=image_project)  # no `--`
    assert result.exit_code == 0 and result.stdout == "-la|-x|"

    result = sindri_cli("connect", "sh", "-c", "echo oops >&2; exit 7", cwd=image_project)
    assert result.exit_code == 7
    assert "oops" in result.stderr


# -- build mode: multi-stage, built locally and pushed (finding 3) ---------------------------


@pytest.fixture
def pushed_images():
    """Image references a test made in the local engine; removed afterwards."""
    import subprocess

    references: list[str] = []
    yield references
    for reference in references:
        subprocess.run(["docker", "rmi", "-f", reference], capture_output=True, check=False)


def test_a_multi_stage_dockerfile_is_built_locally_pushed_and_the_template_uses_the_digest(
    sindri_cli, build_project, write_config, e2b, registry, pushed_images
):
    import shutil

    shutil.copy("/bin/busybox", build_project / "busybox")
    (build_project / "Dockerfile").write_text(MULTI_STAGE)
    repository = f"{registry.host}/{registry.unique_repo('e2b')}"
    configure(
        write_config,
        build_project,
        BUILD_CONFIG + "providers:\n  e2b:\n",
        buildRepository=repository,
    )
    plan = sindri_cli("plan", "--json", cwd=build_project)
    assert plan.exit_code == 0, plan.stderr
    assert "push" in [action["action"] for action in plan.json()["actions"]]
    (artifact,) = plan.json()["artifacts"]
    assert json.loads(artifact["content"])["fromImage"].startswith(f"{repository}:3.2.0-")

    result = sindri_cli("deploy", cwd=build_project)
    assert result.exit_code == 0, result.stderr
    base = last_build(e2b)["fromImage"]
    target, digest = base.split("@")
    pushed_images.extend([target, f"sindri:{target.rsplit(':', 1)[1]}"])
    repo, tag = target.removeprefix(f"{registry.host}/").split(":")
    assert target.startswith(f"{repository}:3.2.0-")
    assert digest == registry.digest_of(repo, tag)  # the template is built from what was pushed
    # reused next time: nothing rebuilt, nothing pushed
    e2b.sandboxes.clear()
    assert sindri_cli("deploy", cwd=build_project).exit_code == 0
    assert template_builds(e2b) == 1


def test_connect_without_a_command_is_an_interactive_login_shell_on_a_pty(
    e2b, envd, monkeypatch, capfd
):
    import os

    from e2b import Sandbox

    from sindri_providers_e2b import terminal

    sandbox_id = e2b.add_sandbox("demo-env", "running")
    sandbox = Sandbox.connect(sandbox_id, timeout=300)
    read, write = os.pipe()
    os.write(write, b"echo sindri-$((6*7)) $TERM\nexit 3\n")
    os.close(write)
    with os.fdopen(read, "rb") as stdin:
        monkeypatch.setattr("sys.stdin", stdin)
        status = terminal.shell(sandbox, user="developer", cwd="/alt/home/developer/workspace")
    assert status == 3
    assert "sindri-42 " in capfd.readouterr().out  # computed by the shell, not echoed input
    (started,) = envd.started
    assert (started.cmd, started.args, started.user) == ("/bin/bash", ["-i", "-l"], "developer")
    assert started.envs["TERM"]


def _run_on_a_terminal(argv: list[str], cwd: Path) -> str:
    """Run the installed ``sindri`` with stderr on a pseudo-terminal; what it showed there."""
    import os
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    sindri = Path(sys.executable).with_name("sindri")
    process = subprocess.Popen(
        [str(sindri), *argv],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        stdin=subprocess.DEVNULL,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO once the process has exited
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert process.wait(timeout=120) == 0, b"".join(chunks).decode()
    return b"".join(chunks).decode(errors="replace")


def test_build_logs_show_on_a_terminal_and_not_under_quiet_or_json(image_project, e2b):
    shown = _run_on_a_terminal(["deploy"], image_project)
    assert "Building template" in shown and "Build finished" in shown
    for flags in (["-q", "deploy", "--force"], ["deploy", "--force", "--json"]):
        shown = _run_on_a_terminal(flags, image_project)
        assert "Building template" not in shown, flags
    assert template_builds(e2b) == 3


SOURCES_CONFIG = """
version: "3.0"
name: demo-env
deployment:
  provider: e2b
"""

SOURCES_MULTI_STAGE = (
    "FROM scratch AS docs\nCOPY v3/README /README\nFROM scratch\nCOPY --from=docs /README /R\n"
)


def test_the_sindri_sources_need_a_build_repository_from_plan_on(
    sindri_cli, write_config, e2b, sindri_sources, monkeypatch
):
    monkeypatch.setenv("SINDRI_SOURCE_REPO", sindri_sources.url)
    project = write_config(SOURCES_CONFIG).parent
    result = sindri_cli("plan", cwd=project)
    assert result.exit_code == 2, result.stderr
    assert "providers.e2b.buildRepository" in result.stderr and "multi-stage" in result.stderr
    assert not e2b.calls


def test_deploy_builds_the_multi_stage_sindri_sources_locally_and_pushes_them(
    sindri_cli, write_config, e2b, sindri_sources, registry, pushed_images, monkeypatch
):
    sindri_sources.commit({"v3/Dockerfile": SOURCES_MULTI_STAGE})
    monkeypatch.setenv("SINDRI_SOURCE_REPO", sindri_sources.url)
    repository = f"{registry.host}/{registry.unique_repo('e2b-sources')}"
    project = write_config(
        SOURCES_CONFIG + f"providers:\n  e2b:\n    buildRepository: {repository}\n"
    ).parent
    plan = sindri_cli("plan", "--json", cwd=project)
    assert plan.exit_code == 0, plan.stderr
    assert [a["action"] for a in plan.json()["actions"]][:2] == ["build", "push"]
    result = sindri_cli("deploy", cwd=project)
    assert result.exit_code == 0, result.stderr
    target, digest = last_build(e2b)["fromImage"].split("@")
    pushed_images.extend([target, f"sindri:{target.rsplit(':', 1)[1]}"])
    repo, tag = target.removeprefix(f"{registry.host}/").split(":")
    assert digest == registry.digest_of(repo, tag)
    assert create_body(e2b)["templateID"] == "demo-env"


# -- what E2B refuses, refused by config validate -------------------------------------------


@pytest.mark.parametrize(
    ("resources", "field"),
    [
        ({"cpus": 3}, "deployment.resources.cpus"),
        ({"cpus": 34}, "deployment.resources.cpus"),
        ({"cpus": 1}, None),
        ({"cpus": 32}, None),
        ({"memory": "64MB"}, "deployment.resources.memory"),
        ({"memory": "1025MB"}, "deployment.resources.memory"),
        ({"memory": "128MB"}, None),
    ],
)
def test_config_validate_refuses_cpus_and_memory_e2b_refuses(
    sindri_cli, image_project, write_config, resources, field
):
    """team/limits.go LimitResources (e2b-dev/infra 54693ff3): CPU 1 or even, ≤ 32; memory
    ≥ 128 MiB and even."""
    block = "".join(f"    {key}: {value}\n" for key, value in resources.items())
    write_config(
        IMAGE_CONFIG.replace("deployment:\n", "deployment:\n  resources:\n" + block, 1),
        image_project,
    )
    result = sindri_cli("config", "validate", cwd=image_project)
    if field is None:
        assert result.exit_code == 0, result.stderr
        return
    assert result.exit_code == 2
    assert field in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2


@pytest.mark.parametrize("entry", ["0.0.0.0", "::", "::/0", "0.0.0.0/8"])
def test_config_validate_refuses_unspecified_addresses_e2b_refuses(
    sindri_cli, image_project, write_config, e2b, entry
):
    """handlers/sandbox_create.go validateEgressRules → IsSpecifiedIPOrCIDR."""
    configure(write_config, image_project, blockedDomains=["192.0.2.7", entry])
    result = sindri_cli("config", "validate", cwd=image_project)
    assert result.exit_code == 2, result.stdout
    assert "providers.e2b.blockedDomains[1]" in result.stderr and "0.0.0.0/0" in result.stderr
    configure(write_config, image_project, allowedDomains=["pypi.org", entry])
    result = sindri_cli("config", "validate", cwd=image_project)
    assert result.exit_code == 2 and "providers.e2b.allowedDomains[1]" in result.stderr
    configure(write_config, image_project, blockedDomains=["0.0.0.0/0"])
    assert sindri_cli("config", "validate", cwd=image_project).exit_code == 0
    assert not e2b.calls


def test_config_validate_warns_about_a_timeout_above_one_hour(
    sindri_cli, image_project, write_config
):
    configure(write_config, image_project, BUILD_CONFIG + "providers:\n  e2b:\n", timeout=7200)
    result = sindri_cli("config", "validate", cwd=image_project)
    assert result.exit_code == 0, result.stderr
    assert "providers.e2b.timeout" in result.stdout + result.stderr
    assert "1 hour" in result.stdout + result.stderr
    configure(write_config, image_project, BUILD_CONFIG + "providers:\n  e2b:\n", timeout=3600)
    result = sindri_cli("config", "validate", cwd=image_project)
    assert "providers.e2b.timeout" not in result.stdout + result.stderr
