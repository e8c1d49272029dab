"""One walk over the attrs model, three uses: validating YAML, JSON Schema, documentation.

:func:`check` validates a parsed YAML node against a type from the model and returns plain
data (YAML keys, Python scalars); every error is a :class:`ConfigError` carrying the dotted
field path and the 1-based line and column of the offending node. :func:`json_schema` emits the
matching JSON Schema (draft 2020-12), and :func:`iter_fields` lists every field for the docs.
"""

from __future__ import annotations

import enum
import functools
import re
import types
import typing
from typing import Any, Literal, Union

import attrs

from sindri_core.config.fields import FieldSpec, constraints_of, spec_of, yaml_key
from sindri_core.errors import ConfigError, raise_all

__all__ = ["Location", "check", "default_of", "describe_type", "json_schema", "type_hints"]

NoneType = type(None)


@attrs.frozen
class Location:
    """1-based line and column of a node; ``None`` when unknown."""

    line: int | None = None
    column: int | None = None


# Data read by yaml_document knows its positions; plain data (a test's dict) does not, and
# then an error points at the nearest enclosing node that does, or nowhere.


def _key_location(mapping: Any, key: Any) -> Location:
    try:
        return Location(*mapping.key_where[key])
    except (AttributeError, KeyError, TypeError):
        return _node_location(mapping)


def _value_location(mapping: Any, key: Any) -> Location:
    try:
        if mapping[key] is None:  # `key:` alone: point at the key, not past it
            return _key_location(mapping, key)
        return Location(*mapping.value_where[key])
    except (AttributeError, KeyError, TypeError):
        return _key_location(mapping, key)


def _item_location(seq: Any, index: int) -> Location:
    try:
        return Location(*seq.item_where[index])
    except (AttributeError, TypeError, IndexError):
        return _node_location(seq)


def _node_location(node: Any) -> Location:
    try:
        return Location(*node.where)
    except (AttributeError, TypeError):
        return Location()


