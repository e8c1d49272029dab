"""plan: the same steps as deploy, described; only read-only flyctl calls run, nothing is
written."""

from __future__ import annotations

from tests.fly.conftest import PINNED
from tests.fly.fakefly import APP, install_flyctl, parse_valid_fly_toml

READ_ONLY = (["auth", "whoami"], ["apps", "list", "--json"])


def test_plan_runs_only_read_only_calls_and_writes_nothing(
    fake_tools, fly_config, project_dir, sindri_cli, monkeypatch
) -> None:
    monkeypatch.setenv("API_TOKEN", "tok-value-123")
    install_flyctl(fake_tools)
    fly_config(extra="secrets:\n  - name: API_TOKEN\n")
    result = sindri_cli("plan", "--json", cwd=project_dir)
    assert result.exit_code == 0, result.stderr
    assert [c.args for c in fake_tools.calls()] == list(READ_ONLY)  # a fresh app: no more
    assert not (project_dir / ".sindri").exists()

    report = result.json()
    actions = [(a["action"], a["resource"]) for a in report["actions"]]
    assert actions == [
        ("create", f"app:{APP}"),
        ("create", "volume:home_data"),
        ("update", f"secrets:{APP}"),
        ("create", f"ip:{APP}"),
        ("run", f"machine:{APP}"),
    ]
    assert PINNED in report["actions"][-1]["description"]
    assert "API_TOKEN" in report["actions"][2]["description"]
    assert "tok-value-123" not in result.stdout
    (artifact,) = report["artifacts"]
    assert artifact["path"].endswith(".sindri/fly/fly.toml")
    assert "build" not in parse_valid_fly_toml(artifact["content"])


def test_plan_for_a_build_names_the_build_source(
    fly_config, project_dir, sindri_cli, dockerfile_context
) -> None:
    fly_config(deployment="")
    result = sindri_cli("plan", "--json", cwd=project_dir)
    assert result.exit_code == 0, result.stderr
    report = result.json()
    build, run = report["actions"][-2:]
    assert build["action"] == "build"
    assert build["resource"] == f"image:registry.fly.io/{APP}"
    assert str(dockerfile_context) in build["description"]
    assert run["action"] == "run"
    # issue #17: a local Dockerfile's [build] is known in plan (it was missing before)
    (artifact,) = report["artifacts"]
    document = parse_valid_fly_toml(artifact["content"])
    toml_dir = project_dir / ".sindri" / "fly"
    assert (toml_dir / document["build"]["dockerfile"]).resolve() == dockerfile_context


def test_build_mode_plan_artifact_is_the_deployed_fly_toml(
    fake_tools, fly_config, project_dir, sindri_cli, dockerfile_context
) -> None:
    install_flyctl(fake_tools)
    fly_config(deployment="")
    planned = sindri_cli("plan", "--json", cwd=project_dir).json()
    deployed = sindri_cli("deploy", cwd=project_dir)
    assert deployed.exit_code == 0, deployed.stderr
    (artifact,) = planned["artifacts"]
    assert (project_dir / ".sindri" / "fly" / "fly.toml").read_text() == artifact["content"]


def test_invalid_machine_size_is_a_one_line_usage_error(
    fly_config, project_dir, sindri_cli
) -> None:
    fly_config(deployment=f"image: {PINNED}\nresources:\n  cpus: 3")
    result = sindri_cli("plan", cwd=project_dir)
    assert result.exit_code == 2
    assert "deployment.resources.cpus" in result.stderr
    assert "allowed: 1, 2, 4, 8" in result.stderr
    assert "Traceback" not in result.stderr


def test_plan_without_flyctl_shows_the_desired_state_and_says_it_did_not_compare(
    fly_config, project_dir, sindri_cli
) -> None:
    fly_config()
    result = sindri_cli("plan", "--json", cwd=project_dir)
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["compared"] is False
    assert report["changes"] == []
    assert report["actions"][-1]["resource"] == f"machine:{APP}"


def test_plan_when_not_logged_in_does_not_compare(
    fake_tools, fly_config, project_dir, sindri_cli
) -> None:
    install_flyctl(fake_tools, authenticated=False)
    fly_config()
    report = sindri_cli("plan", "--json", cwd=project_dir).json()
    assert report["compared"] is False
    assert [c.args for c in fake_tools.calls()] == [["auth", "whoami"]]


def test_plan_of_a_fresh_app_shows_every_resource_created(
    fake_tools, fly_config, project_dir, sindri_cli
) -> None:
    install_flyctl(fake_tools)
    fly_config()
    report = sindri_cli("plan", "--json", cwd=project_dir).json()
    assert report["compared"] is True
    fly_toml = str(project_dir / ".sindri" / "fly" / "fly.toml")
    assert report["changes"] == [
        {"action": "create", "resource": f"app:{APP}"},
        {"action": "create", "resource": "volume:home_data"},
        {"action": "create", "resource": f"machine:{APP}"},
        {"action": "create", "resource": f"file:{fly_toml}"},
    ]
