"""A local Dockerfile prepared for E2B's Dockerfile support, or the reason it cannot be.

Whether E2B can take a Dockerfile is decided by the SDK's own reading of it
(``e2b.template.dockerfile_parser``, on ``e2b-dockerfile-utils``: BuildKit's parser and shell
lexer): a Dockerfile it refuses (several stages, ``COPY --from``, ``ADD`` from a URL…) goes to a
local ``docker build`` instead, with the SDK's message as the reason. Nothing here restates its
rules.

What the SDK does not do is resolve variables: it has no build arguments and keeps ``$VAR`` as
written. So before a Dockerfile goes there, sindri resolves them the way ``docker build`` does
(build arguments, then ``ARG`` defaults, then ``ENV``; an ``ARG`` before ``FROM`` is for
``FROM`` only) in the instructions Docker expands (``FROM``, ``ARG``, ``ENV``, ``COPY``,
``ADD``, ``WORKDIR``, ``USER``), with the same parser and lexer, and writes each resolved word
back quoted so that lexer reads exactly that value. ``RUN``, ``CMD``, ``ENTRYPOINT`` and the
rest are left as written: the shell sees the values as environment.
"""

from __future__ import annotations

import contextlib
import io
import re
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from e2b_dockerfile_utils import DockerfileInstruction, ShellLex

__all__ = ["PreparedDockerfile", "prepare", "sdk_reading"]

# A word the lexer reads back unchanged without quotes.
_BARE = re.compile(r"[^\s\"'$`\\]+")


@attrs.frozen
class PreparedDockerfile:
    """``content`` for E2B's Dockerfile support, or ``local_reason`` to build it locally."""

    content: str
    local_reason: str | None = None


@contextlib.contextmanager
def sdk_reading() -> Any:
    """Around the SDK's Dockerfile reading: it prints its notes (skipped instructions,
    ignored flags) on standard output, which is sindri's (``--json``)."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


class _Discard:
    """A template builder that records nothing: only whether the SDK accepts the Dockerfile."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: self


def prepare(text: str, build_args: dict[str, str]) -> PreparedDockerfile:
    """Resolve every variable of a Dockerfile; say why it must be built locally, if it must."""
    from e2b.template.dockerfile_parser import parse_dockerfile
    from e2b_dockerfile_utils import parse_dockerfile_ast

    try:
        with sdk_reading():
            parse_dockerfile(text, _Discard())  # type: ignore[arg-type]
        ast = parse_dockerfile_ast(text)
        content = _Resolver(ast.escape_token, build_args).resolve(ast.instructions)
        with sdk_reading():
            parse_dockerfile(content, _Discard())  # type: ignore[arg-type]
    except ValueError as exc:  # DockerfileSyntaxError, or the lexer's bad substitution
        return PreparedDockerfile(text, f"E2B's Dockerfile support cannot take it ({exc})")
    return PreparedDockerfile(content)


class _Resolver:
    def __init__(self, escape: str, build_args: dict[str, str]) -> None:
        self._escape = escape
        self._build_args = build_args
        self._global: dict[str, str] = {}  # ARGs before FROM: for FROM only
        self._scope: dict[str, str] = {}
        self._in_stage = False

    def resolve(self, instructions: list[DockerfileInstruction]) -> str:
        lines = [] if self._escape == "\\" else [f"# escape={self._escape}"]
        for instruction in instructions:
            line = self._line(instruction)
            if line is not None:
                lines.append(line)
        return "\n".join(lines) + "\n"

    def _lex(self) -> ShellLex:
        from e2b_dockerfile_utils import ShellLex

        return ShellLex(self._escape, env=self._scope, skip_unset_env=False)

    def _word(self, value: str) -> str:
        """``value`` as a Dockerfile word the lexer reads back as exactly ``value``."""
        if _BARE.fullmatch(value):
            return value
        if "\n" in value:
            from e2b_dockerfile_utils import DockerfileSyntaxError

            raise DockerfileSyntaxError(f"a resolved value holds a line break: {value!r}")
        quoted = value.replace(self._escape, self._escape * 2)
        for special in ('"', "$"):
            quoted = quoted.replace(special, self._escape + special)
        return f'"{quoted}"'

    def _resolved(self, raw: str) -> str:
        return self._lex().process_word(raw)

    def _line(self, instruction: DockerfileInstruction) -> str | None:
        name, args = instruction.name, instruction.args
        if name == "FROM":
            self._scope = dict(self._global)
            image = self._word(self._resolved(args[0]))
            self._scope, self._in_stage = {}, True
            return f"FROM {image}"
        if name == "ARG":
            return self._arg(args)
        if name == "ENV":
            pairs = []
            for key, raw in zip(args[0::3], args[1::3], strict=True):
                key, value = self._resolved(key), self._resolved(raw)
                self._scope[key] = value
                pairs.append(f"{key}={self._word(value)}")
            return "ENV " + " ".join(pairs)
        if name in ("WORKDIR", "USER"):
            return f"{name} {self._word(self._resolved(args[0]))}"
        if name in ("COPY", "ADD") and not instruction.heredocs:
            flags = [self._flag(flag) for flag in instruction.flags]
            words = [self._word(self._resolved(arg)) for arg in args]
            return " ".join([name, *flags, *words])
        return _as_written(instruction)

    def _arg(self, args: list[str]) -> str | None:
        pairs = []
        for arg in args:
            raw_name, has_default, raw = arg.partition("=")
            key = self._resolved(raw_name)
            value = self._build_args.get(key)
            if value is None and has_default:
                value = self._resolved(raw)
            if value is None and self._in_stage:
                value = self._global.get(key)  # ARG X in a stage takes the global X
            if value is None:
                continue  # declared without a value: unset, as in Docker
            if not self._in_stage:
                self._global[key] = value
                continue
            self._scope[key] = value
            pairs.append(f"{key}={self._word(value)}")
        return "ARG " + " ".join(pairs) if pairs else None

    def _flag(self, flag: str) -> str:
        name, has_value, raw = flag.partition("=")
        return f"{name}={self._word(self._resolved(raw))}" if has_value else flag


def _as_written(instruction: DockerfileInstruction) -> str:
    """The instruction as written (continuation lines joined), with its heredoc bodies."""
    parts = [instruction.original]
    parts += [heredoc.content + heredoc.name for heredoc in instruction.heredocs]
    return "\n".join(parts)
