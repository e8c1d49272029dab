"""deploy converges on DevPod: an unchanged running workspace gets no ``devpod up``; a changed
devcontainer.json (image) is applied with ``--recreate``; plan compares
(docs/adr/0015-deploy-converges.md)."""

from __future__ import annotations

from tests.devpod.test_devpod_provider import DIGEST, config, devcontainer

NEW_DIGEST = "sha256:" + "ab" * 32


def _no_secrets(text: str) -> str:
    return text.replace("secrets:\n  - name: GH_TOKEN\n", "")


def _ups(devpod) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [c.args for c in devpod.calls() if c.args[0] == "up"]


def _changes(report: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {c["resource"]: c for c in report["changes"]}


def test_unchanged_running_workspace_gets_no_devpod_up(sindri_cli, project, devpod) -> None:
    path = project(_no_secrets(config(image=f"ghcr.io/acme/dev@{DIGEST}")), dockerfile=False)
    assert sindri_cli("deploy", cwd=path).exit_code == 0
    again = sindri_cli("deploy", cwd=path)
    assert again.exit_code == 0, again.stderr
    assert len(_ups(devpod)) == 1
    assert "is up to date" in again.stdout
    report = sindri_cli("plan", "--json", cwd=path).json()
    assert report["compared"] is True
    assert {c["action"] for c in report["changes"]} == {"unchanged"}
    assert report["actions"] == []


def test_a_new_image_is_planned_and_applied_with_recreate(sindri_cli, project, devpod) -> None:
    path = project(_no_secrets(config(image=f"ghcr.io/acme/dev@{DIGEST}")), dockerfile=False)
    assert sindri_cli("deploy", cwd=path).exit_code == 0
    assert "--recreate" not in _ups(devpod)[0]
    project(_no_secrets(config(image=f"ghcr.io/acme/dev@{NEW_DIGEST}")), dockerfile=False)
    report = sindri_cli("plan", "--json", cwd=path).json()
    change = _changes(report)["workspace:dev-box"]
    assert change["action"] == "update" and change["to"] == "recreated"
    assert sindri_cli("deploy", cwd=path).exit_code == 0
    ups = _ups(devpod)
    assert len(ups) == 2 and ups[1][-1] == "--recreate"
    assert devcontainer(path)["image"] == f"ghcr.io/acme/dev@{NEW_DIGEST}"


def test_a_stopped_workspace_is_started_without_recreate(
    sindri_cli,
    project,
    devpod,
    fake_tools,
) -> None:
    path = project(_no_secrets(config(image=f"ghcr.io/acme/dev@{DIGEST}")), dockerfile=False)
    assert sindri_cli("deploy", cwd=path).exit_code == 0
    fake_tools.set_state(workspace="Stopped")
    assert sindri_cli("deploy", cwd=path).exit_code == 0
    ups = _ups(devpod)
    assert len(ups) == 2 and "--recreate" not in ups[1]


def test_a_workspace_with_secrets_gets_devpod_up_every_time_without_recreate(
    sindri_cli,
    project,
    devpod,
) -> None:
    path = project(config(image=f"ghcr.io/acme/dev@{DIGEST}"), dockerfile=False)
    assert sindri_cli("deploy", cwd=path).exit_code == 0
    assert sindri_cli("deploy", cwd=path).exit_code == 0
    ups = _ups(devpod)
    assert len(ups) == 2 and "--recreate" not in ups[1]


def test_plan_without_devpod_shows_the_desired_state(sindri_cli, project) -> None:
    path = project(_no_secrets(config(image=f"ghcr.io/acme/dev@{DIGEST}")), dockerfile=False)
    report = sindri_cli("plan", "--json", cwd=path).json()
    assert report["compared"] is False
    assert report["artifacts"]


def test_plan_artifact_is_the_deployed_devcontainer(sindri_cli, project, devpod) -> None:
    for text in (config(image=f"ghcr.io/acme/dev@{DIGEST}"), config()):
        path = project(text)
        (artifact,) = sindri_cli("plan", "--json", cwd=path).json()["artifacts"]
        deployed = sindri_cli("deploy", cwd=path)
        assert deployed.exit_code == 0, deployed.stderr
        written = path / ".sindri/devpod/.devcontainer/devcontainer.json"
        assert written.read_text() == artifact["content"]


def test_a_planted_record_without_a_workspace_still_gets_devpod_up(
    sindri_cli, project, devpod, fake_tools
) -> None:
    path = project(_no_secrets(config(image=f"ghcr.io/acme/dev@{DIGEST}")), dockerfile=False)
    assert sindri_cli("deploy", cwd=path).exit_code == 0
    record = (path / ".sindri" / "devpod" / "deployed.json").read_text()
    assert sindri_cli("destroy", "--yes", cwd=path).exit_code == 0
    output = path / ".sindri" / "devpod"
    output.mkdir(parents=True)
    (output / "deployed.json").write_text(record)  # what a repository can ship: it is deterministic
    again = sindri_cli("deploy", cwd=path)
    assert again.exit_code == 0, again.stderr
    assert "is up to date" not in again.stdout
    assert len(_ups(devpod)) == 2
