"""A fake ``flyctl`` that answers like the real one, and fly.toml validation.

Its argv, errors and ``secrets import`` parsing follow flyctl ad0172f (see
:mod:`tests.fly.flyctl_cli`). The JSON shapes are fly-go v0.9.6's (the version in flyctl's
go.mod): ``apps list`` and ``ips list`` print GraphQL structs without json tags, so keys are Go
field names (``types.go`` ``App.Name``, ``IPAddress.Address``/``Type``); ``volumes list`` and
``machines list`` print Machines API structs with lower-case json tags (``volume_types.go``
``Volume``: ``id``, ``name``, ``state``, ``size_gb``, ``region``; ``machine_types.go``
``Machine``: ``id``, ``state``, ``region``, ``private_ip``, ``config.image``,
``image_ref.digest``). State shared between calls makes things exist after they are created
(an app after ``apps create``, machines after ``deploy``).
"""

from __future__ import annotations

import json
import tomllib
from typing import Any

import jsonschema

from sindri_core.testing import FakeTool, FakeTools
from sindri_providers_fly.fly_toml import GPU_TIERS
from tests.support.required import shared_file

APP = "fly-demo"
REGION = "sjc"
DIGEST = "sha256:" + "ab" * 32
MACHINE_ID = "d8d9e1f2a3b4c5"


def _other_app() -> dict[str, Any]:
    return {
        "ID": "someone-else",
        "Name": "someone-else",
        "Status": "deployed",
        "Deployed": True,
        "Hostname": "someone-else.fly.dev",
        "Organization": {"Slug": "personal", "Name": "Dev"},
        "PlatformVersion": "machines",
    }


def app_json(app: str = APP) -> dict[str, Any]:
    return {**_other_app(), "ID": app, "Name": app, "Hostname": f"{app}.fly.dev"}


def volume_json(name: str = "home_data", region: str = REGION, size_gb: int = 10) -> dict[str, Any]:
    return {
        "id": "vol_4yjp8q3z5m1r6g0v",
        "name": name,
        "state": "created",
        "size_gb": size_gb,
        "region": region,
        "zone": "7b30",
        "encrypted": True,
        "attached_machine_id": None,
        "attached_alloc_id": None,
        "created_at": "2025-01-10T10:00:00Z",
        "host_dedication_id": "",
        "snapshot_retention": 5,
        "auto_backup_enabled": True,
    }


def ip_json(type_: str, address: str) -> dict[str, Any]:
    return {
        "ID": f"ip_{type_}",
        "Address": address,
        "Type": type_,
        "Region": "global",
        "CreatedAt": "2025-01-10T10:00:00Z",
    }


def machine_json(
    state: str = "started",
    image: str = f"ghcr.io/pacphi/sindri@{DIGEST}",
    machine_id: str = MACHINE_ID,
) -> dict[str, Any]:
    return {
        "id": machine_id,
        "name": "sparkling-river-4821",
        "state": state,
        "region": REGION,
        "instance_id": "01JH3XKQ8V7Q2Z5N0M4R6T9W1Y",
        "private_ip": "fdaa:0:1a7b:a7b:1::2",
        "config": {
            "image": image,
            "guest": {"cpu_kind": "shared", "cpus": 2, "memory_mb": 4096},
            "env": {"SSH_PORT": "2222", "PRIMARY_REGION": REGION},
            "services": [{"protocol": "tcp", "internal_port": 2222}],
        },
        "image_ref": {
            "registry": "ghcr.io",
            "repository": "pacphi/sindri",
            "tag": "",
            "digest": DIGEST,
            "labels": {},
        },
        "created_at": "2025-01-10T10:00:00Z",
        "updated_at": "2025-01-10T10:01:00Z",
        "events": [],
        "checks": [{"name": "servicecheck-00-tcp-2222", "status": "passing"}],
        "host_status": "ok",
    }


def install_flyctl(
    fake_tools: FakeTools,
    *,
    app_exists: bool = False,
    authenticated: bool = True,
    machines: list[dict[str, Any]] | None = None,
    name: str = "flyctl",
) -> FakeTool:
    """A fake flyctl for ``APP``. With ``app_exists`` the app, its volume and its IPv6
    address exist from the start; ``machines`` replaces what ``machines list`` answers once
    deployed (default: one started machine)."""
    if app_exists:
        fake_tools.set_state(app=True, volume=True, ipv6=True, deployed=True)
    fly = fake_tools.tool(name).follow("tests.fly.flyctl_cli:check")
    fly.on("auth", "whoami", stdout="dev@example.com\n", exit=0 if authenticated else 1)
    fly.on("apps", "list", when={"app": True}, json=[_other_app(), app_json()])
    fly.on("apps", "list", json=[_other_app()])
    fly.on("apps", "create", APP, set={"app": True}, stdout=f"New app created: {APP}\n")
    fly.on("apps", "destroy", APP, set={"app": False, "deployed": False})
    fly.on("volumes", "list", when={"volume": True}, json=[volume_json()])
    # A volume of the same name in another region does not count.
    fly.on("volumes", "list", json=[volume_json(region="ams")])
    fly.on("volumes", "create", "home_data", set={"volume": True})
    fly.on("secrets", "import", stdout="Secrets are staged for the first deployment\n")
    fly.on("secrets", "unset", stdout="Secrets are staged for the next deployment\n")
    # `secrets list` has no default answer: each test that needs it says what the app has.
    fly.on("ips", "list", when={"ipv6": True}, json=[ip_json("v6", "2a09:8280:1::4e:7d1a")])
    # A shared IPv4 cannot carry raw TCP (SSH), so it does not count either.
    fly.on("ips", "list", json=[ip_json("shared_v4", "66.241.124.10")])
    fly.on("ips", "allocate-v6", set={"ipv6": True})
    # ips/allocate.go: a dedicated IPv4 without --yes (or --shared) asks first, which fails
    # without a terminal.
    fly.on("ips", "allocate-v4", contains=("--yes",), set={"ipv4": True})
    fly.on(
        "ips",
        "allocate-v4",
        exit=1,
        stderr="Error: yes flag must be specified when not running interactively\n",
    )
    fly.on("deploy", set={"deployed": True})
    listed = machines if machines is not None else [machine_json()]
    fly.on("machines", "list", when={"deployed": True}, json=listed)
    fly.on("machines", "list", json=[])
    fly.on("machine", "start")
    fly.on("machine", "stop")
    fly.on("machine", "destroy", set={"deployed": False})
    fly.on("ssh", "console")
    return fly


def calls_of(fake_tools: FakeTools, *args: str) -> list[Any]:
    """Recorded calls whose arguments start with ``args``."""
    return [c for c in fake_tools.calls() if c.args[: len(args)] == list(args)]


def fly_schema() -> dict[str, Any]:
    """The SchemaStore fly.toml schema, with one correction: its ``gpu_kind`` enum lists the
    ``vm.size`` preset names (a100-40gb); the Machines API and flyctl use the GPU kinds
    (a100-pcie-40gb, a100-sxm4-80gb; flyctl internal/appconfig MachinePresets)."""
    schema = json.loads(shared_file("schemas/fly.schema.json").read_text())
    gpu_kind = schema["properties"]["vm"]["items"]["properties"]["gpu_kind"]
    gpu_kind["enum"] = sorted({*gpu_kind["enum"], *(t.gpu_kind for t in GPU_TIERS.values())})
    return schema


def parse_valid_fly_toml(text: str) -> dict[str, Any]:
    """Parse a generated fly.toml and validate it against the schema."""
    document = tomllib.loads(text)
    jsonschema.validate(document, fly_schema())
    return document
