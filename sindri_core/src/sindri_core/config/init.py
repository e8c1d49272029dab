"""``sindri config init``: a sindri.yaml that is valid configuration and documentation at once.

The file is assembled as ruamel.yaml data with real comments, driven by the provider's
registered :class:`~sindri_core.provider.ProviderInfo` (capabilities, notes, config class) —
never by provider names. Commented-out alternatives are themselves serialized YAML.
"""

from __future__ import annotations

import io
import re
from typing import Any

import attrs

from sindri_core import __version__
from sindri_core.config.fields import spec_of, yaml_key
from sindri_core.config.structure import converter
from sindri_core.provider import ProviderInfo

__all__ = ["default_name", "render_config"]

DEFAULT_REGISTRY = "ghcr.io/pacphi/sindri"
# Where a user who installed from the package index reads the reference (pip installs no docs).
CONFIGURATION_URL = "https://github.com/pacphi/sindri/blob/main/docs/CONFIGURATION.md"


def default_name(directory_name: str) -> str:
    """Normalise a directory name to the name pattern ``^[a-z][a-z0-9-]*$`` (≤ 63 chars)."""
    name = re.sub(r"[^a-z0-9-]+", "-", directory_name.lower())
    name = re.sub(r"-{2,}", "-", name).strip("-")
    name = re.sub(r"^[^a-z]+", "", name)[:63].rstrip("-")
    return name or "my-dev-env"


def _dump(data: Any) -> str:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 4096
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def _commented(data: Any, indent: int = 0) -> str:
    """Serialized YAML turned into comment lines (an example the user can uncomment)."""
    pad = " " * indent
    return "\n".join(f"{pad}# {line}" for line in _dump(data).rstrip("\n").splitlines())


def _chain_comment(info: ProviderInfo) -> str:
    caps = info.capabilities
    build = (
        "5. nothing above: build from ./Dockerfile, ./v3/Dockerfile or ./deploy/Dockerfile,\n"
        "   else from the Sindri sources (buildFromSource); no default image"
        if caps.can_build
        else f"5. nothing above: error — the {info.name} provider never builds images"
    )
    return (
        "Which image runs — the first of these that is set wins:\n"
        "1. image_config.digest        an immutable image (registry@sha256:...)\n"
        "2. image_config.tag_override  an exact tag\n"
        "3. image_config.version       an npm-style semver range resolved against the\n"
        "   registry's tags (and pinned to the tag's digest); resolution_strategy may be\n"
        "   semver, latest-stable, pin-to-cli or explicit\n"
        "4. image                      a full reference, used as written (ignored when\n"
        "   image_config is set)\n" + build + "\n"
        "`sindri image resolve --explain` shows which level answered and why."
    )


def _image_examples(distro: str) -> str:
    suffix = "" if distro == "ubuntu" else f"-{distro}"
    examples = [
        (
            "Pin an exact digest (most reproducible):",
            {"image_config": {"registry": DEFAULT_REGISTRY, "digest": "sha256:" + "0" * 64}},
        ),
        (
            "Use an exact tag:",
            {
                "image_config": {
                    "registry": DEFAULT_REGISTRY,
                    "tag_override": f"{__version__}{suffix}",
                }
            },
        ),
        (
            "Verify signatures and provenance with cosign before deploying (fails closed):",
            {
                "image_config": {
                    "registry": DEFAULT_REGISTRY,
                    "version": "^3.2",
                    "verify_signature": True,
                    "verify_provenance": True,
                    "pull_policy": "Always",
                }
            },
        ),
        ("Legacy: a full image reference:", {"image": f"{DEFAULT_REGISTRY}:{__version__}{suffix}"}),
        (
            "Build from the Sindri sources instead of pulling (buildFromSource wins when enabled):",
            {"buildFromSource": {"enabled": True, "gitRef": "v3"}},
        ),
    ]
    return "\n".join(f"  # {title}\n{_commented(data, 2)}" for title, data in examples)


