"""The cattrs converter for the configuration model: YAML keys ↔ attrs fields."""

from __future__ import annotations

import functools
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from sindri_core.config.fields import yaml_key

__all__ = ["converter"]


@functools.cache
def converter() -> cattrs.Converter:
    """A converter that reads and writes YAML key names (``buildFromSource``, ``gitRef``)."""
    # The data was validated (with locations) by schema.check before it gets here, so the
    # simpler structuring code without cattrs' own detailed validation is enough.
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=False)

    def renames(cls: type) -> dict[str, Any]:
        return {
            field.name: override(rename=yaml_key(field))
            for field in attrs.fields(cls)
            if yaml_key(field) != field.name
        }

    conv.register_structure_hook_factory(
        attrs.has, lambda cls: make_dict_structure_fn(cls, conv, **renames(cls))
    )
    conv.register_unstructure_hook_factory(
        attrs.has, lambda cls: make_dict_unstructure_fn(cls, conv, **renames(cls))
    )
    return conv
