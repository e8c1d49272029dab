"""Preparing a local Dockerfile for E2B's Dockerfile support: variables resolved as docker
build resolves them, read back by the SDK's own parser, and the Dockerfiles that parser refuses
sent to a local build instead."""

from __future__ import annotations

import json

import pytest
from e2b import Template

from sindri_providers_e2b.dockerfile import prepare


def sdk_steps(content: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """The base image and the steps the SDK makes of ``content`` (its definition as sent)."""
    definition = json.loads(Template.to_json(Template().from_dockerfile(content)))
    return definition["fromImage"], [(s["type"], s["args"]) for s in definition["steps"]]


def test_variables_are_resolved_where_docker_resolves_them():
    text = (
        "ARG BASE=ubuntu\n"
        "ARG TAG\n"
        "FROM ${BASE}:${TAG:-22.04}\n"
        "# a comment\n"
        "ARG VERSION=1.0\n"
        "ENV HOME_DIR=/home/${USER:-dev} \\\n"
        "    MODE=${VERSION:+set}\n"
        "RUN echo $VERSION \\\n"
        "  && true\n"
        "COPY app /opt/app-$VERSION\n"
        "WORKDIR ${HOME_DIR}\n"
        "USER \\$literal\n"
        "LABEL kept=yes\n"
    )
    prepared = prepare(text, {"TAG": "24.04", "VERSION": "3.2.0"})
    assert prepared.local_reason is None
    assert prepared.content.splitlines() == [
        "FROM ubuntu:24.04",
        "ARG VERSION=3.2.0",
        "ENV HOME_DIR=/home/dev MODE=set",
        "RUN echo $VERSION   && true",  # the shell expands RUN, with VERSION in its environment
        "COPY app /opt/app-3.2.0",
        "WORKDIR /home/dev",
        'USER "\\$literal"',
        "LABEL kept=yes",
    ]


def test_an_arg_without_value_or_build_argument_stays_unset():
    prepared = prepare("FROM scratch\nARG DISTRO\nWORKDIR /x${DISTRO}\n", {})
    assert prepared.content == "FROM scratch\nWORKDIR /x\n"


def test_a_global_arg_reaches_a_stage_only_when_declared_there():
    text = "ARG V=1\nFROM a:$V\nWORKDIR /w$V\nARG V\nUSER u$V\n"
    assert prepare(text, {}).content == "FROM a:1\nWORKDIR /w\nARG V=1\nUSER u1\n"


AWKWARD = "a b=\"c d\" #e 'f' g=h \\ $HOME ünï 名"


def test_quoted_values_continuations_and_arg_expansion_reach_the_sdk_unchanged():
    """What e2b 2.50 could not take (quotes, spaces, '=') goes to the SDK directly now."""
    text = (
        "FROM busybox:1.36\n"
        'ARG GREETING="hello world"\n'
        "ARG OPTS\n"
        'ENV QUOTED="x y" \\\n'
        "    SINGLE='it''s' \\\n"
        "    FROM_ARG=${GREETING}!\n"
    )
    prepared = prepare(text, {"OPTS": AWKWARD})
    assert prepared.local_reason is None
    image, steps = sdk_steps(prepared.content)
    assert image == "busybox:1.36"
    envs = [args for kind, args in steps if kind == "ENV"]
    assert ["GREETING", "hello world"] in envs
    assert ["OPTS", AWKWARD] in envs
    assert ["QUOTED", "x y", "SINGLE", "its", "FROM_ARG", "hello world!"] in envs


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("FROM a AS build\nRUN make\nFROM b\nCOPY --from=build /o /o\n", "Multi-stage"),
        ("FROM a\nCOPY --from=other /o /o\n", "--from"),
        ("FROM a\nADD https://example.com/x /x\n", "remote URL"),
        ("RUN true\n", "FROM"),
    ],
)
def test_what_the_sdk_refuses_goes_to_a_local_build_with_its_reason(text, reason):
    prepared = prepare(text, {})
    assert prepared.local_reason is not None and reason in prepared.local_reason
    assert prepared.content == text


def test_the_sdk_notes_never_reach_standard_output(capsys):
    prepare("FROM a\nHEALTHCHECK CMD true\nRUN --network=none true\n", {})
    assert capsys.readouterr().out == ""
