"""The container's hardening per Docker-in-Docker mode, read inside the running container on
the real engine: the capabilities the kernel gives its processes (``CapEff`` of
/proc/self/status), ``NoNewPrivs``, the groups, and a /tmp nothing can be executed from.

The Rust tool's compose template set these; a user switching must not lose them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.docker.conftest import BASE_CONFIG, BusyboxProject, docker

pytestmark = pytest.mark.docker

# CHOWN (bit 0), DAC_OVERRIDE (1), FOWNER (3), SETGID (6), SETUID (7): nothing else.
KEPT_CAPABILITIES_MASK = (1 << 0) | (1 << 1) | (1 << 3) | (1 << 6) | (1 << 7)


def _deployed(sindri_cli: Any, project: BusyboxProject) -> None:
    result = sindri_cli("deploy", cwd=project.dir)
    assert result.exit_code == 0, result.stderr


def _status_field(project: BusyboxProject, field: str) -> str:
    status = docker("exec", project.name, "cat", "/proc/self/status").stdout
    (line,) = [line for line in status.splitlines() if line.startswith(f"{field}:")]
    return line.split(":", 1)[1].strip()


def _assert_tmp_is_noexec(project: BusyboxProject) -> None:
    mounts = docker("exec", project.name, "cat", "/proc/mounts").stdout
    (tmp,) = [line.split() for line in mounts.splitlines() if line.split()[1] == "/tmp"]
    assert tmp[2] == "tmpfs"
    assert {"noexec", "nosuid", "nodev"} <= set(tmp[3].split(","))
    # And the kernel means it: a copied executable does not run from /tmp.
    docker("exec", project.name, "cp", "/bin/busybox", "/tmp/bb")
    ran = docker("exec", project.name, "/tmp/bb", "true", check=False)
    assert ran.returncode != 0
    assert "permission denied" in (ran.stderr + ran.stdout).lower()


def test_without_dind_only_five_capabilities_remain_and_tmp_is_noexec(
    busybox_project: Any, sindri_cli: Any
) -> None:
    project = busybox_project()
    _deployed(sindri_cli, project)

    assert int(_status_field(project, "CapEff"), 16) == KEPT_CAPABILITIES_MASK
    _assert_tmp_is_noexec(project)


def test_dind_auto_without_sysbox_is_not_privileged_unless_allowed(
    busybox_project: Any, sindri_cli: Any
) -> None:
    project = busybox_project(
        config=BASE_CONFIG + "providers:\n  docker:\n    dind:\n      enabled: true\n"
    )
    _deployed(sindri_cli, project)

    inspected = docker(
        "container", "inspect", "--format", "{{.HostConfig.Privileged}}", project.name
    )
    assert inspected.stdout.strip() == "false"
    assert int(_status_field(project, "CapEff"), 16) == KEPT_CAPABILITIES_MASK


@pytest.mark.skipif(
    not Path("/var/run/docker.sock").exists(), reason="socket mode mounts the engine's socket"
)
def test_socket_mode_forbids_new_privileges_and_joins_the_sockets_group(
    busybox_project: Any, sindri_cli: Any
) -> None:
    project = busybox_project(
        config=BASE_CONFIG
        + "providers:\n  docker:\n    dind:\n      enabled: true\n      mode: socket\n"
    )
    _deployed(sindri_cli, project)

    assert _status_field(project, "NoNewPrivs") == "1"
    groups = docker("exec", project.name, "id", "-G").stdout.split()
    assert str(Path("/var/run/docker.sock").stat().st_gid) in groups
    _assert_tmp_is_noexec(project)
