"""Image references, parsed and normalised by the distribution reference grammar.

The grammar (distribution/reference, OCI distribution-spec)::

    reference  := name [ ":" tag ] [ "@" digest ]
    name       := [ registry "/" ] path
    registry   := host [ ":" port ]          host: DNS name, IPv4 or "[" IPv6 "]"
    path       := component ( "/" component )*
    component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
    tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
    digest     := "sha256:" 64 hex | "sha512:" 128 hex

The first path component is a registry only if it contains ``.`` or ``:``, is ``localhost``
or holds an upper-case letter (a repository cannot, so ``LOCALDOMAIN/debian`` names the host
``LOCALDOMAIN``); otherwise the image is on Docker Hub (``docker.io``, one-component names
get ``library/``, the API lives at ``registry-1.docker.io``). A bracketed IPv6 host holds
hex digits and colons only (no zone such as ``%eth0``, no embedded IPv4), and must be an
address. The 255-character limit applies to the path, as distribution's ``Parse`` checks
it. ``name:tag@digest`` keeps both parts: the digest is what is pulled, the tag is what a
human reads. distribution/reference's own test vectors run in tests/core.

Everything is checked here, before any command or request is made with a reference.
"""

from __future__ import annotations

import ipaddress
import re

import attrs

from sindri_core.errors import ConfigError

__all__ = [
    "DOCKER_HUB",
    "DOCKER_HUB_API",
    "ImageReference",
    "validate_digest",
    "validate_tag",
]

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io"})
_MAX_NAME = 255

_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_DOMAIN_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_HEX = re.compile(r"[a-f0-9]+")
_IPV6_TEXT = re.compile(r"[A-Fa-f0-9:]+")
_DIGEST_LENGTHS = {"sha256": 64, "sha512": 128}
_IMAGE_ID = re.compile(r"[a-f0-9]{64}")


def _invalid(text: str, problem: str, field: str | None) -> ConfigError:
    return ConfigError(f"invalid image reference {text!r}: {problem}", path=field)


def validate_tag(tag: str) -> str | None:
    """What is wrong with ``tag``, or ``None`` when it is a valid tag."""
    if not tag:
        return "the tag is empty"
    if not _TAG.fullmatch(tag):
        if len(tag) > 128:
            return f"tag {tag[:20]!r}... is longer than 128 characters"
        return (
            f"tag {tag!r} is not valid; a tag starts with a letter, digit or '_' and "
            "continues with letters, digits, '_', '.' or '-'"
        )
    return None


def validate_digest(digest: str) -> str | None:
    """What is wrong with ``digest``, or ``None`` when it is a valid sha256/sha512 digest."""
    algorithm, sep, encoded = digest.partition(":")
    if not sep or not encoded:
        return f"digest {digest!r} is not <algorithm>:<hex>"
    if algorithm not in _DIGEST_LENGTHS:
        return f"digest algorithm {algorithm!r} is not supported; allowed: sha256, sha512"
    length = _DIGEST_LENGTHS[algorithm]
    if not _HEX.fullmatch(encoded) or len(encoded) != length:
        return f"{algorithm} digest must be {length} lowercase hex characters"
    return None


def _validate_registry(registry: str) -> str | None:
    host, port = registry, None
    if registry.startswith("["):
        end = registry.find("]")
        if end == -1:
            return f"registry {registry!r} has an unclosed '['"
        host, rest = registry[1:end], registry[end + 1 :]
        if not _IPV6_TEXT.fullmatch(host):
            return (
                f"registry {registry!r}: {host!r} is not an IPv6 address of hex digits and "
                "colons (no zone, no embedded IPv4)"
            )
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"registry {registry!r}: {host!r} is not an IPv6 address"
        if rest:
            if not rest.startswith(":"):
                return f"registry {registry!r} is not host[:port]"
            port = rest[1:]
    else:
        host, sep, port_text = registry.partition(":")
        port = port_text if sep else None
        if not host or not all(_DOMAIN_LABEL.fullmatch(label) for label in host.split(".")):
            return f"registry {registry!r} is not a valid host[:port]"
    if port is not None and (not port.isdigit() or not 0 < int(port) < 65536):
        return f"registry {registry!r} has an invalid port {port!r}"
    return None


