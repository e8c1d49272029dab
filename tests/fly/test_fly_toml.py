"""fly.toml as data: sizes Fly accepts, GPU kinds by tier, the SSH service, schema validity."""

from __future__ import annotations

from pathlib import Path

import pytest

from sindri_core.errors import ConfigError
from sindri_providers_fly import fly_toml
from sindri_providers_fly.settings import FlySettings
from tests.fly.fakefly import parse_valid_fly_toml


def _document(load_project, **kwargs) -> dict:  # type: ignore[no-untyped-def]
    project = load_project(**kwargs)
    settings = project.context().provider_config
    return parse_valid_fly_toml(fly_toml.render(fly_toml.fly_document(project.config, settings)))


def test_image_mode_document_has_no_build_and_only_container_env(load_project) -> None:
    document = _document(
        load_project,
        extra="""
        extensions:
          profile: fullstack
          additional: [rust, go]
        """,
    )
    assert "build" not in document
    assert document["app"] == "fly-demo"
    assert document["primary_region"] == "sjc"
    assert document["env"] == {
        "INSTALL_PROFILE": "fullstack",
        "ADDITIONAL_EXTENSIONS": "rust,go",
        "SKIP_AUTO_INSTALL": "false",
        "INIT_WORKSPACE": "true",
        "SSH_PORT": "2222",
    }


def test_home_volume_mount_is_the_home_above_the_workspace(load_project) -> None:
    document = _document(
        load_project,
        deployment="""
        image: ghcr.io/pacphi/sindri:3.1.4
        volumes:
          workspace:
            path: /alt/home/developer/workspace
            size: 1536MB
        """,
    )
    assert document["mounts"] == [
        {
            "source": "home_data",
            "destination": "/alt/home/developer",
            "initial_size": "2gb",
            # the Rust tool's defaults: a week of snapshots, a volume that grows by itself
            "snapshot_retention": 7,
            "auto_extend_size_threshold": 80,
            "auto_extend_size_increment": "5GB",
            "auto_extend_size_limit": "250GB",
        }
    ]


def test_volume_snapshot_and_auto_extend_settings_are_changeable(load_project) -> None:
    document = _document(
        load_project,
        fly="snapshotRetention: 30\nautoExtendSizeThreshold: 90\n"
        "autoExtendSizeIncrement: 10GB\nautoExtendSizeLimit: 500GB",
    )
    (mount,) = document["mounts"]
    assert mount["snapshot_retention"] == 30
    assert (mount["auto_extend_size_threshold"], mount["auto_extend_size_increment"]) == (
        90,
        "10GB",
    )
    assert mount["auto_extend_size_limit"] == "500GB"
    (without,) = _document(load_project, fly="autoExtend: false")["mounts"]
    assert not any(key.startswith("auto_extend") for key in without)


@pytest.mark.parametrize(
    ("setting", "allowed"),
    [
        ("snapshotRetention: 61", "maximum"),
        ("autoExtendSizeThreshold: 40", "minimum"),
        ("autoExtendSizeIncrement: 101GB", "1GB to 100GB"),
        ("autoExtendSizeLimit: 501GB", "1GB to 500GB"),
    ],
)
def test_volume_settings_flyctl_would_refuse_are_refused(
    fly_config, sindri_cli, setting: str, allowed: str
) -> None:
    path = fly_config(fly=setting)
    result = sindri_cli("config", "validate", cwd=path.parent)
    assert result.exit_code == 2
    assert setting.split(":")[0] in result.stderr and allowed in result.stderr


def test_ssh_service_and_auto_stop_settings(load_project) -> None:
    document = _document(
        load_project, fly="sshPort: 2200\nautoStopMachines: false\nautoStartMachines: false"
    )
    (service,) = document["services"]
    assert service["internal_port"] == fly_toml.SSH_INTERNAL_PORT
    assert service["ports"] == [{"port": 2200}]
    assert service["auto_stop_machines"] == "off"
    assert service["auto_start_machines"] is False
    assert service["tcp_checks"][0]["grace_period"] == "120s"
    assert _document(load_project)["services"][0]["auto_stop_machines"] == "suspend"


