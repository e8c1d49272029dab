"""status, start, stop, connect, destroy and prerequisites against the fake flyctl."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sindri_core.errors import OperationError
from sindri_core.lifecycle import DeploymentState
from tests.fly.conftest import PINNED
from tests.fly.fakefly import APP, DIGEST, MACHINE_ID, calls_of, install_flyctl, machine_json

# Fly's machine lifecycle (https://fly.io/docs/machines/machine-states/) → sindri state.
EXPECTED_STATES = {
    "created": "creating",
    "creating": "creating",
    "starting": "creating",
    "restarting": "creating",
    "updating": "creating",
    "replacing": "creating",
    "started": "running",
    "stopping": "stopped",
    "stopped": "stopped",
    "suspending": "suspended",
    "suspended": "suspended",
    "failed": "error",
    "launch_failed": "error",
    "destroying": "not_deployed",
    "destroyed": "not_deployed",
    "replaced": "not_deployed",
    "some-future-state": "unknown",
}


@pytest.mark.parametrize(("fly_state", "expected"), sorted(EXPECTED_STATES.items()))
def test_status_maps_every_machine_state(fake_tools, load_project, fly_state, expected) -> None:
    install_flyctl(fake_tools, app_exists=True, machines=[machine_json(fly_state)])
    status = load_project().status()
    assert status.state.value == expected
    if expected == "not_deployed":
        assert status.image is None
    else:
        assert status.details["machine_state"] == fly_state


def test_status_reports_the_running_image_machine_and_addresses(fake_tools, load_project) -> None:
    running = "ghcr.io/pacphi/sindri:3.1.3"
    install_flyctl(fake_tools, app_exists=True, machines=[machine_json(image=running)])
    status = load_project(fly="sshPort: 2200").status()
    assert status.state is DeploymentState.RUNNING
    assert status.image == running
    assert status.configured_image == PINNED  # differs from what runs
    assert status.addresses == (f"{APP}.fly.dev:2200", "fdaa:0:1a7b:a7b:1::2")
    assert status.details["machine_id"] == MACHINE_ID
    assert status.details["region"] == "sjc"
    assert status.details["image_digest"] == DIGEST
    (listed,) = calls_of(fake_tools, "machines", "list")
    assert listed.args == ["machines", "list", "--app", APP, "--json"]


def test_status_of_a_missing_app_is_not_deployed(fake_tools, load_project) -> None:
    install_flyctl(fake_tools)
    status = load_project().status()
    assert status.state is DeploymentState.NOT_DEPLOYED
    assert status.image is None
    assert status.configured_image == PINNED
    assert calls_of(fake_tools, "machines") == []


def test_status_prefers_the_running_machine_of_several(fake_tools, load_project) -> None:
    machines = [machine_json("stopped", machine_id="aaa"), machine_json("started", machine_id="b")]
    install_flyctl(fake_tools, app_exists=True, machines=machines)
    status = load_project().status()
    assert status.state is DeploymentState.RUNNING
    assert status.details["machine_id"] == "b"
    assert status.details["machines"] == "aaa stopped, b started"


def test_cli_status_json(fake_tools, fly_config, project_dir, sindri_cli) -> None:
    install_flyctl(fake_tools, app_exists=True, machines=[machine_json("suspended")])
    fly_config()
    result = sindri_cli("status", "--json", cwd=project_dir)
    assert result.exit_code == 0, result.stderr
    assert result.json()["state"] == "suspended"
    assert result.json()["image"] == PINNED


def test_start_starts_the_sleeping_machine(fake_tools, load_project) -> None:
    install_flyctl(fake_tools, app_exists=True, machines=[machine_json("suspended")])
    result = load_project().start()
    (started,) = calls_of(fake_tools, "machine", "start")
    assert started.args == ["machine", "start", MACHINE_ID, "--app", APP]
    assert MACHINE_ID in result.message


def test_stop_stops_the_running_machine(fake_tools, load_project) -> None:
    install_flyctl(fake_tools, app_exists=True)
    load_project().stop()
    (stopped,) = calls_of(fake_tools, "machine", "stop")
    assert stopped.args == ["machine", "stop", MACHINE_ID, "--app", APP]


def test_start_of_a_running_machine_does_nothing(fake_tools, load_project) -> None:
    install_flyctl(fake_tools, app_exists=True)
    assert "already running" in load_project().start().message
    assert calls_of(fake_tools, "machine", "start") == []


def test_start_without_a_deployment_fails(fake_tools, load_project) -> None:
    install_flyctl(fake_tools)
    with pytest.raises(OperationError, match=r"not deployed on Fly\.io"):
        load_project().start()


@pytest.fixture
def no_stdin() -> Iterator[None]:
    """``connect`` hands the terminal to flyctl; give it /dev/null instead of pytest's stdin."""
    saved = os.dup(0)
    with Path(os.devnull).open() as devnull:
        os.dup2(devnull.fileno(), 0)
    try:
        yield
    finally:
        os.dup2(saved, 0)
        os.close(saved)


