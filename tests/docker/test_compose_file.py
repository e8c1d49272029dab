"""The generated compose document: every setting used, every variant valid per the compose
specification, no secret value in it. No engine needed (``plan`` writes and runs nothing)."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from ruamel.yaml import YAML

from sindri_core.errors import ConfigError, OperationError
from sindri_core.project import PlanReport, Project
from sindri_providers_docker.compose_file import (
    ComposeInputs,
    compose_document,
    parse_port,
    render_compose,
    secrets_env,
)
from sindri_providers_docker.dind import DindMode, resolve_dind
from sindri_providers_docker.names import DeploymentNames

IMAGE_CONFIG = """
version: "3.0"
name: box
deployment:
  provider: docker
  image: registry.example.com/team/box:1.2.3
{extra}
"""


def _plan(write_config: Any, extra: str = "") -> PlanReport:
    path = write_config(IMAGE_CONFIG.format(extra=extra))
    return Project.load(path).plan()


def _document(report: PlanReport) -> dict[str, Any]:
    compose = next(a for a in report.plan.artifacts if a.path.name == "compose.yaml")
    return YAML(typ="safe").load(compose.content)


def _service(document: dict[str, Any]) -> dict[str, Any]:
    return document["services"]["box"]


def test_default_document_names_everything_after_the_deployment(
    write_config: Any, assert_valid_compose: Any
) -> None:
    report = _plan(write_config)
    document = _document(report)
    assert_valid_compose(document)
    owner = {
        "dev.sindri.name": "box",
        "dev.sindri.provider": "docker",
        "dev.sindri.project-dir": str(report.plan.artifacts[0].path.parents[2].resolve()),
    }
    assert document["name"] == "sindri-box"
    service = _service(document)
    assert service["image"] == "registry.example.com/team/box:1.2.3"
    assert service["container_name"] == "box"
    assert service["hostname"] == "box"
    labels = dict(service["labels"])
    config_hash = labels.pop("dev.sindri.config-hash")
    assert labels == owner
    assert re.fullmatch(r"[0-9a-f]{64}", config_hash)
    assert service["pull_policy"] == "missing"  # a legacy image: pulled when absent
    assert service["restart"] == "unless-stopped"
    assert service["network_mode"] == "bridge"
    assert service["mem_limit"] == "4096m"
    assert service["cpus"] == 2
    assert service["environment"] == {
        "SKIP_AUTO_INSTALL": "false",
        "INIT_WORKSPACE": "true",
        "INSTALL_PROFILE": "minimal",
    }
    assert service["volumes"] == [
        {"type": "volume", "source": "home", "target": "/alt/home/developer"}
    ]
    assert document["volumes"] == {
        "home": {
            "name": "sindri-box-home",
            "labels": owner,
        }
    }
    for absent in ("env_file", "privileged", "runtime", "ports", "extra_hosts", "deploy"):
        assert absent not in service


def test_plan_writes_nothing(write_config: Any) -> None:
    report = _plan(write_config)
    compose = report.plan.artifacts[0]
    assert compose.path.name == "compose.yaml"
    assert not compose.path.parent.exists()
    assert [a.action for a in report.plan.actions] == ["pull", "create", "create", "run"]


def test_resources_workspace_extensions_and_settings_are_all_used(
    write_config: Any, assert_valid_compose: Any
) -> None:
    report = _plan(
        write_config,
        """
  resources: {memory: 512MB, cpus: 1}
  volumes: {workspace: {path: /home/dev/work}}
extensions:
  active: [python, node]
  auto_install: false
providers:
  docker:
    network: none
    restart: "no"
    privileged: true
    runtime: runc
    extraHosts: ["db.internal:10.1.2.3"]