def test_vm_from_resources(load_project) -> None:
    document = _document(
        load_project,
        deployment="""
        image: ghcr.io/pacphi/sindri:3.1.4
        resources:
          memory: 8GB
          cpus: 4
        """,
        fly="cpuKind: performance",
    )
    assert document["vm"] == [{"cpu_kind": "performance", "cpus": 4, "memory": "8192mb"}]


def test_default_vm_is_two_shared_cpus_with_4gb(load_project) -> None:
    assert _document(load_project)["vm"] == [{"cpu_kind": "shared", "cpus": 2, "memory": "4096mb"}]


@pytest.mark.parametrize(
    ("tier", "kind", "cpus", "memory"),
    [
        ("gpu-small", "a10", 8, "32768mb"),
        ("gpu-medium", "a100-pcie-40gb", 8, "32768mb"),
        ("gpu-large", "l40s", 16, "65536mb"),
        ("gpu-xlarge", "a100-sxm4-80gb", 16, "131072mb"),
    ],
)
def test_gpu_tier_maps_to_fly_gpu_kind(load_project, tier, kind, cpus, memory) -> None:  # type: ignore[no-untyped-def]
    document = _document(
        load_project,
        deployment=f"""
        image: ghcr.io/pacphi/sindri:3.1.4
        resources:
          gpu:
            enabled: true
            tier: {tier}
            count: 2
        """,
    )
    assert document["vm"] == [
        {"cpu_kind": "performance", "cpus": cpus, "memory": memory, "gpu_kind": kind, "gpus": 2}
    ]
    # Fly cannot suspend GPU machines.
    assert document["services"][0]["auto_stop_machines"] == "stop"


def test_gpu_memory_picks_the_smallest_kind_that_fits(load_project) -> None:
    document = _document(
        load_project,
        deployment="""
        image: ghcr.io/pacphi/sindri:3.1.4
        resources:
          gpu:
            enabled: true
            memory: 44GB
        """,
    )
    assert document["vm"][0]["gpu_kind"] == "l40s"


@pytest.mark.parametrize(
    ("resources", "field", "allowed"),
    [
        ("cpus: 3", "deployment.resources.cpus", "allowed: 1, 2, 4, 8"),
        ("cpus: 16", "deployment.resources.cpus", "allowed: 1, 2, 4, 8"),
        ("memory: 8GB\n  cpus: 1", "deployment.resources.memory", "256MB to 2048MB"),
        ("memory: 1000MB", "deployment.resources.memory", "in steps of 256MB"),
        ("gpu: {enabled: true, type: amd}", "deployment.resources.gpu.type", "allowed: nvidia"),
        ("gpu: {enabled: true, count: 3}", "deployment.resources.gpu.count", "1, 2, 4, 8"),
        ("gpu: {enabled: true, memory: 96GB}", "deployment.resources.gpu.memory", "80GB"),
    ],
)
def test_sizes_fly_cannot_run_are_config_errors(load_project, resources, field, allowed) -> None:  # type: ignore[no-untyped-def]
    project = load_project(
        deployment=f"image: ghcr.io/pacphi/sindri:3.1.4\nresources:\n  {resources}"
    )
    with pytest.raises(ConfigError) as caught:
        fly_toml.vm_spec(project.config, FlySettings())
    assert caught.value.path == field
    assert allowed in str(caught.value)


def test_build_section_points_at_dockerfile_relative_to_fly_toml(tmp_path: Path) -> None:
    from sindri_core.build.context import BuildContext, BuildSource, SourceKind

    context = tmp_path / "project"
    dockerfile = context / "v3" / "Dockerfile"
    fly_file = context / ".sindri" / "fly" / "fly.toml"
    build = BuildContext(
        context_dir=context,
        dockerfile=dockerfile,
        source=BuildSource(SourceKind.LOCAL, "found ./v3/Dockerfile", dockerfile=dockerfile),
        build_args={"DISTRO": "ubuntu", "SINDRI_VERSION": "3.2.0"},
        fingerprint="f" * 64,
        tag="sindri:3.2.0-ffffffffffff",
    )
    spec = fly_toml.build_spec(build, fly_file)
    # flyctl joins [build].dockerfile with the directory of the config file.
    assert (fly_file.parent / spec.dockerfile).resolve() == dockerfile.resolve()
    assert spec.dockerfile == "../../v3/Dockerfile"
    assert spec.args == {"DISTRO": "ubuntu", "SINDRI_VERSION": "3.2.0"}
