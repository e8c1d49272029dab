"""Reading ``sindri.yaml`` into plain data that remembers where each key and value is.

ruamel.yaml composes the text into a tree of nodes, each with its line and column, and this
module turns the tree into dicts, lists and scalars (YAML 1.2 core schema: ``yes`` is a
string), keeping every position for error messages. Composing uses ruamel's C parser when
``ruamel.yaml.clib`` is installed, which reads a typical file in a fifth of the time the
pure-Python round-trip loader takes; every command reads the file, so this is start-up time.

Nesting is bounded (:data:`MAX_DEPTH`, counting what aliases expand to): deeper data is an
error at its position, never a ``RecursionError``. The C composer recurses once per level and
overflows the C stack somewhere past 20,000 levels (a flow list 50,000 deep kills the
process), so a text that could be nested that deep is first scanned event by event, which
stops at the first level too deep; a cheap bound on the possible depth skips that scan for
ordinary files.
"""

from __future__ import annotations

from typing import Any

from sindri_core.errors import ConfigError

__all__ = ["MAX_DEPTH", "Position", "YamlMapping", "YamlSequence", "read_yaml"]

MAX_DEPTH = 64
_SAFE_COMPOSE_DEPTH = 10_000  # far below the depth at which the C composer crashes
_SAFE_PURE_COMPOSE_DEPTH = 200

Position = tuple[int, int]
"""1-based line and column."""

_MERGE_TAG = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = {"MappingNode": "tag:yaml.org,2002:map", "SequenceNode": "tag:yaml.org,2002:seq"}


class YamlMapping(dict):  # type: ignore[type-arg]
    """A mapping read from YAML, with the position of itself, of each key and of each value."""

    def __init__(self, where: Position) -> None:
        super().__init__()
        self.where = where
        self.key_where: dict[Any, Position] = {}
        self.value_where: dict[Any, Position] = {}


class YamlSequence(list):  # type: ignore[type-arg]
    """A sequence read from YAML, with the position of itself and of each item."""

    def __init__(self, where: Position) -> None:
        super().__init__()
        self.where = where
        self.item_where: list[Position] = []


