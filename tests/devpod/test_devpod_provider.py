"""The devpod provider: devcontainer.json, backends and their options, smart builds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator

from sindri_providers_devpod.devcontainer import POST_START_COMMAND
from tests.support.local_cluster_cli import fake_local_cluster_tool
from tests.support.required import shared_file

DIGEST = "sha256:" + "ef" * 32
PUSHED = "sha256:" + "12" * 32
SECRET_VALUE = "devpod-secret-never-shown"

DOCKERFILE = (
    'FROM scratch\nARG DISTRO\nCOPY busybox /bin/busybox\nCMD ["/bin/busybox", "sleep", "1d"]\n'
)


def config(provider_block: str = "type: docker", image: str | None = None, extra: str = "") -> str:
    image_line = f"\n  image: {image}" if image else ""
    return f"""
version: "3.0"
name: dev-box
deployment:
  provider: devpod{image_line}
  resources: {{memory: 8GB, cpus: 4}}{extra}
secrets:
  - name: GH_TOKEN
providers:
  devpod:
    {provider_block}
"""


def devcontainer(project_dir: Path) -> dict:
    return json.loads((project_dir / ".sindri/devpod/.devcontainer/devcontainer.json").read_text())


def validate(document: dict) -> None:
    schema = json.loads(shared_file("schemas/devContainer.base.schema.json").read_text())
    errors = sorted(Draft201909Validator(schema).iter_errors(document), key=str)
    assert not errors, [e.message for e in errors]


def assert_secret_never_leaked(fake_tools, project_dir: Path) -> None:
    for call in fake_tools.calls():
        assert SECRET_VALUE not in " ".join(call.argv)
    for path in (project_dir / ".sindri").rglob("*"):
        if path.is_file():
            assert SECRET_VALUE not in path.read_text()


def up_call(devpod):
    (call,) = [c for c in devpod.calls() if c.args[0] == "up" and len(c.args) > 2]
    return call


def test_docker_backend_with_an_image(sindri_cli, project, devpod, fake_tools):
    path = project(config(image=f"ghcr.io/acme/dev@{DIGEST}"), dockerfile=False)
    result = sindri_cli("deploy", cwd=path)
    assert result.exit_code == 0, result.stderr
    document = devcontainer(path)
    validate(document)
    assert document["image"] == f"ghcr.io/acme/dev@{DIGEST}" and "build" not in document
    assert document["containerEnv"]["INSTALL_PROFILE"] == "minimal"
    assert document["hostRequirements"] == {"cpus": 4, "memory": "8192mb"}
    assert document["mounts"] == [
        {"source": "dev-box_home", "target": "/alt/home/developer", "type": "volume"}
    ]  # the Rust tool's volume name: a workspace it made keeps its home
    assert document["postStartCommand"] == POST_START_COMMAND
    up = up_call(devpod)
    assert up.args[:9] == [
        "up",
        str(path),
        "--provider",
        "docker",
        "--id",
        "dev-box",
        "--ide",
        "none",
        "--devcontainer-path",
    ]
    assert up.args[9] == ".sindri/devpod/.devcontainer/devcontainer.json"
    env_file = Path(up.args[up.args.index("--workspace-env-file") + 1])
    assert not env_file.exists()  # removed after up
    assert_secret_never_leaked(fake_tools, path)


def test_docker_backend_without_an_image_lets_devpod_build(sindri_cli, project, devpod, fake_tools):
    path = project(config())
    result = sindri_cli("deploy", cwd=path)
    assert result.exit_code == 0, result.stderr
    document = devcontainer(path)
    validate(document)
    assert "image" not in document
    assert document["build"]["dockerfile"] == "../../../Dockerfile"
    assert document["build"]["context"] == "../../.."
    assert document["build"]["args"] == {"DISTRO": "ubuntu", "SINDRI_VERSION": "3.2.0"}
    assert "docker" not in [c.argv[0] for c in fake_tools.calls()]


def test_force_recreates(sindri_cli, project, devpod):
    path = project(config(image="busybox:1.36"), dockerfile=False)
    assert sindri_cli("deploy", "--force", cwd=path).exit_code == 0
    assert up_call(devpod).args[-1] == "--recreate"


@pytest.mark.parametrize(
    ("tool", "context", "cluster_answer", "load"),
    [
        (
            "kind",
            "kind-dev",
            {"stdout": "dev\nother\n"},
            ["kind", "load", "docker-image", "sindri:3.2.0-{fp}", "--name", "dev"],
        ),
        (
            "k3d",
            "k3d-dev",
            {"stdout": json.dumps([{"name": "dev"}])},
            ["k3d", "image", "import", "sindri:3.2.0-{fp}", "-c", "dev"],
        ),
    ],
)
def test_local_cluster_builds_and_loads(
    sindri_cli, project, devpod, docker, fake_tools, tool, context, cluster_answer, load
):
    listing = ["get", "clusters"] if tool == "kind" else ["cluster", "list", "-o", "json"]
    fake = fake_local_cluster_tool(fake_tools, tool)
    fake.on(*listing, **cluster_answer)
    fake.on("load")
    fake.on("image", "import")
    path = project(config(f"type: kubernetes\n    kubernetes: {{context: {context}}}"))
    result = sindri_cli("deploy", cwd=path)
    assert result.exit_code == 0, result.stderr
    (build,) = [c for c in docker.calls() if c.args[0] == "build"]
    tag = build.args[build.args.index("-t") + 1]
    assert tag.startswith("sindri:3.2.0-")
    (loaded,) = [c.argv for c in fake_tools.calls() if c.args[:1] in (["load"], ["image"])]
    assert loaded == [part.format(fp=tag.split("-", 1)[1]) for part in load]
    assert devcontainer(path)["image"] == tag
    assert not [c for c in docker.calls() if c.args[0] == "push"]


def test_remote_kubernetes_builds_and_pushes_to_build_repository(
    sindri_cli, project, devpod, docker, fake_tools
):
    fake_local_cluster_tool(fake_tools, "kind").on("get", "clusters", stdout="dev\n")
    block = (
        "type: kubernetes\n    buildRepository: registry.example.com/team/dev\n"
        "    kubernetes: {context: prod-cluster, namespace: ws, storageClass: fast,"
        " nodeSelector: {pool: dev}}"
    )
    path = project(config(block))
    result = sindri_cli("deploy", cwd=path)
    assert result.exit_code == 0, result.stderr
    (push,) = [c for c in docker.calls() if c.args[0] == "push"]
    target = push.args[1]
    assert target.startswith("registry.example.com/team/dev:3.2.0-")
    assert devcontainer(path)["image"] == f"{target}@{PUSHED}"
    assert not [c for c in fake_tools.calls() if c.argv[0] == "kind"]  # remote: nothing loaded
    (add,) = [c for c in devpod.calls() if c.args[:2] == ["provider", "add"]]
    assert add.args[2] == "kubernetes"
    options = dict(add.args[i + 1].split("=", 1) for i in range(3, len(add.args), 2))
    assert options == {
        "KUBERNETES_CONTEXT": "prod-cluster",
        "KUBERNETES_NAMESPACE": "ws",
        "STORAGE_CLASS": "fast",
        "NODE_SELECTOR": "pool=dev",
        "DISK_SIZE": "10Gi",
        "RESOURCES": "limits.cpu=4,limits.memory=8192Mi",
    }


@pytest.mark.parametrize("backend", ["aws", "gcp", "azure", "digitalocean", "ssh"])
def test_missing_build_repository_is_an_error_naming_the_field(
    sindri_cli, project, devpod, docker, backend
):
    path = project(config(f"type: {backend}"))
    for command in (["plan"], ["deploy"]):
        result = sindri_cli(*command, cwd=path)
        assert result.exit_code == 2
        assert "providers.devpod.buildRepository" in result.stderr
    assert not docker.calls() and not [c for c in devpod.calls() if c.args[0] == "up"]


CLOUD_OPTIONS = {
    "aws": (
        "aws: {region: eu-west-1, instanceType: m5.large, diskSize: 80, useSpot: true,"
        " subnetId: subnet-1, securityGroupId: sg-1}",
        "aws",
        {
            "AWS_REGION": "eu-west-1",
            "AWS_INSTANCE_TYPE": "m5.large",
            "AWS_DISK_SIZE": "80",
            "AWS_USE_SPOT_INSTANCE": "true",
            "AWS_SUBNET_ID": "subnet-1",
            "AWS_SECURITY_GROUP_ID": "sg-1",
        },
    ),
    "gcp": (
        # pd-ssd: the Rust schema allows it; accepted, reported as ignored, never sent
        "gcp: {project: p1, zone: europe-west1-b, machineType: n2-standard-8, diskSize: 60,"
        " diskType: pd-ssd}",
        "gcloud",
        {
            "PROJECT": "p1",
            "ZONE": "europe-west1-b",
            "MACHINE_TYPE": "n2-standard-8",
            "DISK_SIZE": "60",
        },
    ),
    "azure": (
        "azure: {subscription: sub-1, resourceGroup: rg, location: westeurope,"
        " vmSize: Standard_D8s_v3, diskSize: 100}",
        "azure",
        {
            "AZURE_SUBSCRIPTION_ID": "sub-1",
            "AZURE_RESOURCE_GROUP": "rg",
            "AZURE_REGION": "westeurope",
            "AZURE_INSTANCE_SIZE": "Standard_D8s_v3",
            "AZURE_DISK_SIZE": "100",
        },
    ),
    "digitalocean": (
        "digitalocean: {region: ams3, size: s-8vcpu-16gb, diskSize: 50}",
        "digitalocean",
        {"REGION": "ams3", "MACHINE_TYPE": "s-8vcpu-16gb", "DISK_SIZE": "50"},
    ),
    "ssh": (
        "ssh: {host: dev.example.com, user: me, port: 2222, keyPath: /keys/id}",
        "ssh",
        {"HOST": "me@dev.example.com", "PORT": "2222", "EXTRA_FLAGS": "-i /keys/id"},
    ),
}


@pytest.mark.parametrize("backend", sorted(CLOUD_OPTIONS))
def test_every_option_of_every_backend_reaches_devpod(sindri_cli, project, devpod, backend):
    block, provider, expected = CLOUD_OPTIONS[backend]
    path = project(config(f"type: {backend}\n    {block}", image="busybox:1.36"), dockerfile=False)
    result = sindri_cli("deploy", cwd=path)
    assert result.exit_code == 0, result.stderr
    (add,) = [c for c in devpod.calls() if c.args[:2] == ["provider", "add"]]
    assert add.args[2] == provider
    assert dict(add.args[i + 1].split("=", 1) for i in range(3, len(add.args), 2)) == expected
    assert up_call(devpod).args[3] == provider


def test_existing_provider_gets_set_options(sindri_cli, project, devpod, fake_tools):
    fake_tools.set_state(added=True)
    path = project(
        config(
            "type: docker\n    docker: {dockerHost: 'unix:///run/d.sock'}", image="busybox:1.36"
        ),
        dockerfile=False,
    )
    assert sindri_cli("deploy", cwd=path).exit_code == 0
    assert [c.args for c in devpod.calls() if c.args[0] == "provider" and c.args[1] != "list"] == [
        ["provider", "set-options", "docker", "-o", "DOCKER_HOST=unix:///run/d.sock"]
    ]


def test_plan_runs_only_devpod_status_and_writes_nothing(
    sindri_cli, project, devpod, docker, fake_tools
):
    path = project(config("type: aws\n    buildRepository: ghcr.io/me/dev"))
    result = sindri_cli("plan", "--json", cwd=path)
    assert result.exit_code == 0, result.stderr
    plan = result.json()
    assert [a["action"] for a in plan["actions"]][:2] == ["build", "push"]
    (artifact,) = plan["artifacts"]
    document = json.loads(artifact["content"])
    validate(document)
    # the local Dockerfile's fingerprint names the tag that will be pushed, not a placeholder
    assert document["image"].startswith("ghcr.io/me/dev:3.2.0-")
    assert "SOURCE" not in document["image"]
    assert not (path / ".sindri").exists()
    assert [c.args for c in fake_tools.calls()] == [["status", "dev-box", "--output", "json"]]
    assert SECRET_VALUE not in result.stdout


def test_gpu_run_args(sindri_cli, project, devpod):
    path = project(
        config(
            image="busybox:1.36", extra="\n  resources: {gpu: {enabled: true, count: 2}}"
        ).replace("  resources: {memory: 8GB, cpus: 4}\n", ""),
        dockerfile=False,
    )
    assert sindri_cli("deploy", cwd=path).exit_code == 0, path
    document = devcontainer(path)
    validate(document)
    assert document["runArgs"] == ["--gpus", "all"]
    assert document["hostRequirements"]["gpu"] is True


@pytest.mark.parametrize(
    ("state", "expected"),
    [("Running", "running"), ("Stopped", "stopped"), ("Busy", "creating"), (None, "not_deployed")],
)
def test_status_mapping(sindri_cli, project, devpod, fake_tools, state, expected):
    path = project(config(image="busybox:1.36"), dockerfile=False)
    if state:
        fake_tools.set_state(workspace=state)
    result = sindri_cli("status", "--json", cwd=path)
    assert result.exit_code == 0, result.stderr
    assert result.json()["state"] == expected


def test_start_stop_destroy_and_connect(sindri_cli, project, devpod, fake_tools):
    path = project(config(image="busybox:1.36"), dockerfile=False)
    assert sindri_cli("deploy", cwd=path).exit_code == 0
    assert sindri_cli("stop", cwd=path).exit_code == 0
    assert fake_tools.state()["workspace"] == "Stopped"
    assert sindri_cli("start", cwd=path).exit_code == 0
    assert ["up", "dev-box", "--ide", "none"] in [c.args for c in devpod.calls()]
    devpod.on("ssh")
    assert sindri_cli("connect", "--", "ls", "-la", cwd=path).exit_code == 0
    assert ["ssh", "dev-box", "--command", "ls -la"] in [c.args for c in devpod.calls()]
    fake_tools.set_state(workspace="Running")
    result = sindri_cli("destroy", "--yes", cwd=path)
    assert result.exit_code == 0, result.stderr
    assert ["delete", "dev-box"] in [c.args for c in devpod.calls()]
    assert not (path / ".sindri").exists()


def test_every_field_of_every_backend_block_is_mapped_to_a_devpod_option():
    import attrs

    from sindri_providers_devpod.backends import OPTION_NAMES
    from sindri_providers_devpod.settings import DevpodSettings

    derived = {"kubernetes": {"node_selector"}, "ssh": {"host", "user", "key_path"}}
    # gcp.diskType only accepts the disk type devpod's gcloud provider always creates.
    unsent = {"gcp": {"disk_type"}}
    for backend in ("aws", "gcp", "azure", "digitalocean", "kubernetes", "ssh", "docker"):
        block = attrs.fields_dict(DevpodSettings)[backend].type
        fields = {field.name for field in attrs.fields(block)}
        expected = (
            set(OPTION_NAMES[backend]) | derived.get(backend, set()) | unsent.get(backend, set())
        )
        assert fields == expected, backend


# Every field of each backend block set, so every option sindri can send is sent.
FULL_BLOCKS = {
    **{backend: block for backend, (block, _, _) in CLOUD_OPTIONS.items()},
    "kubernetes": "kubernetes: {context: prod, namespace: ws, storageClass: fast,"
    " nodeSelector: {pool: dev}}",
    "docker": "docker: {dockerHost: 'unix:///run/d.sock'}",
}


@pytest.mark.parametrize("backend", sorted(FULL_BLOCKS))
def test_every_option_sent_is_defined_by_that_devpod_providers_yaml(
    sindri_cli, project, devpod, backend
):
    from sindri_providers_devpod.backends import PROVIDER_VERSIONS
    from tests.devpod import provider_yaml

    assert set(PROVIDER_VERSIONS) == set(provider_yaml.OPTIONS)
    repository = "\n    buildRepository: registry.example.com/dev"
    text = config(f"type: {backend}{repository}\n    {FULL_BLOCKS[backend]}", image="busybox:1.36")
    result = sindri_cli("deploy", cwd=project(text, dockerfile=False))
    assert result.exit_code == 0, result.stderr
    (add,) = [c for c in devpod.calls() if c.args[:2] == ["provider", "add"]]
    sent = {add.args[i + 1].split("=", 1)[0] for i in range(3, len(add.args), 2)}
    assert sent and sent <= provider_yaml.OPTIONS[backend], sent - provider_yaml.OPTIONS[backend]


@pytest.mark.parametrize("disk_type", ["pd-ssd", "pd-standard"])
def test_a_gcp_disk_type_devpod_cannot_create_is_accepted_and_reported_as_ignored(
    sindri_cli, project, disk_type
):
    # The Rust tool's schema allows it (and ignores it); devpod's gcloud provider has no option.
    path = project(config(f"type: gcp\n    gcp: {{diskType: {disk_type}}}"), dockerfile=False)
    result = sindri_cli("config", "validate", cwd=path)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"warning: providers.devpod.gcp.diskType {disk_type} is ignored: devpod's gcloud "
        "provider always creates pd-balanced disks"
    ]


def test_a_long_name_gets_a_workspace_id_devpod_accepts_shown_by_plan_and_status(
    sindri_cli, project, devpod, fake_tools
):
    name = "a-very-long-project-name-that-devpod-would-refuse-at-up-x"
    path = project(config(image="busybox:1.36").replace("name: dev-box", f"name: {name}"))
    plan = sindri_cli("plan", "--json", cwd=path)
    assert plan.exit_code == 0, plan.stderr
    (create,) = [a for a in plan.json()["actions"] if a["resource"].startswith("workspace:")]
    wid = create["resource"].removeprefix("workspace:")
    assert len(wid) <= 48 and wid.startswith(name[:39])
    assert sindri_cli("deploy", cwd=path).exit_code == 0
    up = up_call(devpod)
    assert up.args[up.args.index("--id") + 1] == wid
    devpod.on("status", wid, "--output", "json", json={"id": wid, "state": "Running"})
    status = sindri_cli("status", "--json", cwd=path)
    assert status.json()["details"]["workspace"] == wid


@pytest.mark.parametrize("value", ["", "-----BEGIN KEY-----\nabc\n-----END KEY-----"])
@pytest.mark.parametrize("command", ["plan", "deploy"])
def test_a_secret_devpod_cannot_carry_stops_before_anything_runs(
    sindri_cli, project, devpod, fake_tools, monkeypatch, value, command
):
    monkeypatch.setenv("GH_TOKEN", value)
    path = project(config(image="busybox:1.36"), dockerfile=False)
    result = sindri_cli(command, cwd=path)
    assert result.exit_code == 2
    assert "secret GH_TOKEN" in result.stderr and "BEGIN" not in result.stderr
    assert not fake_tools.calls()


def test_every_single_line_awkward_secret_reaches_the_workspace_intact(
    sindri_cli, project, devpod, fake_tools, monkeypatch
):
    from tests.devpod.devpod_cli import workspace_env
    from tests.support.awkward import AWKWARD_VALUES

    carried = {k: v for k, v in AWKWARD_VALUES.items() if "\n" not in v}
    for name, value in carried.items():
        monkeypatch.setenv(name, value)
    extra = "".join(f"  - name: {name}\n" for name in carried)
    text = config(image="busybox:1.36").replace(
        "  - name: GH_TOKEN\n", f"  - name: GH_TOKEN\n{extra}"
    )
    result = sindri_cli("deploy", cwd=project(text, dockerfile=False))
    assert result.exit_code == 0, result.stderr
    assert workspace_env(fake_tools.bin_dir) == {"GH_TOKEN": SECRET_VALUE, **carried}


@pytest.mark.parametrize("content", ["{not json", '["a list"]', '{"name": "no image"}'])
def test_a_corrupt_devcontainer_json_is_one_clear_error(
    sindri_cli, project, devpod, fake_tools, content
):
    path = project(config(image="busybox:1.36"), dockerfile=False)
    assert sindri_cli("deploy", cwd=path).exit_code == 0
    target = path / ".sindri" / "devpod" / ".devcontainer" / "devcontainer.json"
    target.write_text(content)
    result = sindri_cli("status", cwd=path)
    assert result.exit_code == 1, result.stderr
    assert f"{target} is not the devcontainer.json sindri writes" in result.stderr
    assert "fault in the plugin" not in result.stderr
