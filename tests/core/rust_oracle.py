"""Reading the Rust tool's generated files (fixtures/rust_oracle) and sindri's plan artifacts
for the same configuration into flat ``{field path: value}`` maps that can be compared.

Each provider's files are brought to one shape first: the Rust compose file's ``K=V``
environment list and ``"H:C"`` ports become a mapping and ``H:C/tcp`` strings like sindri's
long syntax, memory becomes megabytes, the single service is ``service`` on both sides, and so
on. What stays different after that is a real difference, which the test module either lists
as intended (with its reason) or fails on.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from sindri_core.image.resolution import ImageResolution, ImageSource
from sindri_core.project import Project

FIXTURES = Path(__file__).parent / "fixtures" / "rust_oracle"
SECRET_VALUES = {
    "ORACLE_MODEL_KEY": "oracle-model-value",
    "ORACLE_GIT_TOKEN": "oracle-git-value",
    "ORACLE_CLOUD_ID": "oracle-cloud-value",
    "ORACLE_DB_URL": "oracle-db-value",
}
PINNED_DIGEST = "sha256:" + "5" * 64
Flat = dict[str, Any]


def cases() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def oracle(case: str) -> dict[str, Any]:
    return json.loads((FIXTURES / case / "rust" / "oracle.json").read_text())


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        for index, item in enumerate(value):
            yield from flatten(item, f"{prefix}[{index}]")
    else:
        yield prefix, value


# -- sindri's side -----------------------------------------------------------------------------


def sindri_plan(case: str, workdir: Path) -> tuple[Project, Any]:
    """sindri's plan for the fixture, copied to ``workdir`` (plan writes nothing). A version
    range resolves against a registry, so those configurations get the digest-pinned reference
    a registry would answer instead of a network call."""
    project_dir = workdir / case
    project_dir.mkdir()
    shutil.copy(FIXTURES / case / "sindri.yaml", project_dir / "sindri.yaml")
    project = Project.load(project_dir / "sindri.yaml")
    ic = project.config.deployment.image_config
    if ic is not None and ic.version:
        image = ImageResolution(
            reference=f"{ic.registry}:{ic.version.lstrip('^~')}@{PINNED_DIGEST}",
            source=ImageSource.VERSION,
            reason="pinned by the test in place of a registry",
        )
        return project, project.hooks.plan(project.context(), image)
    return project, project.plan().plan


def artifact(plan: Any, name: str) -> str:
    (found,) = [a.content for a in plan.artifacts if a.path.name == name]
    return found


# -- docker ------------------------------------------------------------------------------------


def _megabytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)\s*([A-Za-z]+)", size.strip()).groups()  # type: ignore[union-attr]
    return int(number) * (1024 if unit.upper() in ("GB", "G") else 1)


def _rust_port(text: str) -> str:
    return text if "/" in text else f"{text}/tcp"


def _sindri_port(port: Mapping[str, Any]) -> str:
    host = f"{port['host_ip']}:" if "host_ip" in port else ""
    published = f"{port['published']}:" if "published" in port else ""
    return f"{host}{published}{port['target']}/{port['protocol']}"


SAME_KEYS = ("image", "container_name", "runtime", "privileged", "cap_drop", "cap_add", "tmpfs",
             "security_opt", "group_add", "stdin_open", "tty", "extra_hosts")  # fmt: skip


def _common_service(service: dict[str, Any]) -> Flat:
    """The keys both compose files write the same way."""
    out: Flat = {}
    for key in SAME_KEYS:
        if key in service:
            out[key] = service.pop(key)
    return out


def rust_compose(case: str) -> Flat:
    folder = FIXTURES / case / "rust"
    document = yaml.safe_load((folder / "docker-compose.yml").read_text())
    service = dict(document["services"]["sindri"])
    out = _common_service(service)
    out["service_key"] = "sindri"
    out["environment"] = dict(e.split("=", 1) for e in service.pop("environment", []))
    for mount in service.pop("volumes", []):
        source, target = mount.split(":", 1)
        out[f"volumes.{target}"] = source
    limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
    out["memory_mb"] = _megabytes(limits.pop("memory"))
    out["cpus"] = int(limits.pop("cpus"))
    for device in (
        service.get("deploy", {}).get("resources", {}).pop("reservations", {}).get("devices", [])
    ):
        out["gpu"] = {k: device[k] for k in ("driver", "count", "capabilities")}
    service.pop("deploy", None)
    out["ports"] = [_rust_port(p) for p in service.pop("ports", None) or []]
    if service.pop("env_file", None):
        out["env_file"] = True
    secrets_file = folder / ".env.secrets"
    if secrets_file.exists():
        lines = secrets_file.read_text().splitlines()
        out["secrets"] = sorted(line.split("=", 1)[0] for line in lines if "=" in line)
    out.update({f"other.{k}": v for k, v in service.items()})
    return dict(flatten(out))


def sindri_compose(plan: Any, name: str) -> Flat:
    document = yaml.safe_load(artifact(plan, "compose.yaml"))
    service = dict(document["services"][name])
    out = _common_service(service)
    out["service_key"] = name
    out["environment"] = service.pop("environment", {})
    top = document.get("volumes", {})
    for mount in service.pop("volumes", []):
        source = top[mount["source"]]["name"] if mount["type"] == "volume" else mount["source"]
        out[f"volumes.{mount['target']}"] = source
    out["memory_mb"] = int(service.pop("mem_limit").rstrip("m"))
    out["cpus"] = service.pop("cpus")
    for device in (
        service.get("deploy", {}).get("resources", {}).get("reservations", {}).get("devices", [])
    ):
        out["gpu"] = {k: device[k] for k in ("driver", "count", "capabilities")}
    service.pop("deploy", None)
    out["ports"] = [_sindri_port(p) for p in service.pop("ports", None) or []]
    if service.pop("env_file", None):
        out["env_file"] = True
    secrets = [a.content for a in plan.artifacts if a.path.name == "secrets.env"]
    if secrets:
        out["secrets"] = sorted(
            line.split("=", 1)[0] for line in secrets[0].splitlines() if "=" in line
        )
    labels = service.pop("labels", {})
    labels.pop("dev.sindri.config-hash", None)
    service["labels"] = labels
    out.update({f"other.{k}": v for k, v in service.items()})
    return dict(flatten(out))


# -- fly ---------------------------------------------------------------------------------------


def rust_fly(case: str) -> Flat:
    document = tomllib.loads((FIXTURES / case / "rust" / "fly.toml").read_text())
    return dict(flatten(document))


def sindri_fly(plan: Any) -> Flat:
    document = tomllib.loads(artifact(plan, "fly.toml"))
    if isinstance(document.get("vm"), list) and len(document["vm"]) == 1:
        document["vm"] = document["vm"][0]  # one [[vm]] table is the Rust tool's [vm]
    return dict(flatten(document))


# -- devpod ------------------------------------------------------------------------------------


def rust_devcontainer(case: str) -> Flat:
    path = FIXTURES / case / "rust" / ".devcontainer" / "devcontainer.json"
    return dict(flatten(json.loads(path.read_text())))


def sindri_devcontainer(plan: Any) -> Flat:
    return dict(flatten(json.loads(artifact(plan, "devcontainer.json"))))


# -- e2b ---------------------------------------------------------------------------------------


def rust_e2b(case: str) -> Flat:
    document = tomllib.loads((FIXTURES / case / "rust" / "template" / "e2b.toml").read_text())
    out = dict(flatten(document))
    out["secret_env_names"] = oracle(case).get("secret_env_names", [])
    return out


def sindri_e2b(project: Project, plan: Any) -> Flat:
    """The template's name, size and start as sindri builds it (its plan artifact is the
    build definition; cpu and memory travel with the build request)."""
    from sindri_providers_e2b.template import template_spec

    ctx = project.context()
    image = ImageResolution(
        reference=project.config.deployment.image, source=ImageSource.IMAGE, reason="test"
    )
    spec = template_spec(ctx, ctx.provider_config, image, None)
    definition = json.loads(artifact(plan, "e2b-template.json"))
    return {
        "template.name": spec.alias,
        "template.from_image": definition.get("fromImage"),
        "resources.cpu_count": spec.cpu_count,
        "resources.memory_mb": spec.memory_mb,
        "build.start_cmd": definition.get("startCmd"),
        "secret_env_names": sorted(ctx.secrets.env_values()),
    }


# -- kubernetes --------------------------------------------------------------------------------


def rust_manifests(case: str) -> Flat:
    """The Rust tool's manifest is not YAML (an env entry holds its k8s settings as an unquoted
    JSON string); that entry is dropped so the rest can be compared, and noted."""
    text = (FIXTURES / case / "rust" / "k8s-deployment.yaml").read_text()
    valid = True
    try:
        list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        valid = False
        text = re.sub(r"\n\s*- name: k8s\n\s*value: .*", "", text)
    out = _by_kind([d for d in yaml.safe_load_all(text) if d])
    out["document.valid_yaml"] = valid
    return out


def sindri_manifests(plan: Any) -> Flat:
    out = _by_kind([d for d in yaml.safe_load_all(artifact(plan, "manifests.yaml")) if d])
    out["document.valid_yaml"] = True
    return out


def _by_kind(documents: list[dict[str, Any]]) -> Flat:
    out: Flat = {}
    for document in documents:
        kind = document.get("kind", "?")
        if kind == "Deployment":
            container = document["spec"]["template"]["spec"]["containers"][0]
            container["env"] = {e["name"]: e.get("value") for e in container.get("env", [])}
        out.update(flatten(document, kind))
    return out


def environment() -> dict[str, str]:
    return {**os.environ, **SECRET_VALUES}