""",
    )
    document = _document(report)
    assert_valid_compose(document)
    service = _service(document)
    assert service["mem_limit"] == "512m"
    assert service["cpus"] == 1
    assert service["volumes"][0]["target"] == "/home/dev"  # the home above the workspace
    assert service["environment"] == {
        "SKIP_AUTO_INSTALL": "true",
        "INIT_WORKSPACE": "true",
        "CUSTOM_EXTENSIONS": "python,node",
    }
    assert service["network_mode"] == "none"
    assert service["restart"] == "no"
    assert service["privileged"] is True
    assert service["runtime"] == "runc"
    assert service["extra_hosts"] == ["db.internal:10.1.2.3"]


def test_yaml_1_1_words_are_quoted(write_config: Any) -> None:
    report = _plan(write_config, 'providers:\n  docker:\n    restart: "no"\n')
    assert "restart: 'no'" in report.plan.artifacts[0].content


def test_ports_use_the_long_syntax(write_config: Any, assert_valid_compose: Any) -> None:
    report = _plan(
        write_config, 'providers:\n  docker:\n    ports: ["127.0.0.1:2222:22", "8080:80/udp"]\n'
    )
    document = _document(report)
    assert_valid_compose(document)
    assert _service(document)["ports"] == [
        {"target": 22, "published": "2222", "host_ip": "127.0.0.1", "protocol": "tcp"},
        {"target": 80, "published": "8080", "protocol": "udp"},
    ]


@pytest.mark.parametrize("network", ["host", "none"])
def test_ports_need_the_bridge_network(write_config: Any, network: str) -> None:
    expected = (
        rf"providers\.docker\.ports: published ports need the bridge network, not '{network}'"
    )
    with pytest.raises(ConfigError, match=expected):
        _plan(
            write_config, f'providers:\n  docker:\n    network: {network}\n    ports: ["80:80"]\n'
        )


def test_host_network_has_no_hostname(write_config: Any, assert_valid_compose: Any) -> None:
    document = _document(_plan(write_config, "providers:\n  docker:\n    network: host\n"))
    assert_valid_compose(document)
    assert _service(document)["network_mode"] == "host"
    assert "hostname" not in _service(document)


def test_a_port_out_of_range_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="'70000:22' is not a port mapping"):
        parse_port("70000:22")


@pytest.mark.parametrize(
    ("policy", "expected"), [("Always", "always"), ("IfNotPresent", "missing"), ("Never", "never")]
)
def test_pull_policy_maps_to_compose(
    write_config: Any, assert_valid_compose: Any, policy: str, expected: str
) -> None:
    extra = (
        "  image_config:\n    registry: registry.example.com/team/box\n"
        f"    resolution_strategy: explicit\n    version: '2.0.0'\n    pull_policy: {policy}\n"
    )
    document = _document(_plan(write_config, extra))
    assert_valid_compose(document)
    assert _service(document)["pull_policy"] == expected
    assert _service(document)["image"] == "registry.example.com/team/box:2.0.0"


def test_a_build_is_never_pulled(write_config: Any, assert_valid_compose: Any) -> None:
    path = write_config('version: "3.0"\nname: box\ndeployment:\n  provider: docker\n')
    (path.parent / "Dockerfile").write_text("FROM scratch\n")
    report = Project.load(path).plan()
    document = _document(report)
    assert_valid_compose(document)
    assert _service(document)["pull_policy"] == "never"
    # The plan carries the real tag (the local Dockerfile's fingerprint), not the placeholder.
    assert report.image.reference.endswith("-SOURCE")
    assert re.fullmatch(r"sindri:.+-[0-9a-f]{12}", _service(document)["image"])
    assert report.plan.actions[0].action == "build"


def test_nvidia_gpu_is_a_device_reservation(write_config: Any, assert_valid_compose: Any) -> None:
    extra = "  resources:\n    gpu: {enabled: true, count: 2}\n"
    document = _document(_plan(write_config, extra))
    assert_valid_compose(document)
    service = _service(document)
    assert service["deploy"] == {
        "resources": {
            "reservations": {"devices": [{"driver": "nvidia", "count": 2, "capabilities": ["gpu"]}]}
        }
    }
    assert "runtime" not in service


def test_amd_gpu_maps_the_rocm_devices(write_config: Any, assert_valid_compose: Any) -> None:
    extra = "  resources:\n    gpu: {enabled: true, type: amd}\n"
    document = _document(_plan(write_config, extra))
    assert_valid_compose(document)
    assert _service(document)["devices"] == ["/dev/kfd:/dev/kfd", "/dev/dri:/dev/dri"]
    assert _service(document)["group_add"] == ["video"]


# -- Docker-in-Docker --------------------------------------------------------------------------


def _inputs(project: Project, mode: DindMode) -> ComposeInputs:
    ctx = project.context()
    return ComposeInputs(
        names=DeploymentNames.of(ctx),
        image="box:1",
        pull_policy="missing",
        config=ctx.config,
        settings=ctx.provider_config,
        dind=mode,
    )


def _dind_project(write_config: Any, mode: str, extra: str = "") -> Project:
    text = IMAGE_CONFIG.format(extra="") + (
        f"providers:\n  docker:\n{extra}    dind:\n      enabled: true\n      mode: {mode}\n"
        "      storageDriver: fuse-overlayfs\n      storageSize: 30GB\n"
    )
    return Project.load(write_config(text))


def test_dind_privileged_gets_its_own_volume_and_settings(
    write_config: Any, assert_valid_compose: Any
) -> None:
    project = _dind_project(write_config, "privileged")
    document = compose_document(_inputs(project, DindMode.PRIVILEGED))
    assert_valid_compose(document)
    service = _service(document)
    assert service["privileged"] is True
    assert {"type": "volume", "source": "docker", "target": "/var/lib/docker"} in service["volumes"]
    assert document["volumes"]["docker"]["name"] == "sindri-box-docker"
    assert service["environment"]["SINDRI_DIND_MODE"] == "privileged"
    assert service["environment"]["SINDRI_DIND_STORAGE_DRIVER"] == "fuse-overlayfs"
    assert service["environment"]["SINDRI_DIND_STORAGE_SIZE"] == "30GB"


def test_dind_sysbox_uses_the_runtime_without_privileges(
    write_config: Any, assert_valid_compose: Any
) -> None:
    document = compose_document(_inputs(_dind_project(write_config, "sysbox"), DindMode.SYSBOX))
    assert_valid_compose(document)
    assert _service(document)["runtime"] == "sysbox-runc"
    assert "privileged" not in _service(document)
    assert "docker" not in document["volumes"]


def test_dind_socket_mounts_the_engine_socket(write_config: Any, assert_valid_compose: Any) -> None:
    document = compose_document(_inputs(_dind_project(write_config, "socket"), DindMode.SOCKET))
    assert_valid_compose(document)
    socket = "/var/run/docker.sock"
    assert {"type": "bind", "source": socket, "target": socket} in _service(document)["volumes"]
    assert "privileged" not in _service(document)


PRIVILEGED_ALLOWED = "    privileged: true\n"


@pytest.mark.parametrize(
    ("mode", "runtimes", "extra", "expected"),
    [
        ("auto", {"runc", "sysbox-runc"}, "", DindMode.SYSBOX),
        # As the Rust tool: without sysbox, auto is privileged only when privileged allows it.
        ("auto", {"runc"}, "", DindMode.NONE),
        ("auto", {"runc"}, PRIVILEGED_ALLOWED, DindMode.PRIVILEGED),
        ("auto", set(), "    runtime: runc\n", DindMode.NONE),
        ("sysbox", {"runc", "sysbox-runc"}, "", DindMode.SYSBOX),
        ("privileged", set(), "", DindMode.PRIVILEGED),
        ("socket", set(), "", DindMode.SOCKET),
    ],
)
def test_dind_mode_resolution(
    write_config: Any, mode: str, runtimes: set[str], extra: str, expected: DindMode
) -> None:
    settings = _dind_project(write_config, mode, extra).context().provider_config
    assert resolve_dind(settings, lambda: frozenset(runtimes)) is expected


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("", "Docker-in-Docker is off (auto: no sysbox-runc runtime, and a privileged container "
         "needs providers.docker.privileged: true)"),
        (PRIVILEGED_ALLOWED, "Docker-in-Docker mode: privileged (auto: no sysbox-runc runtime, "
         "and providers.docker.privileged: true allows a privileged container)"),
    ],
)  # fmt: skip
def test_plan_says_which_dind_mode_auto_chose_and_why(
    write_config: Any, sindri_cli: Any, fake_tools: Any, extra: str, expected: str
) -> None:
    fake_tools.tool("docker").on(exit=1, stderr="Cannot connect to the Docker daemon")
    path = write_config(
        IMAGE_CONFIG.format(extra="")
        + f"providers:\n  docker:\n{extra}    dind:\n      enabled: true\n      mode: auto\n"
    )
    result = sindri_cli("plan", "--json", cwd=path.parent)
    assert result.exit_code == 0, result.stderr
    assert any(note.startswith(expected) for note in result.json()["notes"])


def test_dind_sysbox_without_the_runtime_is_an_error_not_a_silent_downgrade(
    write_config: Any,
) -> None:
    settings = _dind_project(write_config, "sysbox").context().provider_config
    with pytest.raises(OperationError, match="no sysbox-runc runtime"):
        resolve_dind(settings, lambda: frozenset({"runc"}))


def test_dind_sysbox_contradicting_runtime_runc_is_a_config_error(write_config: Any) -> None:
    settings = _dind_project(write_config, "sysbox", "    runtime: runc\n")
    with pytest.raises(ConfigError, match=r"providers\.docker\.runtime"):
        resolve_dind(settings.context().provider_config, lambda: frozenset())


def test_dind_disabled_asks_the_engine_nothing(write_config: Any) -> None:
    settings = Project.load(write_config(IMAGE_CONFIG.format(extra=""))).context().provider_config

    def no_engine() -> frozenset[str]:
        raise AssertionError("the engine was asked")

    assert resolve_dind(settings, no_engine) is DindMode.NONE


# -- secrets -----------------------------------------------------------------------------------

SECRETS = """
secrets:
  - name: API_TOKEN
  - name: UNSET_TOKEN
  - name: SSH_KEY
    source: file
    path: id_test.pub
    mountPath: /home/dev/.ssh/id_test.pub
  - name: CA_CERT
    source: file
    path: ca.pem
    mountPath: /etc/ssl/ca.pem