def _validate_path(path: str) -> str | None:
    if path != path.lower():
        return f"repository {path!r} must be lowercase"
    for component in path.split("/"):
        if not component:
            return f"repository {path!r} has an empty path component"
        if not _COMPONENT.fullmatch(component):
            return (
                f"repository component {component!r} is not valid; use lowercase letters and "
                "digits separated by '.', '_', '__' or '-'"
            )
    return None


def _split_registry(name: str) -> tuple[str, str]:
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        return (DOCKER_HUB if first in _HUB_ALIASES else first), rest
    return DOCKER_HUB, name


@attrs.frozen
class ImageReference:
    """A parsed, normalised image reference.

    :param registry: ``docker.io``, ``ghcr.io``, ``127.0.0.1:5000``, ``[::1]:5000``.
    :param repository: the path within the registry, e.g. ``library/busybox``.
    :param tag: the tag, if written.
    :param digest: ``sha256:…``/``sha512:…``, if written.
    """

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, text: str, *, field: str | None = None) -> ImageReference:
        """Parse ``text``.

        :param field: the configuration field the text came from, for the error message.
        :raises ConfigError: naming the reference and what is wrong with it.
        """
        if not isinstance(text, str) or not text.strip():
            raise _invalid(str(text), "the reference is empty", field)
        if text != text.strip() or any(c.isspace() for c in text):
            raise _invalid(text, "it contains whitespace", field)
        if "://" in text:
            raise _invalid(text, "write it without a scheme (no http:// or https://)", field)
        remainder, at, digest = text.partition("@")
        if at:
            problem = validate_digest(digest)
            if problem:
                raise _invalid(text, problem, field)
        tag = None
        colon, slash = remainder.rfind(":"), remainder.rfind("/")
        if colon > slash:
            remainder, tag = remainder[:colon], remainder[colon + 1 :]
            problem = validate_tag(tag)
            if problem:
                raise _invalid(text, problem, field)
        if not remainder:
            raise _invalid(text, "the repository name is missing", field)
        if _IMAGE_ID.fullmatch(remainder):
            raise _invalid(text, "a 64-character hex string is an image ID, not a name", field)
        registry, path = _split_registry(remainder)
        problem = _validate_registry(registry) or _validate_path(path)
        if problem:
            raise _invalid(text, problem, field)
        if registry == DOCKER_HUB and "/" not in path:
            path = f"library/{path}"
        if len(path) > _MAX_NAME:
            raise _invalid(
                text, f"the repository path is longer than {_MAX_NAME} characters", field
            )
        return cls(registry=registry, repository=path, tag=tag, digest=digest or None)

    @classmethod
    def parse_repository(cls, text: str, *, field: str | None = None) -> ImageReference:
        """Parse a repository without tag or digest (``image_config.registry``)."""
        reference = cls.parse(text, field=field)
        if reference.tag is not None or reference.digest is not None:
            raise _invalid(
                text,
                "name a repository without tag or digest (use tag_override or digest for those)",
                field,
            )
        return reference

    @property
    def name(self) -> str:
        """``registry/repository``, normalised (``docker.io/library/busybox``)."""
        return f"{self.registry}/{self.repository}"

    @property
    def api_host(self) -> str:
        """The host serving the registry API: Docker Hub's is ``registry-1.docker.io``."""
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    def with_tag(self, tag: str) -> ImageReference:
        problem = validate_tag(tag)
        if problem:
            raise _invalid(f"{self.name}:{tag}", problem, None)
        return attrs.evolve(self, tag=tag)

    def with_digest(self, digest: str) -> ImageReference:
        """The same reference pinned to ``digest`` (the tag, if any, is kept for humans)."""
        problem = validate_digest(digest)
        if problem:
            raise _invalid(f"{self.name}@{digest}", problem, None)
        return attrs.evolve(self, digest=digest)

    def __str__(self) -> str:
        text = self.name
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text
