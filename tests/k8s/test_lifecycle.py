"""status, start, stop, destroy and connect: command sequences and state mapping."""

from __future__ import annotations

import pytest

from sindri_core.artifacts import write_artifact
from sindri_core.lifecycle import Artifact, DeploymentState
from sindri_providers_k8s.status import pod_problem, pod_state
from tests.k8s.conftest import IMAGE, IMAGE_ID, NAME, SELECTOR, FakeCluster, pod_json

CURRENT = ["kubectl", "config", "current-context"]
GET_DEPLOYMENT = ["kubectl", "get", "deployment", NAME, "-n", "default", "-o", "json"]
GET_PODS = ["kubectl", "get", "pods", "-n", "default", "-l", SELECTOR, "-o", "json"]


# -- status --------------------------------------------------------------------------------


def test_status_of_a_running_pod(cluster: FakeCluster, project, sindri_cli):
    cluster.setup(deployed=True)

    result = sindri_cli("status", "--json", cwd=project())

    assert result.exit_code == 0, result.stderr
    assert cluster.tools.argvs() == [CURRENT, GET_DEPLOYMENT, GET_PODS]
    status = result.json()
    assert status["state"] == "running"
    assert status["image"] == IMAGE
    assert status["configured_image"] == IMAGE
    assert status["details"]["node"] == "kind-dev-control-plane"
    assert status["details"]["pod"] == f"{NAME}-7d9f8b6c5d-x2x9k"
    assert status["details"]["image_id"] == IMAGE_ID
    assert status["details"]["namespace"] == "default"


def test_status_when_nothing_is_deployed(cluster: FakeCluster, project, sindri_cli):
    cluster.setup(deployed=False)

    result = sindri_cli("status", "--json", cwd=project())

    assert result.exit_code == 0, result.stderr
    assert cluster.tools.argvs() == [CURRENT, GET_DEPLOYMENT]
    assert result.json()["state"] == "not_deployed"
    assert result.json()["image"] is None


def test_status_of_a_stopped_deployment(cluster: FakeCluster, project, sindri_cli):
    cluster.setup(deployed=True, replicas=0, pods=[])

    result = sindri_cli("status", "--json", cwd=project())

    assert result.json()["state"] == "stopped"
    assert result.json()["details"]["replicas"] == 0


def test_status_reports_why_a_pod_is_stuck(cluster: FakeCluster, project, sindri_cli):
    stuck = pod_json("Pending", ready=False, waiting=("ImagePullBackOff", "Back-off pulling"))
    cluster.setup(deployed=True, pods=[stuck])

    result = sindri_cli("status", cwd=project())

    assert result.exit_code == 0, result.stderr
    assert "State: error" in result.stdout
    assert "ImagePullBackOff: Back-off pulling" in result.stdout


def test_status_prefers_the_new_pod_during_a_recreate(cluster: FakeCluster, project, sindri_cli):
    old = pod_json(name=f"{NAME}-old", created="2026-11-22T09:00:00Z", deleting=True)
    new = pod_json("Pending", ready=False, name=f"{NAME}-new", created="2026-11-22T10:00:00Z")
    cluster.setup(deployed=True, pods=[old, new])

    status = sindri_cli("status", "--json", cwd=project()).json()

    assert status["state"] == "creating"
    assert status["details"]["pod"] == f"{NAME}-new"


@pytest.mark.parametrize(
    ("pod", "state"),
    [
        (pod_json("Running", ready=True), DeploymentState.RUNNING),
        (pod_json("Running", ready=False), DeploymentState.CREATING),
        (pod_json("Pending", ready=False), DeploymentState.CREATING),
        (pod_json("Pending", False, ("ErrImagePull", "not found")), DeploymentState.ERROR),
        (pod_json("Running", False, ("CrashLoopBackOff", "back-off")), DeploymentState.ERROR),
        (
            pod_json("Pending", False, ("CreateContainerConfigError", "no secret")),
            DeploymentState.ERROR,
        ),
        (pod_json("Failed", ready=False), DeploymentState.ERROR),
        (pod_json("Succeeded", ready=False), DeploymentState.STOPPED),
        (pod_json("Unknown", ready=False), DeploymentState.UNKNOWN),
    ],
)
def test_pod_phase_and_conditions_map_to_states(pod, state):
    assert pod_state(pod) is state


def test_pod_problem_names_an_unschedulable_pod():
    pod = pod_json("Pending", ready=False)
    pod["status"]["conditions"] = [
        {
            "type": "PodScheduled",
            "status": "False",
            "reason": "Unschedulable",
            "message": "0/1 nodes are available: 1 Insufficient nvidia.com/gpu.",
        }
    ]
    pod["status"]["containerStatuses"] = []
    assert pod_problem([pod]) == (
        f"pod {NAME}-7d9f8b6c5d-x2x9k: Unschedulable "
        "(0/1 nodes are available: 1 Insufficient nvidia.com/gpu.)"
    )


# -- start / stop ----------------------------------------------------------------------------


