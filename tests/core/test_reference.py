"""Image references by the distribution reference grammar (edge cases other clients get wrong)."""

from __future__ import annotations

import pytest

from sindri_core.errors import ConfigError
from sindri_core.image.reference import ImageReference, validate_digest, validate_tag

SHA256 = "sha256:" + "ab" * 32
SHA512 = "sha512:" + "cd" * 64

# text -> (registry, repository, tag, digest, api_host, str())
VALID = {
    "busybox": ("docker.io", "library/busybox", None, None, "registry-1.docker.io",
                "docker.io/library/busybox"),
    "busybox:1.36": ("docker.io", "library/busybox", "1.36", None, "registry-1.docker.io",
                     "docker.io/library/busybox:1.36"),
    "docker.io/busybox": ("docker.io", "library/busybox", None, None, "registry-1.docker.io",
                          "docker.io/library/busybox"),
    "index.docker.io/library/busybox:latest": (
        "docker.io", "library/busybox", "latest", None, "registry-1.docker.io",
        "docker.io/library/busybox:latest"),
    "pacphi/sindri": ("docker.io", "pacphi/sindri", None, None, "registry-1.docker.io",
                      "docker.io/pacphi/sindri"),
    "docker.io/pacphi/sindri:v3": ("docker.io", "pacphi/sindri", "v3", None,
                                   "registry-1.docker.io", "docker.io/pacphi/sindri:v3"),
    "ghcr.io/pacphi/sindri:3.1.0": ("ghcr.io", "pacphi/sindri", "3.1.0", None, "ghcr.io",
                                    "ghcr.io/pacphi/sindri:3.1.0"),
    # name:tag@digest keeps both
    f"ghcr.io/pacphi/sindri:3.1.0@{SHA256}": (
        "ghcr.io", "pacphi/sindri", "3.1.0", SHA256, "ghcr.io",
        f"ghcr.io/pacphi/sindri:3.1.0@{SHA256}"),
    f"ghcr.io/pacphi/sindri@{SHA512}": ("ghcr.io", "pacphi/sindri", None, SHA512, "ghcr.io",
                                        f"ghcr.io/pacphi/sindri@{SHA512}"),
    # a ':' whose suffix contains '/' is a port, not a tag
    "localhost:5000/devenv/tiny": ("localhost:5000", "devenv/tiny", None, None,
                                   "localhost:5000", "localhost:5000/devenv/tiny"),
    "localhost:5000/devenv/tiny:1.0": ("localhost:5000", "devenv/tiny", "1.0", None,
                                       "localhost:5000", "localhost:5000/devenv/tiny:1.0"),
    "localhost/img": ("localhost", "img", None, None, "localhost", "localhost/img"),
    "127.0.0.1:5000/x:1": ("127.0.0.1:5000", "x", "1", None, "127.0.0.1:5000",
                           "127.0.0.1:5000/x:1"),
    "[::1]:5000/x": ("[::1]:5000", "x", None, None, "[::1]:5000", "[::1]:5000/x"),
    "registry.example.com/a/b/c:t_1": ("registry.example.com", "a/b/c", "t_1", None,
                                       "registry.example.com", "registry.example.com/a/b/c:t_1"),
    "example.com:443/x": ("example.com:443", "x", None, None, "example.com:443",
                          "example.com:443/x"),
    # the Rust tool read this as repository 'sindri:v3.0.0' with tag latest
    "sindri:v3.0.0": ("docker.io", "library/sindri", "v3.0.0", None, "registry-1.docker.io",
                      "docker.io/library/sindri:v3.0.0"),
    # separators: '.', '_', '__', runs of '-'
    "ghcr.io/a.b/c_d/e__f/g---h": ("ghcr.io", "a.b/c_d/e__f/g---h", None, None, "ghcr.io",
                                   "ghcr.io/a.b/c_d/e__f/g---h"),
    # a first component without '.', ':' and not localhost is a Hub namespace
    "myregistry/x": ("docker.io", "myregistry/x", None, None, "registry-1.docker.io",
                     "docker.io/myregistry/x"),
    # a bare 'localhost' (no slash) is a Hub repository, as in distribution
    "localhost": ("docker.io", "library/localhost", None, None, "registry-1.docker.io",
                  "docker.io/library/localhost"),
    "x:" + "a" * 128: ("docker.io", "library/x", "a" * 128, None, "registry-1.docker.io",
                       "docker.io/library/x:" + "a" * 128),
}  # fmt: skip


