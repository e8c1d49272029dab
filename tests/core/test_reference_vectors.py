"""sindri_core.image.reference against distribution/reference's own test vectors.

fixtures/distribution_reference_vectors.json holds them as data (its header names the files
and commit). sindri parses the way Docker does, with ``ParseNormalizedNamed``; the ``Parse``
and regexp vectors name no Docker Hub default, so for them the test says what the
normalised result must be. Every row runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sindri_core.errors import ConfigError
from sindri_core.image.reference import ImageReference, _validate_registry

VECTORS = json.loads(
    (Path(__file__).parent / "fixtures" / "distribution_reference_vectors.json").read_text()
)


def _parse(text: str) -> ImageReference | None:
    try:
        return ImageReference.parse(text)
    except ConfigError:
        return None


def _is_docker_domain(first: str) -> bool:
    """distribution's splitDockerDomain: when a first component names a registry."""
    return "." in first or ":" in first or first == "localhost" or first != first.lower()


def _normalised(domain: str, path: str) -> str:
    """The name ParseNormalizedNamed gives a ``Parse`` result of ``domain`` and ``path``."""
    name = f"{domain}/{path}" if domain else path
    first, _, rest = name.partition("/")
    if rest and _is_docker_domain(first):
        return f"docker.io/{rest}" if first == "index.docker.io" else name
    return f"docker.io/{name}" if "/" in name else f"docker.io/library/{name}"


def _id(text: str) -> str:
    return text if len(text) < 60 else f"{text[:40]}...({len(text)})"


@pytest.mark.parametrize(
    "row", VECTORS["reference_parse"], ids=[_id(r["input"]) for r in VECTORS["reference_parse"]]
)
def test_reference_parse(row: dict[str, str]) -> None:
    reference = _parse(row["input"])
    if row.get("err") == "digest.ErrDigestUnsupported" and "@sha512:" in row["input"]:
        # The upstream test binary links no SHA-512; Docker's does, and OCI registers it.
        assert reference is not None and reference.digest.startswith("sha512:")
        return
    if "err" in row:
        assert reference is None
        return
    assert reference is not None
    assert reference.tag == row.get("tag")
    assert reference.digest == row.get("digest")
    domain = row.get("domain", "")
    assert reference.name == _normalised(domain, row["repository"].removeprefix(f"{domain}/"))


@pytest.mark.parametrize("text", VECTORS["normalized_valid"], ids=_id)
def test_normalized_valid(text: str) -> None:
    assert _parse(text) is not None


@pytest.mark.parametrize("text", VECTORS["normalized_invalid"], ids=_id)
def test_normalized_invalid(text: str) -> None:
    assert _parse(text) is None


@pytest.mark.parametrize(
    "row",
    VECTORS["repository_info"],
    ids=[r["FamiliarName"] for r in VECTORS["repository_info"]],
)
def test_repository_info(row: dict[str, str]) -> None:
    for text in filter(None, (row["FamiliarName"], row["FullName"], row["AmbiguousName"])):
        reference = _parse(text)
        assert reference is not None, text
        assert (reference.registry, reference.repository) == (row["Domain"], row["RemoteName"])
        assert reference.name == row["FullName"]


# Hosts distribution's grammar admits and leaves to later validation ("it will fail in
# validation", regexp_test.go): sindri checks the port range and the IPv6 address at once.
_LATER_VALIDATION = {
    "192.168.1.1:75050",
    "192.168.1.1:750050",
    "[fd00:1:2::3]:75050",
    "[fd00123123123]:75050",
    "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050",
    "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:750505",
}


@pytest.mark.parametrize(
    "row", VECTORS["domain_regexp"], ids=[r["input"] for r in VECTORS["domain_regexp"]]
)
def test_domain_regexp(row: dict) -> None:
    accepted = _validate_registry(row["input"]) is None
    expected = row["match"] and row["input"] not in _LATER_VALIDATION
    assert accepted is expected


def test_only_the_listed_hosts_are_left_to_later_validation() -> None:
    matched = {row["input"] for row in VECTORS["domain_regexp"] if row["match"]}
    assert _LATER_VALIDATION.issubset(matched)


@pytest.mark.parametrize(
    "row", VECTORS["full_name_regexp"], ids=[_id(r["input"]) for r in VECTORS["full_name_regexp"]]
)
def test_full_name_regexp(row: dict) -> None:
    """A name without tag or digest; what the grammar admits, normalised, within the limit."""
    try:
        reference = ImageReference.parse_repository(row["input"])
    except ConfigError:
        reference = None
    name = _normalised(*row.get("subs", ("", row["input"])))
    if not row["match"] or len(name.partition("/")[2]) > 255:
        assert reference is None
        return
    assert reference is not None
    assert reference.name == name
