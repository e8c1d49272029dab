"""deploy converges: an unchanged app is left alone, a changed image or fly.toml is deployed;
plan compares each resource with what runs (docs/adr/0015-deploy-converges.md)."""

from __future__ import annotations

from pathlib import Path

from tests.fly.conftest import PINNED
from tests.fly.fakefly import APP, calls_of, install_flyctl

NEW_DIGEST = "sha256:" + "cd" * 32
NEW_PINNED = f"ghcr.io/pacphi/sindri@{NEW_DIGEST}"


def _deployed(fake_tools, fly_config, project_dir: Path, sindri_cli) -> None:  # type: ignore[no-untyped-def]
    install_flyctl(fake_tools)
    fly_config()
    first = sindri_cli("deploy", cwd=project_dir)
    assert first.exit_code == 0, first.stderr
    assert len(calls_of(fake_tools, "deploy")) == 1


def _changes(report: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {c["resource"]: c for c in report["changes"]}


def test_second_deploy_of_an_unchanged_app_runs_no_flyctl_deploy(
    fake_tools, fly_config, project_dir, sindri_cli
) -> None:
    _deployed(fake_tools, fly_config, project_dir, sindri_cli)
    before = len(fake_tools.calls())
    again = sindri_cli("deploy", cwd=project_dir)
    assert again.exit_code == 0, again.stderr
    assert len(calls_of(fake_tools, "deploy")) == 1  # no second `flyctl deploy`
    assert f"{APP} is up to date: {PINNED}" in again.stdout
    assert [c.args[:2] for c in fake_tools.calls()[before:]] == [
        ["auth", "whoami"],
        ["machines", "list"],
    ]


def test_plan_of_an_unchanged_app_is_up_to_date(
    fake_tools, fly_config, project_dir, sindri_cli
) -> None:
    _deployed(fake_tools, fly_config, project_dir, sindri_cli)
    report = sindri_cli("plan", "--json", cwd=project_dir).json()
    assert report["compared"] is True
    assert {c["action"] for c in report["changes"]} == {"unchanged"}
    assert set(_changes(report)) == {
        f"app:{APP}",
        "volume:home_data",
        f"machine:{APP}",
        f"file:{project_dir / '.sindri' / 'fly' / 'fly.toml'}",
    }
    assert report["actions"] == []


def test_a_new_image_version_is_planned_as_an_update_and_deployed(
    fake_tools, fly_config, project_dir, sindri_cli
) -> None:
    _deployed(fake_tools, fly_config, project_dir, sindri_cli)
    fly_config(deployment=f"image: {NEW_PINNED}")
    report = sindri_cli("plan", "--json", cwd=project_dir).json()
    assert _changes(report)[f"machine:{APP}"] == {
        "action": "update",
        "resource": f"machine:{APP}",
        "from": f"image {PINNED}",
        "to": f"image {NEW_PINNED}",
    }
    applied = sindri_cli("deploy", cwd=project_dir)
    assert applied.exit_code == 0, applied.stderr
    second = calls_of(fake_tools, "deploy")[-1]
    assert len(calls_of(fake_tools, "deploy")) == 2
    assert second.args[second.args.index("--image") + 1] == NEW_PINNED
    assert "--no-cache" not in second.args


def test_a_changed_fly_toml_is_planned_as_an_update_and_deployed(
    fake_tools, fly_config, project_dir, sindri_cli
) -> None:
    _deployed(fake_tools, fly_config, project_dir, sindri_cli)
    fly_config(fly="sshPort: 2200")
    fly_toml = f"file:{project_dir / '.sindri' / 'fly' / 'fly.toml'}"
    report = sindri_cli("plan", "--json", cwd=project_dir).json()
    assert _changes(report)[fly_toml]["action"] == "update"
    assert _changes(report)[f"machine:{APP}"]["action"] == "unchanged"
    applied = sindri_cli("deploy", cwd=project_dir)
    assert applied.exit_code == 0, applied.stderr
    assert len(calls_of(fake_tools, "deploy")) == 2


def test_force_deploys_an_unchanged_app(fake_tools, fly_config, project_dir, sindri_cli) -> None:
    _deployed(fake_tools, fly_config, project_dir, sindri_cli)
    assert sindri_cli("deploy", "--force", cwd=project_dir).exit_code == 0
    assert len(calls_of(fake_tools, "deploy")) == 2


def test_an_app_with_secrets_is_deployed_every_time(
    fake_tools, fly_config, project_dir, sindri_cli, monkeypatch
) -> None:
    monkeypatch.setenv("API_TOKEN", "tok-value-123")
    install_flyctl(fake_tools)
    fly_config(extra="secrets:\n  - name: API_TOKEN\n")
    assert sindri_cli("deploy", cwd=project_dir).exit_code == 0
    report = sindri_cli("plan", "--json", cwd=project_dir).json()
    assert _changes(report)[f"secrets:{APP}"]["action"] == "update"
    assert "tok-value-123" not in str(report)
    assert sindri_cli("deploy", cwd=project_dir).exit_code == 0
    assert len(calls_of(fake_tools, "deploy")) == 2


def test_image_mode_plan_artifact_is_the_deployed_fly_toml(
    fake_tools, fly_config, project_dir, sindri_cli
) -> None:
    install_flyctl(fake_tools)
    fly_config()
    (artifact,) = sindri_cli("plan", "--json", cwd=project_dir).json()["artifacts"]
    assert sindri_cli("deploy", cwd=project_dir).exit_code == 0
    assert (project_dir / ".sindri" / "fly" / "fly.toml").read_text() == artifact["content"]
