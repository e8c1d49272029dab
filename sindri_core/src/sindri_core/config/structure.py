"""The cattrs converter for the configuration model: YAML keys ↔ attrs fields."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import cattrs

from sindri_core.config.fields import yaml_key

__all__ = ["converter"]


@functools.cache
def converter() -> cattrs.BaseConverter:
    """A converter that reads and writes YAML key names (``buildFromSource``, ``gitRef``).

    It is cattrs' :class:`~cattrs.BaseConverter`, which structures by walking the fields,
    rather than :class:`~cattrs.Converter`, which first generates and compiles a function per
    class: a command structures one configuration once, and compiling those functions took
    longer than the rest of ``config validate``'s own work. The data was validated, with
    locations, by :func:`~sindri_core.config.schema.check` before it gets here, so cattrs'
    own validation is not needed either.
    """
    conv = cattrs.BaseConverter()
    conv.register_structure_hook_factory(attrs.has, functools.partial(_structure_fn, conv))
    conv.register_unstructure_hook_factory(attrs.has, functools.partial(_unstructure_fn, conv))
    return conv


def _structure_fn(conv: cattrs.BaseConverter, cls: type) -> Callable[[Mapping[str, Any], Any], Any]:
    attrs.resolve_types(cls)  # cattrs dispatches on the field types; ours are strings (PEP 563)
    names = {yaml_key(field): field.name for field in attrs.fields(cls)}

    def structure(data: Mapping[str, Any], _: Any) -> Any:
        by_name = {names.get(key, key): value for key, value in data.items()}
        return conv.structure_attrs_fromdict(by_name, cls)

    return structure


def _unstructure_fn(conv: cattrs.BaseConverter, cls: type) -> Callable[[Any], dict[str, Any]]:
    attrs.resolve_types(cls)
    keys = {field.name: yaml_key(field) for field in attrs.fields(cls)}

    def unstructure(obj: Any) -> dict[str, Any]:
        return {keys[name]: value for name, value in conv.unstructure_attrs_asdict(obj).items()}

    return unstructure
