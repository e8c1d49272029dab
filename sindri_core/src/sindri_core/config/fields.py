"""Declaring configuration fields once, for validation, JSON Schema, docs and ``config init``.

Every field of the configuration model is an attrs field made with :func:`setting`, which
stores the YAML key, a one-line description, an example and constraints in the field's
metadata. :mod:`sindri_core.config.schema` reads them back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

__all__ = ["FieldSpec", "Forbid", "constraints", "constraints_of", "section", "setting", "spec_of"]

_T = TypeVar("_T")


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
    # A rule no pattern states (see config/rules.py): called with the value and the plain
    # data of its mapping; raises ConfigError, which the loader locates at the value.
    check: Callable[[Any, Mapping[str, Any]], None] | None = None


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
    check: Callable[[Any, Mapping[str, Any]], None] | None = None,
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
        check=check,
    )
    metadata = {"sindri": spec}
    if factory is not None:
        return attrs.field(factory=factory, metadata=metadata)
    return attrs.field(default=default, metadata=metadata)


def section(cls: type[_T]) -> type[_T]:
    """``@attrs.frozen`` for a class of the configuration model: a section of sindri.yaml.

    The class gets one shared ``__repr__``, ``__eq__`` and ``__hash__`` (same behaviour as
    attrs': ``Name(field=value, ...)``; equal when of the same class with equal fields) instead
    of ones generated and compiled for it: every command creates these classes at start-up,
    and compiling those methods was more than half of that (ADR 0008, ADR 0022).
    """
    frozen = attrs.frozen(cls, repr=False, eq=False)
    frozen.__repr__ = _section_repr  # type: ignore[assignment,method-assign]
    frozen.__eq__ = _section_eq  # type: ignore[assignment,method-assign]
    frozen.__hash__ = _section_hash  # type: ignore[assignment,method-assign]
    return frozen


def _section_repr(self: Any) -> str:
    values = ", ".join(
        f"{field.name}={getattr(self, field.name)!r}" for field in attrs.fields(type(self))
    )
    return f"{type(self).__qualname__}({values})"


def _compared(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, field.name) for field in attrs.fields(type(self)) if field.eq)


def _section_eq(self: Any, other: object) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _compared(self) == _compared(other)


def _section_hash(self: Any) -> int:
    return hash((self.__class__.__qualname__, *_compared(self)))


def spec_of(field: attrs.Attribute) -> FieldSpec:
    return field.metadata.get("sindri", FieldSpec())


def yaml_key(field: attrs.Attribute) -> str:
    return spec_of(field).key or field.name


@attrs.frozen
class Forbid:
    """A combination of keys of one mapping that is not allowed.

    Declared on a model class with :func:`constraints`; the loader checks it and the JSON
    Schema states it (``not: {allOf: ...}``), so editors and ``config validate`` agree. The
    combination matches when every condition holds:

    :param message: the error, e.g. "set either profile or active, not both".
    :param at: the key the error points at.
    :param present: keys set to something other than null.
    :param nonempty: keys set to a non-empty list.
    :param absent: keys missing or null.
    :param equals: ``(key, value)`` pairs: keys set to exactly this value.
    """

    message: str
    at: str
    present: tuple[str, ...] = ()
    nonempty: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    equals: tuple[tuple[str, Any], ...] = ()

    def matches(self, mapping: Mapping[str, Any]) -> bool:
        return (
            all(mapping.get(key) is not None for key in self.present)
            and all(isinstance(mapping.get(key), list) and mapping[key] for key in self.nonempty)
            and all(mapping.get(key) is None for key in self.absent)
            and all(key in mapping and mapping[key] == value for key, value in self.equals)
        )

    def json_schema(self) -> dict[str, Any]:
        def set_(key: str) -> dict[str, Any]:
            return {"required": [key], "properties": {key: {"not": {"type": "null"}}}}

        conditions = [set_(key) for key in self.present]
        conditions += [
            {"required": [key], "properties": {key: {"type": "array", "minItems": 1}}}
            for key in self.nonempty
        ]
        conditions += [{"not": set_(key)} for key in self.absent]
        conditions += [
            {"required": [key], "properties": {key: {"const": value}}} for key, value in self.equals
        ]
        return {"not": {"allOf": conditions}, "$comment": self.message}


def constraints(*rules: Forbid) -> Callable[[type[_T]], type[_T]]:
    """Class decorator attaching :class:`Forbid` rules to a model class."""

    def attach(cls: type[_T]) -> type[_T]:
        cls.__sindri_constraints__ = rules  # type: ignore[attr-defined]
        return cls

    return attach


def constraints_of(cls: type) -> tuple[Forbid, ...]:
    return getattr(cls, "__sindri_constraints__", ())
