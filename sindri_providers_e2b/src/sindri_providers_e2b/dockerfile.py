"""A local Dockerfile prepared for E2B's Dockerfile support, or the reason it cannot be.

E2B's Dockerfile support (the SDK's ``Template.from_dockerfile``) takes one stage only, does not
expand ``${VAR}`` anywhere, and re-reads ``ARG``/``ENV`` values with a pattern that strips
quotes and splits on ``word=``. So before a Dockerfile goes there, every variable is resolved
here the way ``docker build`` resolves it (build arguments, then ``ARG`` defaults, then ``ENV``;
``$VAR``, ``${VAR}``, ``${VAR:-word}``, ``${VAR:+word}``; ``\\$`` is a literal ``$``) in the
instructions Docker expands (``FROM``, ``COPY``, ``ADD``, ``WORKDIR``, ``USER``, ``ENV``,
``ARG``); ``RUN``, ``CMD`` and ``ENTRYPOINT`` are left to the shell, which sees the values as
environment. Instructions E2B skips (``LABEL``, ``EXPOSE``…) are left out here. A Dockerfile
whose meaning E2B would change goes to a local ``docker build`` instead.
"""

from __future__ import annotations

import re
import shlex

import attrs

__all__ = ["PreparedDockerfile", "prepare"]

_EXPANDED = {"FROM", "COPY", "ADD", "WORKDIR", "USER", "ENV", "ARG"}
# What E2B's Dockerfile support reads; it skips the rest (LABEL, EXPOSE…) with a print.
_KEPT = _EXPANDED | {"RUN", "CMD", "ENTRYPOINT"}
_VARIABLE = re.compile(r"\\\$|\$\{(\w+)(?::([-+])([^}]*))?\}|\$(\w+)")
# What E2B's ARG/ENV reading keeps intact: no whitespace, no quotes, no backslash, no '='.
_PLAIN = re.compile(r"[^\s\"'\\=]*")


@attrs.frozen
class PreparedDockerfile:
    """``content`` for E2B's Dockerfile support, or ``local_reason`` to build it locally."""

    content: str
    local_reason: str | None = None


def _logical_lines(text: str) -> list[str]:
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    if pending.strip():
        lines.append(pending.strip())
    return lines


def _expand(text: str, scope: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(0) == "\\$":
            return "$"
        name, operator, word, bare = match.groups()
        value = scope.get(name or bare, "")
        if operator == "-":
            return value or word
        if operator == "+":
            return word if value else ""
        return value

    return _VARIABLE.sub(one, text)


def _assignments(rest: str) -> list[tuple[str, str | None]]:
    """``K=V K2="V 2"`` or the legacy ``K V``; ``ARG K`` has no value."""
    words = shlex.split(rest, posix=True)
    if words and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]) if len(words) > 1 else None)]
    return [(w.split("=", 1)[0], w.split("=", 1)[1]) for w in words]


def prepare(text: str, build_args: dict[str, str]) -> PreparedDockerfile:
    """Resolve every variable of a Dockerfile; say why it must be built locally, if it must."""
    lines = _logical_lines(text)
    stages = sum(1 for line in lines if line.split(None, 1)[0].upper() == "FROM")
    if stages > 1:
        return PreparedDockerfile(text, f"the Dockerfile has {stages} stages (FROM lines)")
    scope: dict[str, str] = {}
    out: list[str] = []
    in_stage = False  # an ARG before FROM is for FROM only, as in Docker
    for line in lines:
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        in_stage = in_stage or keyword == "FROM"
        if keyword not in _KEPT:
            continue
        if keyword not in ("ARG", "ENV"):
            out.append(f"{keyword} {_expand(rest, scope) if keyword in _EXPANDED else rest}")
            continue
        for name, value in _assignments(rest):
            if keyword == "ARG" and value is None and name not in build_args:
                continue  # declared without a value: unset, as in Docker
            resolved = build_args.get(name) if keyword == "ARG" else None
            resolved = _expand(value or "", scope) if resolved is None else resolved
            scope[name] = resolved
            if not in_stage:
                continue
            if not _PLAIN.fullmatch(resolved):
                reason = (
                    f"{keyword} {name}'s value {resolved!r} would not reach E2B unchanged "
                    "(its Dockerfile support strips quotes and splits values on spaces and '=')"
                )
                return PreparedDockerfile(text, reason)
            out.append(f"ENV {name}={resolved}")
    return PreparedDockerfile("\n".join(out) + "\n")