def _section_lines(cls: type, data: dict[str, Any], indent: int) -> list[str]:
    """A provider section with each field's description as a trailing comment."""
    import typing

    lines: list[str] = []
    pad = " " * indent
    hints = typing.get_type_hints(cls)
    for field in attrs.fields(cls):
        key, doc = yaml_key(field), spec_of(field).doc
        value = data.get(key)
        inner = hints[field.name]
        if attrs.has(inner) and isinstance(value, dict):
            # A nested block holds only its defaults here: shown commented out, to be
            # uncommented when needed (devpod's six backends would otherwise all look set).
            lines.append(f"{pad}# {key}:{'  # ' + doc if doc else ''}")
            lines.extend(f"{pad}# {line}" for line in _section_lines(inner, value, 2))
            continue
        if value is None:
            example = spec_of(field).example
            shown = _dump({key: example if example is not None else "..."}).strip()
            lines.append(f"{pad}# {shown}{'  # ' + doc if doc else ''}")
            continue
        rendered = _dump({key: value}).rstrip("\n").splitlines()
        if doc:
            rendered[0] = f"{rendered[0]}  # {doc}"
        lines.extend(pad + line for line in rendered)
    return lines


def render_config(
    info: ProviderInfo,
    *,
    name: str,
    profile: str,
    distro: str,
    local_dockerfile: str | None = None,
) -> str:
    """The text of a new sindri.yaml for ``info``'s provider.

    :param local_dockerfile: a Dockerfile found next to the file (``./Dockerfile``): a
        provider that builds builds it, so no published image is configured.
    """
    caps = info.capabilities
    head = {"version": "3.0", "name": name}
    deployment: dict[str, Any] = {"provider": info.name, "distro": distro}
    image_block = ""
    builds_local = local_dockerfile is not None and caps.can_build
    published = {"registry": DEFAULT_REGISTRY, "version": "^3.2"}
    if caps.prebuilt_image and not builds_local:
        deployment["image_config"] = published
        image_block = _commented(
            {"resources": {"memory": "4GB", "cpus": 2}, "volumes": {"workspace": {"size": "10GB"}}},
            2,
        )
    parts = [
        f"# sindri.yaml — generated by `sindri config init -p {info.name}`.",
        f"# Every key is documented at {CONFIGURATION_URL};",
        "# `sindri config schema` prints the JSON Schema for editors, `sindri config show` the",
        "# file with every default filled in. Validate with `sindri config validate`.",
        "",
        _dump(head).rstrip("\n"),
        "",
        "deployment:",
        *(f"  {line}" for line in _dump({"provider": info.name, "distro": distro}).splitlines()),
        "",
        *(f"  # {line}" for line in _chain_comment(info).splitlines()),
    ]
    if "image_config" in deployment:
        parts += [
            "  # The newest published image in the 3.x line, at least 3.2:",
            *(
                f"  {line}"
                for line in _dump({"image_config": deployment["image_config"]}).splitlines()
            ),
        ]
    elif builds_local:
        parts += [
            f"  # ./{local_dockerfile} is built (level 5). To run the newest published image",
            "  # in the 3.x line instead, uncomment:",
            _commented({"image_config": published}, 2),
        ]
    parts += [
        "  #",
        _image_examples(distro),
        "",
        "  # Resources and the persistent workspace:",
        image_block if image_block else _commented({"resources": {"cpus": 2}}, 2),
    ]
    gpu_note = (
        "  # GPUs: resources.gpu {enabled: true, type: nvidia, count: 1}"
        if caps.gpu
        else f"  # The {info.name} provider does not offer GPUs."
    )
    parts += [
        gpu_note,
        "",
        _dump({"extensions": {"profile": profile, "auto_install": True}}).rstrip("\n"),
        "",
        "# Secrets come from the shell, then .env.local, then .env; never written to files.",
        _commented(
            {
                "secrets": [
                    {"name": "GITHUB_TOKEN", "source": "env"},
                    {
                        "name": "AUTHORIZED_KEYS",
                        "source": "env",
                        "fromFile": "~/.ssh/id_ed25519.pub",
                    },
                ]
            }
        ),
    ]
    settings = info.settings_class()
    if settings is not None:
        defaults = converter().unstructure(settings())
        parts += ["", "providers:"]
        parts += [f"  # {note}" for note in info.notes]
        parts += [f"  {info.name}:"]
        parts += _section_lines(settings, defaults, 4)
    return "\n".join(parts) + "\n"