def read_yaml(text: str) -> Any:
    """The data of a single YAML document; ``None`` for an empty one.

    :raises ConfigError: invalid YAML, a tag no safe constructor knows (``!foo x``, or a bare
        ``=``, which ruamel resolves to YAML 1.1's value tag), a tag on a mapping or a list
        (``!!python/object:...``), a duplicate key, a key that is not a plain value, an alias
        of a node that contains itself, or nesting deeper than :data:`MAX_DEPTH`; located by
        line and column.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="safe", pure=False)  # pure=False: the C parser if it is installed
    try:
        _check_depth(yaml, text)
        root = yaml.compose(text)
        return None if root is None else _Builder(yaml.constructor).value(root)
    except MarkedYAMLError as exc:  # the parser's errors, and the constructor's (unknown tags)
        mark = exc.problem_mark or exc.context_mark
        # "expected a single document in the stream, but found another document"
        words = ", ".join(part for part in (exc.context, exc.problem) if part)
        problem = " ".join((words or "invalid YAML").split())
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise _invalid(problem, where) from None
    except YAMLError as exc:  # the reader's errors (bad characters) carry an offset, no mark
        position = getattr(exc, "position", None)
        where = _offset_position(text, position) if isinstance(position, int) else (1, 1)
        problem = " ".join((str(exc).splitlines() or ["invalid YAML"])[0].split())
        raise _invalid(problem, where) from None


def _possible_depth(text: str) -> int:
    """An upper bound on the nesting of ``text``: each flow level opens with ``[`` or ``{``,
    and each block level sits at a greater column than its parent (an indentless list under
    a key at most doubles that)."""
    longest = max(map(len, text.splitlines()), default=0)
    return text.count("[") + text.count("{") + 2 * (longest + 1)


def _check_depth(yaml: Any, text: str) -> None:
    from ruamel.yaml import main

    # The pure-Python composer recurses too, with Python's recursion limit.
    safe = _SAFE_COMPOSE_DEPTH if main.CParser is not None else _SAFE_PURE_COMPOSE_DEPTH
    if _possible_depth(text) <= safe:
        return
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    depth = 0
    for event in yaml.parse(text):
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise _too_deep((mark.line + 1, mark.column + 1))
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


def _too_deep(where: Position) -> ConfigError:
    return _invalid(f"nested deeper than {MAX_DEPTH} levels", where)


def _invalid(problem: str, where: Position) -> ConfigError:
    return ConfigError(f"invalid YAML: {problem}", line=where[0], column=where[1])


def _offset_position(text: str, offset: int) -> Position:
    line_start = text.rfind("\n", 0, offset) + 1
    return (text.count("\n", 0, offset) + 1, offset - line_start + 1)


def _where(node: Any) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns composed nodes into data; an alias yields the data of its anchor again."""

    def __init__(self, constructor: Any) -> None:
        self._constructor = constructor  # builds scalars by their resolved tag
        self._built: dict[int, Any] = {}
        self._heights: dict[int, int] = {}  # levels below a node, aliases expanded
        self._building: set[int] = set()

    def value(self, node: Any, depth: int = 1) -> Any:
        from ruamel.yaml.nodes import MappingNode, SequenceNode

        if id(node) in self._built:
            self._check_height(node, depth)
            return self._built[id(node)]
        if id(node) in self._building:
            raise _invalid("an alias refers to a node that contains it", _where(node))
        self._building.add(id(node))
        if isinstance(node, MappingNode | SequenceNode):
            _check_collection_tag(node)
            if depth > MAX_DEPTH:
                raise _too_deep(_where(node))
        if isinstance(node, MappingNode):
            data: Any = self._mapping(node, depth)
        elif isinstance(node, SequenceNode):
            data = YamlSequence(_where(node))
            for item in node.value:
                data.append(self.value(item, depth + 1))
                data.item_where.append(_where(item))
        else:
            data = self._constructor.construct_object(node, deep=True)
        self._building.discard(id(node))
        self._built[id(node)] = data
        self._heights[id(node)] = _height(node, self._heights)
        return data

    def _check_height(self, node: Any, depth: int) -> None:
        """An alias at ``depth`` must not expand to data nested deeper than allowed."""
        if depth - 1 + self._heights[id(node)] > MAX_DEPTH:
            raise _too_deep(_where(node))

    def _mapping(self, node: Any, depth: int) -> YamlMapping:
        mapping = YamlMapping(_where(node))
        merged: list[Any] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged += _merge_sources(value_node)
                continue
            key = self._key(key_node)
            if key in mapping:
                line = mapping.key_where[key][0]
                raise _invalid(f"duplicate key {key!r} (first at line {line})", _where(key_node))
            mapping[key] = self.value(value_node, depth + 1)
            mapping.key_where[key] = _where(key_node)
            mapping.value_where[key] = _where(value_node)
        for source in merged:  # `<<: *base`: keys written here win, then earlier sources
            base = self.value(source, depth)
            for key, value in base.items():
                if key not in mapping:
                    mapping[key] = value
                    mapping.key_where[key] = base.key_where[key]
                    mapping.value_where[key] = base.value_where[key]
        return mapping

    def _key(self, node: Any) -> Any:
        from ruamel.yaml.nodes import ScalarNode

        if not isinstance(node, ScalarNode):
            raise _invalid("a key must be a plain value, not a mapping or a list", _where(node))
        return self._constructor.construct_object(node, deep=True)


def _height(node: Any, heights: dict[int, int]) -> int:
    """Collection levels from ``node`` down (0 for a scalar), from its children's heights."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    if isinstance(node, MappingNode):
        children = [child for pair in node.value for child in pair]
    elif isinstance(node, SequenceNode):
        children = node.value
    else:
        return 0
    return 1 + max((heights.get(id(child), 0) for child in children), default=0)


def _check_collection_tag(node: Any) -> None:
    """A tag on a mapping or list (``!!python/object:os.system``, ``!foo``) is as unknown as
    one on a scalar; ignoring it would accept what the author meant as something else."""
    tag = node.tag
    if tag != _COLLECTION_TAGS[type(node).__name__]:
        shown = "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:") else tag
        kind = "mapping" if type(node).__name__ == "MappingNode" else "list"
        raise _invalid(f"unknown tag {shown} on a {kind}", _where(node))


def _merge_sources(node: Any) -> list[Any]:
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    if isinstance(node, MappingNode):
        return [node]
    if isinstance(node, SequenceNode) and all(isinstance(n, MappingNode) for n in node.value):
        return list(node.value)
    raise _invalid("a merge key (<<) takes a mapping or a list of mappings", _where(node))
