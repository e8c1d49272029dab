"""Property-based: random YAML documents and random mutations of valid configurations fed to
``sindri config validate``. It never fails unexpectedly (exit status 0 or 2, never an internal
error) and every rejection is one line naming the file and line (``sindri.yaml:LINE``)."""

from __future__ import annotations

import copy
import io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from sindri_core.cli.main import cli
from sindri_core.config import rules
from sindri_core.config.loader import parse_config
from sindri_core.errors import ConfigError
from sindri_core.image.semver import Range
from sindri_core.plugins import get_host

# One line per error (config validate lists them all, ADR 0019), each located.
REJECTION = re.compile(
    r"^(error: \S*sindri\.ya?ml:\d+(:\d+)?: [^\n]+\n)+(error: \.\.\. and \d+ more errors\n)?$"
)

KNOWN_KEYS = [
    "version",
    "name",
    "deployment",
    "provider",
    "distro",
    "image",
    "image_config",
    "registry",
    "digest",
    "tag_override",
    "resolution_strategy",
    "buildFromSource",
    "enabled",
    "gitRef",
    "resources",
    "memory",
    "cpus",
    "gpu",
    "count",
    "volumes",
    "workspace",
    "size",
    "extensions",
    "profile",
    "active",
    "additional",
    "secrets",
    "source",
    "mountPath",
    "providers",
    "docker",
    "fly",
    "kubernetes",
    "k8s",
]

VALID_CONFIGS: list[dict[str, Any]] = [
    {"version": "3.0", "name": "dev", "deployment": {"provider": "docker"}},
    {
        "version": "3.0",
        "name": "full-env",
        "deployment": {
            "provider": "fly",
            "distro": "fedora",
            "image_config": {
                "registry": "ghcr.io/pacphi/sindri",
                "version": "^3.1.0",
                "resolution_strategy": "semver",
                "verify_signature": False,
                "pull_policy": "IfNotPresent",
            },
            "buildFromSource": {"enabled": False, "gitRef": "v3"},
            "resources": {"memory": "4GB", "cpus": 2, "gpu": {"enabled": True, "count": 1}},
            "volumes": {"workspace": {"size": "20GB"}},
        },
        "extensions": {"profile": "minimal", "additional": ["python"], "auto_install": True},
        "secrets": [
            {"name": "GITHUB_TOKEN", "source": "env", "required": False},
            {"name": "KEY", "source": "file", "path": "k.pub", "mountPath": "/home/k.pub"},
        ],
        "providers": {"fly": {}},
    },
    {
        "version": "3.0",
        "name": "cluster",
        "deployment": {"provider": "k8s", "image": "ghcr.io/pacphi/sindri:3.1.0"},
        "extensions": {"active": ["git", "node"]},
        "providers": {"kubernetes": None},
    },
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["3.0", "docker", "ubuntu", "sha256:" + "a" * 64, "4GB", "~", "yes"]),
)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(min_size=1, max_size=8))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)
    ),
    max_leaves=25,
)


def _dump(data: Any) -> str:
    stream = io.StringIO()
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.dump(data, stream)
    return stream.getvalue()


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="sindri-props-") as name:
        yield Path(name)


def _validate(workdir: Path, text: str) -> None:
    path = workdir / "sindri.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["-c", str(path), "config", "validate"])
    assert result.exit_code in (0, 2), (text, result.output, result.exception)
    if result.exit_code == 0:
        assert result.stdout.endswith(": valid (" + result.stdout.split(": valid (")[-1])
        return
    assert result.stdout == ""
    assert REJECTION.match(result.stderr), (text, result.stderr)
    with pytest.raises(ConfigError) as caught:  # the message itself, before the CLI's guard
        parse_config(text, get_host().catalog)
    assert "\n" not in str(caught.value)


# SINDRI_PROPERTY_EXAMPLES=5000 for a longer hunt; 200 keeps the suite fast.
PROPERTY = settings(
    max_examples=int(os.environ.get("SINDRI_PROPERTY_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(document=documents)
def test_random_yaml_documents(workdir: Path, document: Any) -> None:
    _validate(workdir, _dump(document))


@PROPERTY
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80))
def test_random_text(workdir: Path, text: str) -> None:
    _validate(workdir, text)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _typo(key: str, position: int) -> str:
    if not key:
        return "x"
    position %= len(key)
    return key[:position] + key[position + 1 :] if len(key) > 1 else key.upper()


@st.composite
def mutated_configs(draw: st.DrawFn) -> Any:
    config = copy.deepcopy(draw(st.sampled_from(VALID_CONFIGS)))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = [p for p in _paths(config) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = config
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        operation = draw(st.sampled_from(["delete", "replace", "add", "rename", "nest"]))
        if operation == "delete":
            del parent[last]
        elif operation == "replace":
            parent[last] = draw(documents)
        elif operation == "add" and isinstance(parent, dict):
            parent[draw(keys)] = draw(documents)
        elif operation == "rename" and isinstance(parent, dict) and isinstance(last, str):
            parent[_typo(last, draw(st.integers(0, 20)))] = parent.pop(last)
        elif operation == "nest":
            parent[last] = {draw(keys): parent[last]}
    return config


@PROPERTY
@given(config=mutated_configs())
def test_mutated_valid_configs(workdir: Path, config: Any) -> None:
    _validate(workdir, _dump(config))


@st.composite
def mutated_texts(draw: st.DrawFn) -> str:
    lines = _dump(draw(st.sampled_from(VALID_CONFIGS))).splitlines(keepends=True)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        operation = draw(st.sampled_from(["drop", "indent", "dedent", "insert", "splice"]))
        if operation == "drop" and len(lines) > 1:
            del lines[index]
        elif operation == "indent":
            lines[index] = " " * draw(st.integers(1, 3)) + lines[index]
        elif operation == "dedent":
            lines[index] = lines[index].lstrip(" ")
        elif operation == "insert":
            lines.insert(index, draw(st.text(max_size=20)) + "\n")
        else:
            line = lines[index]
            at = draw(st.integers(min_value=0, max_value=len(line)))
            lines[index] = (
                line[:at]
                + draw(st.sampled_from([":", "- ", "{", "'", "&a", "*a", "#"]))
                + line[at:]
            )
    return "".join(lines)


@PROPERTY
@given(text=mutated_texts())
def test_mutated_valid_texts(workdir: Path, text: str) -> None:
    _validate(workdir, text)


@pytest.mark.parametrize("config", VALID_CONFIGS, ids=["minimal", "full", "cluster"])
def test_the_starting_points_are_valid(workdir: Path, config: Any) -> None:
    path = workdir / "sindri.yaml"
    path.write_text(_dump(config), encoding="utf-8")
    result = CliRunner().invoke(cli, ["-c", str(path), "config", "validate"])
    assert result.exit_code == 0, result.output


@settings(max_examples=500, deadline=None)
@given(text=st.from_regex(rules._PLAIN_RANGE, fullmatch=True))
def test_every_range_validation_takes_without_the_parser_is_one_the_parser_accepts(
    text: str,
) -> None:
    # config validate accepts these ranges without importing image.semver; plan and deploy
    # parse them with it, and must accept every one.
    rng = Range.parse(text)
    assert str(rng) == text
