"""Preparing a local Dockerfile for E2B's Dockerfile support: variables resolved as docker
build resolves them, and the Dockerfiles E2B would misread sent to a local build instead."""

from __future__ import annotations

import pytest

from sindri_providers_e2b.dockerfile import prepare


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
        "LABEL dropped=yes\n"
        "EXPOSE 8080\n"
    )
    prepared = prepare(text, {"TAG": "24.04", "VERSION": "3.2.0"})
    assert prepared.local_reason is None
    assert prepared.content.splitlines() == [
        "FROM ubuntu:24.04",
        "ENV VERSION=3.2.0",
        "ENV HOME_DIR=/home/dev",
        "ENV MODE=set",
        "RUN echo $VERSION  && true",  # the shell expands RUN, with VERSION in its environment
        "COPY app /opt/app-3.2.0",
        "WORKDIR /home/dev",
        "USER $literal",
    ]


def test_an_arg_without_value_or_build_argument_stays_unset():
    prepared = prepare("FROM scratch\nARG DISTRO\nWORKDIR /x${DISTRO}\n", {})
    assert prepared.content == "FROM scratch\nWORKDIR /x\n"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("FROM a AS build\nRUN make\nFROM b\nCOPY --from=build /o /o\n", "2 stages"),
        ('FROM a\nENV GREETING="hello world"\n', "GREETING"),
        ("FROM a\nARG OPTS\n", "OPTS"),
    ],
)
def test_what_e2b_would_misread_goes_to_a_local_build(text, reason):
    prepared = prepare(text, {"OPTS": "a=b"})
    assert prepared.local_reason is not None and reason in prepared.local_reason