"""


def test_secrets_reach_compose_only_by_reference(
    write_config: Any, assert_valid_compose: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    value = "tok-'quoted' $HOME #not-a-comment"
    monkeypatch.setenv("API_TOKEN", value)
    path = write_config(IMAGE_CONFIG.format(extra="") + SECRETS)
    (path.parent / "id_test.pub").write_text("ssh-ed25519 AAAA test\n")
    (path.parent / "ca.pem").write_text("cert\n")
    report = Project.load(path).plan()
    document = _document(report)
    assert_valid_compose(document)
    service = _service(document)
    assert service["env_file"] == [{"path": "secrets.env", "format": "raw"}]
    binds = [v for v in service["volumes"] if v["type"] == "bind"]
    assert binds == [
        {
            "type": "bind",
            "source": str((path.parent / host).resolve()),
            "target": target,
            "read_only": True,
        }
        for host, target in (
            ("id_test.pub", "/home/dev/.ssh/id_test.pub"),
            ("ca.pem", "/etc/ssl/ca.pem"),
        )
    ]
    secrets_file = next(a for a in report.plan.artifacts if a.path.name == "secrets.env")
    assert secrets_file.mode == 0o600
    assert "API_TOKEN=<redacted>" in secrets_file.content
    assert "UNSET_TOKEN" not in secrets_file.content  # no value anywhere: not passed at all
    for artifact in report.plan.artifacts:
        assert value not in artifact.content
    assert value not in str(report.to_json())


def test_no_env_secret_values_means_no_env_file(write_config: Any) -> None:
    report = _plan(write_config, "secrets:\n  - name: UNSET_TOKEN\n")
    assert "env_file" not in _service(_document(report))
    assert [a.path.name for a in report.plan.artifacts] == ["compose.yaml"]


def test_secrets_env_is_literal_and_refuses_line_breaks() -> None:
    assert secrets_env({"A": "x=y 'z' $V"}).endswith("A=x=y 'z' $V\n")
    with pytest.raises(ConfigError, match=r"secrets\.KEY: the value has a line break") as info:
        secrets_env({"KEY": "line1\nsecret-line2"})
    assert "secret-line2" not in str(info.value)


def test_plan_on_the_cli_never_shows_a_secret_value(
    write_config: Any, sindri_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    value = "s3cr3t-" + os.urandom(6).hex()
    monkeypatch.setenv("API_TOKEN", value)
    path = write_config(IMAGE_CONFIG.format(extra="") + "secrets:\n  - name: API_TOKEN\n")
    for args in (("plan",), ("plan", "--json"), ("deploy", "--dry-run", "--json")):
        result = sindri_cli(*args, cwd=path.parent)
        assert result.exit_code == 0, result.stderr
        assert value not in result.stdout + result.stderr
        assert "secrets.env" in result.stdout
    assert not (path.parent / ".sindri").exists()


def test_render_is_a_header_and_yaml() -> None:
    text = render_compose({"name": "x", "services": {"x": {"image": "a:1"}}})
    assert text.startswith("# Generated by sindri")
    assert YAML(typ="safe").load(text) == {"name": "x", "services": {"x": {"image": "a:1"}}}


def test_a_file_whose_mode_is_not_its_permissions_is_mounted_from_a_private_copy(
    write_config: Any, assert_valid_compose: Any
) -> None:
    path = write_config(IMAGE_CONFIG.format(extra="") + SECRETS + "    permissions: '0600'\n")
    for name, mode in (("id_test.pub", 0o644), ("ca.pem", 0o644)):
        (path.parent / name).write_text("x\n")
        (path.parent / name).chmod(mode)
    report = Project.load(path).plan()
    document = _document(report)
    assert_valid_compose(document)
    sources = {
        v["target"]: v["source"] for v in _service(document)["volumes"] if v["type"] == "bind"
    }
    copies = path.parent / ".sindri" / "docker" / "secret-files"
    # SSH_KEY keeps the default 0644, which its host file has: mounted as it is.
    assert sources["/home/dev/.ssh/id_test.pub"] == str((path.parent / "id_test.pub").resolve())
    assert sources["/etc/ssl/ca.pem"] == str(copies / "CA_CERT")
    assert not copies.exists()  # plan writes nothing