def test_stop_then_start_scale_the_deployment(cluster: FakeCluster, project, sindri_cli):
    cluster.setup(deployed=True)
    directory = project()

    stopped = sindri_cli("stop", cwd=directory)
    started = sindri_cli("start", cwd=directory)

    assert stopped.exit_code == 0 and started.exit_code == 0, stopped.stderr + started.stderr
    scale = ["kubectl", "scale", f"deployment/{NAME}"]
    assert cluster.tools.argvs() == [
        CURRENT,
        [*scale, "--replicas=0", "-n", "default"],
        CURRENT,
        [*scale, "--replicas=1", "-n", "default"],
    ]
    assert "stopped (the home volume is kept)" in stopped.stdout
    assert f"{NAME} started" in started.stdout


def test_start_of_nothing_deployed_fails(cluster: FakeCluster, project, sindri_cli):
    cluster.setup(deployed=False)

    result = sindri_cli("start", cwd=project())

    assert result.exit_code == 1
    assert f"{NAME} is not deployed in namespace default" in result.stderr


# -- destroy ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "kinds"),
    [
        ((), "deployment,service,secret,ingress"),
        (("--volumes",), "deployment,service,secret,ingress,persistentvolumeclaim"),
    ],
)
def test_destroy_deletes_by_label(cluster: FakeCluster, project, sindri_cli, flags, kinds):
    cluster.setup(deployed=True)
    directory = project()
    # As deploy leaves it: destroy removes only the files a deploy recorded as its own.
    write_artifact(Artifact(directory / ".sindri" / "kubernetes" / "manifests.yaml", "---\n"))

    result = sindri_cli("destroy", "--yes", *flags, cwd=directory)

    assert result.exit_code == 0, result.stderr
    assert cluster.tools.argvs() == [
        CURRENT,
        ["kubectl", "delete", kinds, "-n", "default", "-l", SELECTOR, "--ignore-not-found"],
    ]
    assert not (directory / ".sindri").exists()
    assert ("kept the home volume" in result.stdout) == (not flags)
    assert ": 3 object(s)" in result.stdout


def test_destroy_of_nothing(cluster: FakeCluster, project, sindri_cli):
    cluster.setup(deployed=False)

    result = sindri_cli("destroy", "--yes", cwd=project())

    assert result.exit_code == 0
    assert "nothing to destroy" in result.stdout  # kubectl's "No resources found" is no object
    assert "Destroyed" not in result.stdout


def test_destroy_never_deletes_the_namespace(cluster: FakeCluster, project, sindri_cli):
    cluster.setup(deployed=True, namespace="team-a")

    sindri_cli("destroy", "--yes", "--volumes", cwd=project(provider="    namespace: team-a\n"))

    (delete,) = [argv for argv in cluster.tools.argvs() if argv[1] == "delete"]
    assert "namespace" not in delete[2]


# -- connect ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"), [((), ["bash", "-l"]), (("ls", "-la", "/tmp"), ["ls", "-la", "/tmp"])]
)
def test_connect_execs_into_the_deployment(
    cluster: FakeCluster, project, sindri_cli, command, expected
):
    cluster.setup(deployed=True)

    result = sindri_cli("connect", *command, cwd=project())

    assert result.exit_code == 0, result.stderr
    assert cluster.tools.argvs() == [
        CURRENT,
        GET_DEPLOYMENT,
        ["kubectl", "exec", "-it", f"deploy/{NAME}", "-n", "default", "--", *expected],
    ]


def test_connect_with_context_keeps_the_flag_before_the_command(
    cluster: FakeCluster, project, sindri_cli
):
    cluster.setup(deployed=True, context="prod")

    sindri_cli("connect", "env", cwd=project(provider="    context: prod\n"))

    exec_argv = cluster.tools.argvs()[-1]
    assert exec_argv == [
        "kubectl", "exec", "-it", f"deploy/{NAME}", "-n", "default", "--context", "prod",
        "--", "env",
    ]  # fmt: skip


def test_connect_to_a_stopped_deployment_says_start_it(cluster: FakeCluster, project, sindri_cli):
    cluster.setup(deployed=True, replicas=0, pods=[])

    result = sindri_cli("connect", cwd=project())

    assert result.exit_code == 1
    assert "sindri start" in result.stderr
    assert not any(argv[1] == "exec" for argv in cluster.tools.argvs())


def test_prerequisites_need_kubectl(project, sindri_cli, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    result = sindri_cli("status", cwd=project())

    assert result.exit_code == 1
    assert "kubectl" in result.stderr and "https://kubernetes.io/docs/tasks/tools/" in result.stderr


def test_prerequisites_need_a_context(cluster: FakeCluster, project, sindri_cli):
    cluster.kubectl.on(
        "config", "current-context", stderr="error: current-context is not set\n", exit=1
    )

    result = sindri_cli("stop", cwd=project())

    assert result.exit_code == 1
    assert "current-context is not set" in result.stderr
    assert cluster.tools.argvs() == [CURRENT]
