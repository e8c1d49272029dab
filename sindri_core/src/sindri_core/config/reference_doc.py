"""``docs/CONFIGURATION.md`` generated from the configuration model, so it cannot drift.

``python -m sindri_core.config.reference_doc > docs/CONFIGURATION.md`` regenerates it; a test
fails when the committed file differs or when a JSON Schema field is missing from it.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from sindri_core.config.fields import spec_of, yaml_key
from sindri_core.config.local_cluster_section import LocalClusterConfig
from sindri_core.config.model import LOCAL_CLUSTER_SECTION, SindriConfig
from sindri_core.config.schema import default_of, describe_type, type_hints
from sindri_core.provider import ProviderCatalog

__all__ = ["FieldDoc", "iter_fields", "render"]

INTRO = """\
# sindri.yaml reference

This file is generated from the configuration model
(`python -m sindri_core.config.reference_doc > docs/CONFIGURATION.md`); a test keeps it equal to
the code. `sindri config schema` prints the same information as a JSON Schema, and
`sindri config init -p PROVIDER` writes a commented starting point.

The configuration is found with `-c PATH`, else as `sindri.yaml` or `sindri.yml` in the current
directory or its parents; its directory is the *project directory*. Unknown keys are errors.
Errors name the file, line and column, the field, the bad value and what is allowed.

Which image runs is decided by the priority chain described in
[IMAGE_MANAGEMENT.md](IMAGE_MANAGEMENT.md): `image_config.digest` → `image_config.tag_override`
→ `image_config.version` → `image` → a build (for providers that build).
"""


@attrs.frozen
class FieldDoc:
    """One row of the reference: a field below a model class, as a dotted path."""

    path: str
    type: str
    default: Any
    required: bool
    doc: str


def iter_fields(cls: type, prefix: str = "") -> Iterator[FieldDoc]:
    """Every field below ``cls`` as dotted paths (``deployment.image_config.digest``)."""
    hints = type_hints(cls)
    for field in attrs.fields(cls):
        key = yaml_key(field)
        path = f"{prefix}.{key}" if prefix else key
        tp = hints[field.name]
        default = default_of(field)
        yield FieldDoc(
            path=path,
            type=describe_type(tp),
            default=None if default is attrs.NOTHING else default,
            required=field.default is attrs.NOTHING,
            doc=spec_of(field).doc,
        )
        inner = _attrs_inside(tp)
        if inner is not None:
            yield from iter_fields(inner, path + ("[]" if typing.get_origin(tp) is list else ""))


def _attrs_inside(tp: Any) -> type | None:
    if attrs.has(tp):
        return tp
    for arg in typing.get_args(tp):
        if attrs.has(arg):
            return arg
    return None


def _value(value: Any) -> str:
    if value is None:
        return ""
    if value == [] or value == {}:
        return "`" + json.dumps(value) + "`"
    if isinstance(value, dict):
        return "(see below)"
    return "`" + (json.dumps(value) if not isinstance(value, str) else value) + "`"


def _table(rows: Iterable[FieldDoc], prefix: str = "") -> list[str]:
    lines = ["| key | type | default | description |", "|---|---|---|---|"]
    for row in rows:
        required = " **(required)**" if row.required else ""
        lines.append(
            f"| `{prefix}{row.path}` | {row.type} | {_value(row.default)} | {row.doc}{required} |"
        )
    return lines


def render(catalog: ProviderCatalog) -> str:
    parts = [INTRO, "## Top level and `deployment`", ""]
    parts += _table(f for f in iter_fields(SindriConfig) if f.path != "providers")
    parts += [
        "",
        "## `providers`",
        "",
        "Each installed provider validates its own section, `providers.<name>`. A section "
        "for a provider that is not installed is an error naming the distribution to "
        "install.",
        "",
    ]
    for info in catalog:
        settings = info.settings_class()
        if settings is None:
            continue
        section_aliases = [a for a in info.aliases if a != LOCAL_CLUSTER_SECTION]
        aliases = (
            f" (also accepted as {', '.join(f'`{a}`' for a in section_aliases)})"
            if section_aliases
            else ""
        )
        parts += [
            f"### `providers.{info.name}`{aliases}",
            "",
            f"{info.description}. Shipped by `{info.distribution or 'unknown'}`.",
            "",
        ]
        parts += _table(iter_fields(settings), prefix=f"providers.{info.name}.")
        parts.append("")
    parts += [
        f"### `providers.{LOCAL_CLUSTER_SECTION}`",
        "",
        "The local kind or k3d cluster, in the Rust tool's format: the kubernetes provider "
        "deploys to it (its kubectl context, unless `providers.kubernetes.context` is set) and "
        "loads locally built images into it with the tool named by `provider`. sindri does "
        "not create clusters: the fields that describe a new cluster are accepted and "
        "reported as ignored by `sindri config validate`. (`k8s` is still an alias of "
        "`kubernetes` in `deployment.provider`.)",
        "",
    ]
    parts += _table(iter_fields(LocalClusterConfig), prefix=f"providers.{LOCAL_CLUSTER_SECTION}.")
    parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"


if __name__ == "__main__":
    from sindri_core.plugins import get_host

    print(render(get_host().catalog), end="")