@pytest.mark.parametrize("text", list(VALID))
def test_valid_references(text: str) -> None:
    registry, repository, tag, digest, api_host, text_form = VALID[text]
    reference = ImageReference.parse(text)
    assert (reference.registry, reference.repository, reference.tag, reference.digest) == (
        registry,
        repository,
        tag,
        digest,
    )
    assert reference.api_host == api_host
    assert reference.name == f"{registry}/{repository}"
    assert str(reference) == text_form
    # normalisation is idempotent
    assert ImageReference.parse(str(reference)) == reference


# text -> a fragment the error must contain
INVALID = {
    "": "empty",
    "   ": "empty",
    "busybox ": "whitespace",
    "Busybox": "must be lowercase",
    "ghcr.io/Pacphi/sindri": "must be lowercase",
    "https://ghcr.io/pacphi/sindri": "without a scheme",
    "busybox:": "tag is empty",
    "busybox:-x": "is not valid",
    "busybox:.x": "is not valid",
    "busybox:" + "a" * 129: "longer than 128",
    "busybox:a+b": "is not valid",
    "busybox@": "not <algorithm>:<hex>",
    "busybox@sha256:abc": "64 lowercase hex",
    "busybox@sha256:" + "AB" * 32: "64 lowercase hex",
    "busybox@sha512:" + "a" * 64: "128 lowercase hex",
    "busybox@md5:" + "a" * 32: "not supported; allowed: sha256, sha512",
    "busybox@" + "a" * 64: "not <algorithm>:<hex>",
    "a" * 64: "image ID",
    ":tag": "repository name is missing",
    "ghcr.io/": "empty path component",
    "ghcr.io//x": "empty path component",
    "ghcr.io/x/": "empty path component",
    "ghcr.io/-x": "is not valid",
    "ghcr.io/x-": "is not valid",
    "ghcr.io/a...b": "is not valid",
    "ghcr.io/a___b": "is not valid",
    "ghcr.io:0/x": "invalid port",
    "ghcr.io:70000/x": "invalid port",
    "ghcr.io:abc/x": "invalid port",
    "bad_host.io/x": "not a valid host",
    "-bad.io/x": "not a valid host",
    "ex..com/x": "not a valid host",
    "[::1/x": "unclosed",
    "[zz]:5000/x": "not an IPv6 address",
    "[::1]x/y": "not host[:port]",
    "ghcr.io/" + "a" * 256: "path is longer than 255",
    "a" * 248: "path is longer than 255",  # library/ counts: docker.io/library/aaa...
}


@pytest.mark.parametrize("text", list(INVALID))
def test_invalid_references_name_reference_and_problem(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        ImageReference.parse(text, field="deployment.image")
    message = str(caught.value)
    assert message.startswith("deployment.image: invalid image reference ")
    assert INVALID[text] in message
    assert "\n" not in message
    assert caught.value.exit_code == 2


def test_parse_repository_refuses_tag_and_digest() -> None:
    assert ImageReference.parse_repository("ghcr.io/pacphi/sindri").tag is None
    for text in ("ghcr.io/pacphi/sindri:3", f"ghcr.io/pacphi/sindri@{SHA256}"):
        with pytest.raises(ConfigError, match="without tag or digest"):
            ImageReference.parse_repository(text, field="deployment.image_config.registry")


def test_with_digest_and_tag() -> None:
    reference = ImageReference.parse("ghcr.io/pacphi/sindri").with_tag("3.1.0")
    pinned = reference.with_digest(SHA256)
    assert str(pinned) == f"ghcr.io/pacphi/sindri:3.1.0@{SHA256}"
    assert pinned.tag == "3.1.0" and reference.digest is None
    with pytest.raises(ConfigError, match="64 lowercase hex"):
        reference.with_digest("sha256:00")
    with pytest.raises(ConfigError, match="is not valid"):
        reference.with_tag("-bad")


@pytest.mark.parametrize(
    ("tag", "ok"),
    [("latest", True), ("_x", True), ("3.1.0-fedora", True), ("V3", True), ("", False),
     (".x", False), ("a/b", False), ("a" * 128, True), ("a" * 129, False)],
)  # fmt: skip
def test_validate_tag(tag: str, ok: bool) -> None:
    assert (validate_tag(tag) is None) is ok


@pytest.mark.parametrize(
    ("digest", "ok"),
    [(SHA256, True), (SHA512, True), ("sha256:" + "a" * 63, False), ("sha384:" + "a" * 96, False),
     ("sha256", False), ("sha256:" + "g" * 64, False)],
)  # fmt: skip
def test_validate_digest(digest: str, ok: bool) -> None:
    assert (validate_digest(digest) is None) is ok