def test_connect_starts_a_stopped_machine_then_opens_ssh_console(
    fake_tools, load_project, no_stdin
) -> None:
    install_flyctl(fake_tools, app_exists=True, machines=[machine_json("stopped")])
    result = load_project().connect(("ls", "-la", "my dir"))
    assert result.exit_code == 0
    commands = [c.args for c in fake_tools.calls()]
    start_at = commands.index(["machine", "start", MACHINE_ID, "--app", APP])
    assert commands[start_at + 1] == [
        "ssh", "console", "--app", APP, "--user", "developer", "--machine", MACHINE_ID,
        "--command", "ls -la 'my dir'",
    ]  # fmt: skip


def test_connect_returns_the_exit_status_of_the_session(fake_tools, load_project, no_stdin) -> None:
    fake_tools.tool("flyctl").on("ssh", "console", exit=3)
    install_flyctl(fake_tools, app_exists=True)
    assert load_project().connect(()).exit_code == 3


def test_destroy_with_volumes_destroys_the_app_and_generated_files(
    fake_tools, fly_config, project_dir, sindri_cli
) -> None:
    install_flyctl(fake_tools, app_exists=True)
    fly_config()
    assert sindri_cli("deploy", cwd=project_dir).exit_code == 0
    assert (project_dir / ".sindri" / "fly" / "fly.toml").is_file()

    result = sindri_cli("destroy", "--yes", "--volumes", cwd=project_dir)
    assert result.exit_code == 0, result.stderr
    (destroyed,) = calls_of(fake_tools, "apps", "destroy")
    assert destroyed.args == ["apps", "destroy", APP, "--yes"]
    assert not (project_dir / ".sindri").exists()
    assert "with its machines, volume and secrets" in result.stdout


def test_destroy_without_volumes_keeps_the_app_and_its_volume(fake_tools, load_project) -> None:
    install_flyctl(fake_tools, app_exists=True)
    result = load_project().destroy()
    assert calls_of(fake_tools, "apps", "destroy") == []
    (destroyed,) = calls_of(fake_tools, "machine", "destroy")
    assert destroyed.args == ["machine", "destroy", MACHINE_ID, "--app", APP, "--force"]
    assert "kept the app with volume home_data" in result.message


def test_destroy_of_a_missing_app_runs_nothing_destructive(fake_tools, load_project) -> None:
    install_flyctl(fake_tools)
    result = load_project().destroy(volumes=True)
    assert "does not exist" in result.message
    assert calls_of(fake_tools, "apps", "destroy") == calls_of(fake_tools, "machine") == []


def test_destroy_asks_for_yes_when_not_interactive(
    fake_tools, fly_config, project_dir, sindri_cli
) -> None:
    install_flyctl(fake_tools, app_exists=True)
    fly_config()
    assert sindri_cli("destroy", cwd=project_dir).exit_code == 2
    assert calls_of(fake_tools, "apps", "destroy") == []


# -- prerequisites ---------------------------------------------------------------------------


def test_missing_flyctl_stops_with_the_install_hint(
    fake_tools, fly_config, project_dir, sindri_cli, monkeypatch
) -> None:
    monkeypatch.setenv("PATH", str(fake_tools.bin_dir))  # an empty directory: no flyctl
    fly_config()
    result = sindri_cli("status", cwd=project_dir)
    assert result.exit_code == 1
    assert "https://fly.io/install.sh" in result.stderr
    assert "Traceback" not in result.stderr


def test_unauthenticated_flyctl_stops_with_the_login_hint(
    fake_tools, fly_config, project_dir, sindri_cli
) -> None:
    install_flyctl(fake_tools, authenticated=False)
    fly_config()
    result = sindri_cli("deploy", cwd=project_dir)
    assert result.exit_code == 1
    assert "flyctl auth login" in result.stderr
    assert calls_of(fake_tools, "deploy") == []
