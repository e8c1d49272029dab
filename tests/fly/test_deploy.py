"""Deploying: image mode, build mode, and the app/volume/secret/IP steps before it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sindri_core.lifecycle import DeployOptions
from tests.fly.conftest import PINNED
from tests.fly.fakefly import APP, calls_of, install_flyctl, parse_valid_fly_toml
from tests.fly.flyctl_cli import stored_secrets
from tests.fly.flyctl_parser import parse_secrets
from tests.support.awkward import AWKWARD_VALUES


def _fly_toml(project_dir: Path) -> Path:
    return project_dir / ".sindri" / "fly" / "fly.toml"


def _deploy_call(fake_tools):  # type: ignore[no-untyped-def]
    (call,) = calls_of(fake_tools, "deploy")
    return call


# -- image mode ------------------------------------------------------------------------------


def test_image_mode_deploys_the_digest_pinned_image_and_builds_nothing(
    fake_tools, load_project, project_dir
) -> None:
    install_flyctl(fake_tools)
    result = load_project().deploy(DeployOptions())

    call = _deploy_call(fake_tools)
    fly_file = _fly_toml(project_dir)
    assert call.args == [
        "deploy",
        "--config", str(fly_file),
        "--ha=false",
        "--wait-timeout", "600",
        "--yes",
        "--image", PINNED,
    ]  # fmt: skip
    assert call.cwd == str(fly_file.parent)
    assert result.reference == PINNED
    document = parse_valid_fly_toml(fly_file.read_text())
    assert "build" not in document
    assert not {"--remote-only", "--local-only", "--no-cache"} & set(call.args)


def test_fresh_app_gets_app_volume_ipv6_and_ipv4_before_the_deploy(
    fake_tools, load_project
) -> None:
    install_flyctl(fake_tools)
    result = load_project(
        deployment=f"image: {PINNED}\nvolumes:\n  workspace:\n    size: 20GB",
        fly="organization: acme",
    ).deploy(DeployOptions())

    commands = [c.args for c in fake_tools.calls()]
    assert commands == [
        ["auth", "whoami"],
        ["apps", "list", "--json"],
        ["apps", "create", APP, "--org", "acme"],
        ["volumes", "list", "--app", APP, "--json"],
        ["volumes", "create", "home_data", "--app", APP, "--region", "sjc", "--size", "20",
         "--yes"],
        ["ips", "list", "--app", APP, "--json"],
        ["ips", "allocate-v6", "--app", APP],
        ["ips", "allocate-v4", "--app", APP, "--yes"],  # as the Rust tool: SSH over IPv4
        commands[-1],
    ]  # fmt: skip
    assert commands[-1][0] == "deploy"
    assert any("Created Fly.io app fly-demo in organization acme" in m for m in result.messages)


def test_dedicated_ipv4_can_be_turned_off(fake_tools, load_project) -> None:
    install_flyctl(fake_tools)
    result = load_project(fly="dedicatedIpv4: false").deploy(DeployOptions())
    assert calls_of(fake_tools, "ips", "allocate-v6")
    assert calls_of(fake_tools, "ips", "allocate-v4") == []
    assert any("ips allocate-v4" in m for m in result.messages)


def test_organization_defaults_to_personal_and_is_only_on_apps_create(
    fake_tools, load_project
) -> None:
    install_flyctl(fake_tools)
    load_project().deploy(DeployOptions())
    (create,) = calls_of(fake_tools, "apps", "create")
    assert create.args[-2:] == ["--org", "personal"]
    assert "--org" not in _deploy_call(fake_tools).args


def test_existing_app_volume_and_address_are_reused(fake_tools, load_project) -> None:
    install_flyctl(fake_tools, app_exists=True)
    result = load_project().deploy(DeployOptions())
    for created in (
        ("apps", "create"), ("volumes", "create"), ("ips", "allocate-v6"), ("ips", "allocate-v4")
    ):  # fmt: skip
        assert calls_of(fake_tools, *created) == []
    assert _deploy_call(fake_tools).args[-2:] == ["--image", PINNED]
    assert not any(m.startswith("Created") for m in result.messages)


def test_smaller_existing_volume_is_reported(fake_tools, load_project, capsys) -> None:
    install_flyctl(fake_tools, app_exists=True)
    load_project(deployment=f"image: {PINNED}\nvolumes:\n  workspace:\n    size: 50GB").deploy(
        DeployOptions()
    )
    assert "volume home_data has 10GB, less than the configured 50GB" in capsys.readouterr().err


def test_timeout_wait_and_high_availability_flags(fake_tools, load_project) -> None:
    install_flyctl(fake_tools, app_exists=True)
    load_project(fly="highAvailability: true").deploy(DeployOptions(timeout=120, wait=False))
    args = _deploy_call(fake_tools).args
    assert "--ha=true" in args
    assert args[args.index("--wait-timeout") + 1] == "120"
    assert "--detach" in args


def test_failed_flyctl_deploy_is_an_operation_error(fake_tools, load_project) -> None:
    from sindri_core.errors import OperationError

    fake_tools.tool("flyctl").on("deploy", exit=1, stderr="Error: machine failed health checks\n")
    install_flyctl(fake_tools, app_exists=True)
    with pytest.raises(OperationError, match="exit status 1: Error: machine failed health"):
        load_project().deploy(DeployOptions())


# -- build mode ------------------------------------------------------------------------------


def test_build_mode_builds_the_local_dockerfile_on_fly(
    fake_tools, load_project, project_dir, dockerfile_context
) -> None:
    install_flyctl(fake_tools)
    result = load_project(deployment="").deploy(DeployOptions())

    call = _deploy_call(fake_tools)
    assert "--image" not in call.args
    assert "--remote-only" in call.args
    assert "--no-cache" not in call.args
    assert call.cwd == str(project_dir)  # the build context
    label = call.args[call.args.index("--image-label") + 1]
    assert result.reference == f"registry.fly.io/{APP}:{label}"

    fly_file = _fly_toml(project_dir)
    document = parse_valid_fly_toml(fly_file.read_text())
    # flyctl resolves [build].dockerfile against fly.toml's directory.
    assert (fly_file.parent / document["build"]["dockerfile"]).resolve() == dockerfile_context
    assert document["build"]["args"]["DISTRO"] == "ubuntu"
    assert "SINDRI_VERSION" in document["build"]["args"]


def test_force_rebuilds_without_cache_even_with_an_image_configured(
    fake_tools, load_project, dockerfile_context
) -> None:
    install_flyctl(fake_tools, app_exists=True)
    load_project().deploy(DeployOptions(force=True))
    args = _deploy_call(fake_tools).args
    assert "--no-cache" in args
    assert "--image" not in args


def test_build_locally_uses_the_local_engine(fake_tools, load_project, dockerfile_context) -> None:
    install_flyctl(fake_tools, app_exists=True)
    load_project(deployment="", fly="buildLocally: true").deploy(DeployOptions())
    args = _deploy_call(fake_tools).args
    assert "--local-only" in args
    assert "--remote-only" not in args


def test_sindri_build_pushes_to_the_fly_registry_without_deploying(
    fake_tools, fly_config, dockerfile_context, sindri_cli, project_dir
) -> None:
    install_flyctl(fake_tools)
    fly_config(deployment="")
    result = sindri_cli("build", "--json", cwd=project_dir)
    assert result.exit_code == 0, result.stderr
    call = _deploy_call(fake_tools)
    assert {"--build-only", "--push", "--remote-only"} <= set(call.args)
    assert call.cwd == str(project_dir)
    assert result.json()["reference"].startswith(f"registry.fly.io/{APP}:")
    assert calls_of(fake_tools, "apps", "create")  # the registry repository needs the app


# -- secrets ---------------------------------------------------------------------------------

SECRETS = {"GITHUB_TOKEN": "ghp_s3cr3tTokenValue", **AWKWARD_VALUES}


def test_secrets_travel_only_on_stdin(
    fake_tools, load_project, project_dir, monkeypatch, sindri_cli
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    (project_dir / "key.pub").write_text("ssh-ed25519 AAAAsecretkeymaterial me@host\n")
    install_flyctl(fake_tools)
    extra = "secrets:\n" + "".join(f"  - name: {n}\n" for n in SECRETS)
    extra += "  - name: SSH_KEY\n    source: file\n    path: key.pub\n"
    extra += "    mountPath: /alt/home/developer/.ssh/authorized_keys\n"
    project = load_project(extra=extra)
    plan_output = sindri_cli("plan", "--json", cwd=project_dir).stdout
    project.deploy(DeployOptions())

    (staged,) = calls_of(fake_tools, "secrets", "import")
    assert staged.args == ["secrets", "import", "--stage", "--app", APP]
    read = parse_secrets(staged.stdin.encode("utf-8", "surrogateescape"))
    decoded = {name: value.decode() for name, value in read.items()}
    assert {k: decoded[k] for k in SECRETS} == SECRETS
    assert {k: v for k, v in stored_secrets(fake_tools.bin_dir).items() if k in SECRETS} == SECRETS
    assert "SINDRI_FILE_SSH_KEY" in decoded

    fly_text = (project_dir / ".sindri" / "fly" / "fly.toml").read_text()
    document = parse_valid_fly_toml(fly_text)
    assert document["files"] == [
        {
            "guest_path": "/alt/home/developer/.ssh/authorized_keys",
            "secret_name": "SINDRI_FILE_SSH_KEY",
        }
    ]
    exposed = [" ".join(c.argv) for c in fake_tools.calls()] + [fly_text, plan_output]
    distinctive = [v for v in SECRETS.values() if len(v) >= 6]  # '"' is in any fly.toml
    for value in [*distinctive, "secretkeymaterial", decoded["SINDRI_FILE_SSH_KEY"]]:
        for text in exposed:
            assert value not in text
    assert "GITHUB_TOKEN" in plan_output  # names are shown, values never


@pytest.mark.parametrize(
    ("command", "value", "file_bytes"),
    [
        ("plan", "first line\r\nsecond line", 0),
        ("deploy", "first line\r\nsecond line", 0),
        ("deploy", "fine", 60_000),  # base64 of it is one line of 80,000 bytes
    ],
)
def test_a_secret_flyctl_cannot_carry_stops_before_anything_is_staged(
    fake_tools, fly_config, project_dir, monkeypatch, sindri_cli, command, value, file_bytes
) -> None:
    monkeypatch.setenv("API_KEY", value)
    (project_dir / "blob.bin").write_bytes(b"\x00" * file_bytes)
    install_flyctl(fake_tools)
    extra = "secrets:\n  - name: API_KEY\n"
    if file_bytes:
        extra += "  - name: BLOB\n    source: file\n    path: blob.bin\n    mountPath: /etc/blob\n"
    fly_config(extra=extra)
    result = sindri_cli(command, cwd=project_dir)
    assert result.exit_code == 2
    named = "SINDRI_FILE_BLOB" if file_bytes else "API_KEY"
    assert f"secret {named}" in result.stderr
    assert "first line" not in result.stderr + result.stdout
    assert [c for c in fake_tools.argvs() if c[1:2] != ["auth"]] == []


def test_a_file_mode_fly_cannot_set_is_refused_before_anything_runs(
    fake_tools, load_project, project_dir, sindri_cli
) -> None:
    (project_dir / "key.pem").write_text("-----BEGIN KEY-----\n")
    install_flyctl(fake_tools)
    extra = "secrets:\n  - name: TLS_KEY\n    source: file\n    path: key.pem\n"
    extra += "    mountPath: /etc/ssl/private/key.pem\n    permissions: '0600'\n"
    load_project(extra=extra)

    for command in (("plan",), ("deploy",)):
        result = sindri_cli(*command, cwd=project_dir)
        assert result.exit_code == 2, result.stderr
        assert result.diagnostics.startswith(
            "error: secrets.TLS_KEY.permissions: the fly provider cannot give a mounted file "
            "the mode 0600: fly.toml [[files]] has no mode"
        )
    assert not [c for c in fake_tools.calls() if c.args[:1] != ["auth"]]


def test_required_secret_missing_stops_before_anything_is_created(fake_tools, load_project) -> None:
    from sindri_core.errors import ConfigError

    install_flyctl(fake_tools)
    project = load_project(extra="secrets:\n  - name: MISSING_TOKEN\n    required: true\n")
    with pytest.raises(ConfigError, match="MISSING_TOKEN"):
        project.deploy(DeployOptions())
    assert [c.args[:2] for c in fake_tools.calls()] == [["auth", "whoami"]]


def _secrets(*names: str) -> str:
    return "secrets:\n" + "".join(f"  - name: {name}\n" for name in names)


def test_a_secret_dropped_from_sindri_yaml_is_unset_and_others_are_left_alone(
    fake_tools, load_project, project_dir, monkeypatch, sindri_cli
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-value")
    monkeypatch.setenv("OLD_TOKEN", "old-value")
    fly = install_flyctl(fake_tools)
    load_project(extra=_secrets("GITHUB_TOKEN", "OLD_TOKEN")).deploy(DeployOptions())
    record = project_dir / ".sindri" / "fly" / "secret-names.json"
    assert json.loads(record.read_text()) == {"app": APP, "names": ["GITHUB_TOKEN", "OLD_TOKEN"]}
    assert "value" not in record.read_text()
    assert calls_of(fake_tools, "secrets", "list") == []  # nothing was dropped yet

    # OLD_TOKEN leaves sindri.yaml; MANUAL was set on the app by someone else.
    listed = [{"name": n, "digest": "0" * 16} for n in ("GITHUB_TOKEN", "MANUAL", "OLD_TOKEN")]
    fly.on("secrets", "list", json=listed)
    project = load_project(extra=_secrets("GITHUB_TOKEN"))
    plan_text = sindri_cli("plan", cwd=project_dir).stdout
    assert "Unset OLD_TOKEN (staged by an earlier deploy, no longer in sindri.yaml)" in plan_text
    result = project.deploy(DeployOptions())

    (unset,) = calls_of(fake_tools, "secrets", "unset")
    assert unset.args == ["secrets", "unset", "--stage", "--app", APP, "OLD_TOKEN"]
    commands = [c.args[:2] for c in fake_tools.calls()]
    assert commands.index(["secrets", "unset"]) < len(commands) - 1 - commands[::-1].index(
        ["secrets", "import"]
    )  # unset before this deploy's import
    assert "Unset secrets no longer in sindri.yaml: OLD_TOKEN" in result.messages
    assert json.loads(record.read_text())["names"] == ["GITHUB_TOKEN"]


def test_a_dropped_secret_the_app_no_longer_has_is_not_unset(
    fake_tools, load_project, project_dir
) -> None:
    install_flyctl(fake_tools).on("secrets", "list", json=[])
    record = project_dir / ".sindri" / "fly" / "secret-names.json"
    record.parent.mkdir(parents=True)
    record.write_text(json.dumps({"app": APP, "names": ["GONE_TOKEN"]}))
    load_project().deploy(DeployOptions())
    assert len(calls_of(fake_tools, "secrets", "list")) == 1
    assert calls_of(fake_tools, "secrets", "unset") == []
    assert json.loads(record.read_text()) == {"app": APP, "names": []}


@pytest.mark.parametrize(
    "content", ['{"app": "another-app", "names": ["X"]}', "not json", '{"names": 3}']
)
def test_a_record_for_another_app_or_unreadable_unsets_nothing(
    fake_tools, load_project, project_dir, content: str
) -> None:
    install_flyctl(fake_tools)
    record = project_dir / ".sindri" / "fly" / "secret-names.json"
    record.parent.mkdir(parents=True)
    record.write_text(content)
    load_project().deploy(DeployOptions())
    assert calls_of(fake_tools, "secrets", "list") == calls_of(fake_tools, "secrets", "unset") == []


# -- through the CLI -------------------------------------------------------------------------


def test_cli_deploy_prints_the_reference_and_how_to_connect(
    fake_tools, fly_config, project_dir, sindri_cli
) -> None:
    install_flyctl(fake_tools)
    fly_config()
    result = sindri_cli("deploy", cwd=project_dir)
    assert result.exit_code == 0, result.stderr
    assert f"Deployed {APP}: {PINNED}" in result.stdout
    assert f"flyctl ssh console --app {APP} --user developer" in result.stdout


def test_fly_alias_is_used_when_flyctl_is_absent(fake_tools, load_project, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(fake_tools.bin_dir))
    install_flyctl(fake_tools, name="fly")
    load_project().deploy(DeployOptions())
    assert {c.argv[0] for c in fake_tools.calls()} == {"fly"}
