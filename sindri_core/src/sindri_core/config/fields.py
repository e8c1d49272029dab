"""Declaring configuration fields once, for validation, JSON Schema, docs and ``config init``.

Every field of the configuration model is an attrs field made with :func:`setting`, which
stores the YAML key, a one-line description, an example and constraints in the field's
metadata. :mod:`sindri_core.config.schema` reads them back.
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["FieldSpec", "setting", "spec_of"]


@attrs.frozen
class FieldSpec:
    key: str | None = None  # the YAML key when it differs from the Python name
    doc: str = ""
    example: Any = None
    pattern: str | None = None
    pattern_hint: str | None = None  # what the pattern means, for error messages
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    deprecated: str | None = None


def setting(
    default: Any = attrs.NOTHING,
    *,
    factory: Any = None,
    key: str | None = None,
    doc: str = "",
    example: Any = None,
    pattern: str | None = None,
    pattern_hint: str | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    max_length: int | None = None,
) -> Any:
    """An attrs field carrying its :class:`FieldSpec`. Without a default it is required."""
    spec = FieldSpec(
        key=key,
        doc=doc,
        example=example,
        pattern=pattern,
        pattern_hint=pattern_hint,
        minimum=minimum,
        maximum=maximum,
        max_length=max_length,
    )
    metadata = {"sindri": spec}
    if factory is not None:
        return attrs.field(factory=factory, metadata=metadata)
    return attrs.field(default=default, metadata=metadata)


def spec_of(field: attrs.Attribute) -> FieldSpec:
    return field.metadata.get("sindri", FieldSpec())


def yaml_key(field: attrs.Attribute) -> str:
    return spec_of(field).key or field.name