def fail(message: str, path: str, loc: Location, hint: str | None = None) -> ConfigError:
    return ConfigError(message, path=path or None, line=loc.line, column=loc.column, hint=hint)


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def join_path(path: str, key: str | int) -> str:
    """``deployment.image``, ``secrets[0]``; a key that is not a plain word is quoted
    (``providers['my provider']``) so the path stays one unambiguous line."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if not _PLAIN_KEY.fullmatch(key):
        return f"{path}[{key!r}]"
    return f"{path}.{key}" if path else key


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(str(value))
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def describe_type(tp: Any) -> str:
    """Human words for a model type, used in error messages and docs."""
    origin = typing.get_origin(tp)
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if tp is Any:
        return "any value"
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in typing.get_args(tp))
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not NoneType]
        return " or ".join(describe_type(a) for a in args)
    if origin is list:
        return "a list"
    if origin is dict:
        return "a mapping"
    if attrs.has(tp):
        return "a mapping"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "one of " + ", ".join(str(m.value) for m in tp)
    return str(tp)


@typing.no_type_check
def check(
    tp: Any, value: Any, path: str = "", loc: Location | None = None, spec: FieldSpec | None = None
) -> Any:
    """Validate ``value`` (data from :func:`~sindri_core.config.yaml_document.read_yaml`, or
    plain data) against ``tp``; return plain data."""
    loc = loc or _node_location(value)
    spec = spec or FieldSpec()
    origin = typing.get_origin(tp)
    if tp is Any:
        return _plain(value)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not NoneType]
        if value is None and NoneType in typing.get_args(tp):
            return None
        if len(args) == 1:
            return check(args[0], value, path, loc, spec)
        for arg in args:
            try:
                return check(arg, value, path, loc, spec)
            except ConfigError:
                continue
        raise fail(f"expected {describe_type(tp)}, got {_kind(value)}", path, loc)
    if origin is Literal:
        allowed = typing.get_args(tp)
        if value in allowed and not isinstance(value, bool):
            return value
        suggestion = _did_you_mean(str(value), [str(a) for a in allowed])
        hint = "quote it" if isinstance(value, (int, float)) and str(value) in allowed else None
        raise fail(
            f"{_show(value)} is not allowed; allowed: {', '.join(map(str, allowed))}{suggestion}",
            path,
            loc,
            hint,
        )
    if attrs.has(tp):
        return _check_class(tp, value, path, loc)
    if origin is list:
        if not isinstance(value, list):
            raise fail(f"expected a list, got {_kind(value)}", path, loc)
        (item_type,) = typing.get_args(tp)
        items = Errors()
        # The field's pattern constrains each string of a list of strings.
        checked = [
            items.collect(
                check, item_type, item, join_path(path, i), _item_location(value, i), spec
            )
            for i, item in enumerate(value)
        ]
        items.raise_any()
        return checked
    if origin is dict:
        if not isinstance(value, dict):
            raise fail(f"expected a mapping, got {_kind(value)}", path, loc)
        _, value_type = typing.get_args(tp)
        out = {}
        entries = Errors()
        for key, item in value.items():
            if not isinstance(key, str):
                entries.add(
                    fail(f"keys must be strings, got {_kind(key)}", path, _key_location(value, key))
                )
                continue
            out[key] = entries.collect(
                check, value_type, item, join_path(path, key), _value_location(value, key)
            )
        entries.raise_any()
        return out
    return _check_scalar(tp, value, path, loc, spec)


def _check_scalar(tp: Any, value: Any, path: str, loc: Location, spec: FieldSpec) -> Any:
    if tp is bool:
        if not isinstance(value, bool):
            raise fail(f"expected true or false, got {_kind(value)}", path, loc)
        return bool(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(f"expected an integer, got {_kind(value)}", path, loc)
        value = int(value)
        _check_range(value, path, loc, spec)
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail(f"expected a number, got {_kind(value)}", path, loc)
        _check_range(float(value), path, loc, spec)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            hint = (
                "quote it"
                if isinstance(value, (int, float)) and not isinstance(value, bool)
                else None
            )
            raise fail(f"expected a string, got {_kind(value)}", path, loc, hint)
        value = str(value)
        if spec.max_length is not None and len(value) > spec.max_length:
            raise fail(f"{value!r} is longer than {spec.max_length} characters", path, loc)
        # fullmatch: `$` alone would accept a trailing newline, which JSON Schema does not.
        if spec.pattern and not re.fullmatch(spec.pattern, value):
            what = spec.pattern_hint or f"must match {spec.pattern}"
            raise fail(f"{value!r} is not valid; expected {what}", path, loc)
        return value
    raise TypeError(f"unsupported type in the configuration model: {tp!r}")  # a model bug


def _check_range(value: float, path: str, loc: Location, spec: FieldSpec) -> None:
    if spec.minimum is not None and value < spec.minimum:
        raise fail(f"{value} is too small; minimum {spec.minimum:g}", path, loc)
    if spec.maximum is not None and value > spec.maximum:
        raise fail(f"{value} is too large; maximum {spec.maximum:g}", path, loc)


def _check_class(cls: type, value: Any, path: str, loc: Location) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(f"expected a mapping, got {_kind(value)}", path, loc)
    fields = {yaml_key(f): f for f in attrs.fields(cls)}
    hints = type_hints(cls)
    errors = Errors()
    for key in value:
        if key not in fields:
            suggestion = _did_you_mean(str(key), list(fields))
            errors.add(
                fail(
                    f"unknown key {key!r}{suggestion}; allowed: {', '.join(fields)}",
                    join_path(path, str(key)),
                    _key_location(value, key),
                )
            )
    out: dict[str, Any] = {}
    bad: set[str] = set()
    for key, field in fields.items():
        if key not in value:
            if field.default is attrs.NOTHING:
                errors.add(fail(f"missing required key {key!r}", path, loc))
            continue
        try:
            out[key] = check(
                hints[field.name],
                value[key],
                join_path(path, key),
                _value_location(value, key),
                spec_of(field),
            )
        except ConfigError as exc:
            errors.add(exc)
            bad.add(key)
    for rule in constraints_of(cls):
        if rule.matches(value):
            errors.add(fail(rule.message, join_path(path, rule.at), _key_location(value, rule.at)))
    for key, field in fields.items():
        value_rule = spec_of(field).check
        if value_rule is not None and key not in bad and out.get(key) is not None:
            errors.collect(_apply, value_rule, out, value, key, join_path(path, key))
    errors.raise_any()
    return out


class Errors:
    """The errors of one mapping or list, gathered so that one pass reports them all."""

    def __init__(self) -> None:
        self.found: list[ConfigError] = []

    def add(self, error: ConfigError) -> None:
        self.found.append(error)

    def collect(self, func: Any, *args: Any) -> Any:
        """``func(*args)``, or ``None`` with its error kept."""
        try:
            return func(*args)
        except ConfigError as exc:
            self.found.append(exc)
            return None

    def raise_any(self) -> None:
        raise_all(self.found)


def _apply(rule: Any, data: dict[str, Any], node: Any, key: str, path: str) -> None:
    """Run a field's value rule (on each item of a list); its error, raised by a parser
    that knows no positions, is located at the value here."""
    if isinstance(data[key], list):
        items = [
            (item, join_path(path, i), _item_location(node[key], i))
            for i, item in enumerate(data[key])
        ]
    else:
        items = [(data[key], path, _value_location(node, key))]
    for item, where, loc in items:
        try:
            rule(item, data)
        except ConfigError as exc:
            raise fail(exc.message, where, loc, exc.hint) from None


@functools.cache
def type_hints(cls: type) -> dict[str, Any]:
    """The resolved field types of a model class (evaluated once: they are strings).

    Resolved in place with :func:`attrs.resolve_types`, so the converter's own call
    (:mod:`~sindri_core.config.structure`, which dispatches on the fields' types) finds them
    resolved and does not evaluate them again.
    """
    return {field.name: field.type for field in attrs.fields(attrs.resolve_types(cls))}


def _did_you_mean(word: str, choices: list[str]) -> str:
    import difflib  # only an invalid file needs it; every command validates a valid one

    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in choices}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


# -- JSON Schema -------------------------------------------------------------------------------


@typing.no_type_check
def json_schema(tp: Any, spec: FieldSpec | None = None, overrides: dict | None = None) -> dict:
    """The JSON Schema of a model type. ``overrides`` maps attrs classes to ready schemas."""
    spec = spec or FieldSpec()
    overrides = overrides or {}
    origin = typing.get_origin(tp)
    if tp in overrides:
        return overrides[tp]
    if tp is Any:
        return {}
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        parts = [json_schema(a, spec, overrides) for a in args if a is not NoneType]
        if NoneType in args:
            parts.append({"type": "null"})
        return parts[0] if len(parts) == 1 else {"anyOf": parts}
    if origin is Literal:
        return {"enum": list(typing.get_args(tp))}
    if attrs.has(tp):
        return _class_schema(tp, overrides)
    if origin is list:
        return {"type": "array", "items": json_schema(typing.get_args(tp)[0], spec, overrides)}
    if origin is dict:
        return {
            "type": "object",
            "additionalProperties": json_schema(typing.get_args(tp)[1], None, overrides),
        }
    schema: dict[str, Any] = {
        bool: {"type": "boolean"},
        int: {"type": "integer"},
        float: {"type": "number"},
        str: {"type": "string"},
    }[tp].copy()
    if spec.pattern:
        schema["pattern"] = spec.pattern
    if spec.max_length is not None:
        schema["maxLength"] = spec.max_length
    if spec.minimum is not None:
        schema["minimum"] = spec.minimum
    if spec.maximum is not None:
        schema["maximum"] = spec.maximum
    return schema


def _class_schema(cls: type, overrides: dict) -> dict[str, Any]:
    hints = type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in attrs.fields(cls):
        spec = spec_of(field)
        prop = json_schema(hints[field.name], spec, overrides)
        if spec.doc:
            prop = {**prop, "description": spec.doc}
        default = default_of(field)
        if default is not attrs.NOTHING:
            prop["default"] = default
        properties[yaml_key(field)] = prop
        if field.default is attrs.NOTHING:
            required.append(yaml_key(field))
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    rules = constraints_of(cls)
    if rules:
        schema["allOf"] = [rule.json_schema() for rule in rules]
    return schema


def default_of(field: attrs.Attribute) -> Any:
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        made = default.factory()
        if attrs.has(type(made)):
            return attrs.asdict(made) if _all_json(attrs.asdict(made)) else attrs.NOTHING
        return made
    return default


def _all_json(value: Any) -> bool:
    return isinstance(value, (dict, list, str, int, float, bool, type(None)))


def document_schema(catalog: Any) -> dict[str, Any]:
    """The JSON Schema of ``sindri.yaml`` with the installed providers' sections."""
    from sindri_core.config.local_cluster_section import LocalClusterConfig
    from sindri_core.config.model import LOCAL_CLUSTER_SECTION, SindriConfig

    schema = json_schema(SindriConfig)
    providers = {
        LOCAL_CLUSTER_SECTION: {
            "anyOf": [json_schema(LocalClusterConfig), {"type": "null"}],
            "description": "The local kind or k3d cluster (not kubernetes' settings).",
        }
    }
    one_name_each = []
    for info in catalog:
        settings = info.settings_class()
        if settings is None:
            continue
        section = {
            "anyOf": [json_schema(settings), {"type": "null"}],  # null: all defaults
            "description": f"Settings of the {info.name} provider.",
        }
        names = tuple(name for name in info.names() if name != LOCAL_CLUSTER_SECTION)
        for name in names:
            providers[name] = section
        one_name_each += [
            {"not": {"required": [a, b]}} for i, a in enumerate(names) for b in names[i + 1 :]
        ]
    schema["properties"]["providers"] = {
        "type": "object",
        "description": "Provider-specific sections, validated by each provider.",
        "properties": providers,
        "additionalProperties": False,
    }
    if one_name_each:
        schema["properties"]["providers"]["allOf"] = one_name_each
    schema["properties"]["deployment"]["properties"]["provider"]["enum"] = catalog.all_names()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/pacphi/sindri/sindri.schema.json",
        "title": "sindri.yaml",
        **schema,
    }
