"""plan: the same steps as deploy, described; nothing runs and nothing is written."""

from __future__ import annotations

from tests.fly.conftest import PINNED
from tests.fly.fakefly import APP, install_flyctl, parse_valid_fly_toml


def test_plan_runs_nothing_and_writes_nothing(
    fake_tools, fly_config, project_dir, sindri_cli, monkeypatch
) -> None:
    monkeypatch.setenv("API_TOKEN", "tok-value-123")
    install_flyctl(fake_tools)
    fly_config(extra="secrets:\n  - name: API_TOKEN\n")
    result = sindri_cli("plan", "--json", cwd=project_dir)
    assert result.exit_code == 0, result.stderr
    assert fake_tools.calls() == []
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
