"""A model of how a spf13/cobra + spf13/pflag CLI parses its argv, for fake tools.

flyctl, devpod, kubectl, kind and k3d are all cobra programs, so one model of cobra's command
lookup (``Command.Find``) and pflag's flag parsing serves their fakes; each fake supplies its
command tree (from the tool's own command definitions, named in the fake's docstring) and how
the tool prints an error. Modelled (cobra v1.8, pflag v1.0.5, the versions those tools vendor):

* subcommands by name or alias; flags may come before, between and after positionals; ``--``
  ends flags;
* ``--name=value``, ``--name value``, ``--bool``, ``--bool=false``; ``-x value``, ``-xvalue``,
  ``-x=value``, and bool shorthands grouped (``-it``);
* persistent flags of every parent apply to the children;
* errors: ``unknown flag: --name``, ``unknown shorthand flag: 'x' in -x``, ``flag needs an
  argument: --name``, the positional-count messages of cobra's ``ExactArgs`` and friends, and
  ``unknown command "x" for "tool"`` at the root. A group command (no run function) given an
  unknown word prints its help and exits 0, as cobra does below the root.

A command lists the flags it defines; a fake may leave out flags sindri never passes (that only
makes the fake stricter) but never lists one the tool does not define.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

__all__ = [
    "Answer",
    "Command",
    "Invocation",
    "UsageFault",
    "bools",
    "parse",
    "parse_or_answer",
    "refusal",
    "values",
]

Answer = tuple[int, str, str]  # exit code, stdout, stderr


class UsageFault(Exception):
    """A cobra/pflag parse error: the tool prints ``message`` its own way."""

    def __init__(
        self, message: str, path: tuple[str, ...], counts: tuple[int, int | None] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.counts = counts  # the command's (minimum, maximum) when the argument count is off


def bools(*names: str) -> dict[str, bool]:
    """Bool flags (``name`` or ``name/x`` with a shorthand): ``True`` means no value."""
    return dict.fromkeys(names, True)


def values(*names: str) -> dict[str, bool]:
    """Flags that take a value."""
    return dict.fromkeys(names, False)


class Command(NamedTuple):  # not attrs: every fake call imports this, and attrs is slow to load
    """One cobra command: its flags (``{"name/x": takes_no_value}``), subcommands, and
    positional-argument rule ``(minimum, maximum)`` (``None`` = no limit)."""

    name: str
    flags: Mapping[str, bool] = {}
    persistent: Mapping[str, bool] = {}
    subcommands: tuple[Command, ...] = ()
    aliases: tuple[str, ...] = ()
    args: tuple[int, int | None] = (0, None)
    runnable: bool = True

    def child(self, word: str) -> Command | None:
        for sub in self.subcommands:
            if word == sub.name or word in sub.aliases:
                return sub
        return None


class Invocation(NamedTuple):
    """A parsed argv: the command path, its flags (last value wins) and positionals."""

    path: tuple[str, ...]
    flags: dict[str, str]
    args: list[str]
    dash_args: list[str]  # what came after "--"
    help_only: bool = False

    def flag(self, name: str, default: str | None = None) -> str | None:
        return self.flags.get(name, default)


def _table(chain: Iterable[Command]) -> dict[str, tuple[str, bool]]:
    """``--name`` and ``-x`` → (canonical name, is bool) for a command and its parents."""
    chain = list(chain)
    table: dict[str, tuple[str, bool]] = {}
    for index, command in enumerate(chain):
        own = dict(command.persistent)
        if index == len(chain) - 1:
            own.update(command.flags)
        for spec, is_bool in own.items():
            name, _, short = spec.partition("/")
            table["--" + name] = (name, is_bool)
            if short:
                table["-" + short] = (name, is_bool)
    return table


def _find(root: Command, argv: list[str]) -> list[Command]:
    """cobra's Find: follow subcommand words, skipping flags (and the values of non-bools)."""
    chain = [root]
    table = _table(chain)
    skip = False
    for word in argv:
        if skip:
            skip = False
            continue
        if word == "--":
            break
        if word.startswith("-"):
            known = table.get(word.split("=", 1)[0])
            skip = "=" not in word and known is not None and not known[1] and len(word) > 1
            continue
        sub = chain[-1].child(word)
        if sub is None:
            break
        chain.append(sub)
        table = _table(chain)
    return chain


def _take_value(argv: list[str], i: int, shown: str, path: tuple[str, ...]) -> tuple[str, int]:
    if i + 1 >= len(argv):
        raise UsageFault(f"flag needs an argument: {shown}", path)
    return argv[i + 1], i + 1


def _shorthands(
    word: str, argv: list[str], i: int, table: Mapping[str, tuple[str, bool]], path: tuple[str, ...]
) -> tuple[dict[str, str], int]:
    found: dict[str, str] = {}
    letters = word[1:]
    for pos, letter in enumerate(letters):
        known = table.get("-" + letter)
        if known is None:
            raise UsageFault(f"unknown shorthand flag: {letter!r} in {word}", path)
        name, is_bool = known
        rest = letters[pos + 1 :]
        if is_bool:
            found[name] = "true"
            continue
        if rest:
            found[name] = rest.removeprefix("=")
        else:
            found[name], i = _take_value(argv, i, f"{letter!r} in {word}", path)
        break
    return found, i


def _flags(
    argv: list[str], table: Mapping[str, tuple[str, bool]], path: tuple[str, ...]
) -> tuple[dict[str, str], list[str], list[str]]:
    flags: dict[str, str] = {}
    positionals: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            return flags, positionals, argv[i + 1 :]
        if word.startswith("--"):
            key, eq, value = word.partition("=")
            known = table.get(key)
            if known is None:
                raise UsageFault(f"unknown flag: {key}", path)
            name, is_bool = known
            if eq:
                flags[name] = value
            elif is_bool:
                flags[name] = "true"
            else:
                flags[name], i = _take_value(argv, i, key, path)
        elif word.startswith("-") and word != "-":
            found, i = _shorthands(word, argv, i, table, path)
            flags.update(found)
        else:
            positionals.append(word)
        i += 1
    return flags, positionals, []


def _check_count(command: Command, count: int, path: tuple[str, ...]) -> None:
    low, high = command.args
    if low == high and count != low:
        raise UsageFault(f"accepts {low} arg(s), received {count}", path, command.args)
    if count < low:
        raise UsageFault(
            f"requires at least {low} arg(s), only received {count}", path, command.args
        )
    if high is not None and count > high:
        raise UsageFault(f"accepts at most {high} arg(s), received {count}", path, command.args)


def parse(root: Command, argv: list[str]) -> Invocation:
    """Parse ``argv`` (without the program name) as cobra would.

    :raises UsageFault: what cobra/pflag would refuse.
    """
    chain = _find(root, argv)
    path = tuple(c.name for c in chain)
    words = list(argv)
    for command in chain[1:]:  # drop the subcommand words themselves (first occurrence)
        for index, word in enumerate(words):
            if word == command.name or word in command.aliases:
                del words[index]
                break
    flags, positionals, dash = _flags(words, _table(chain), path)
    command = chain[-1]
    if not command.runnable:
        if positionals and len(chain) == 1:
            raise UsageFault(f'unknown command "{positionals[0]}" for "{root.name}"', path)
        return Invocation(path, flags, positionals, dash, help_only=True)
    _check_count(command, len(positionals) + len(dash), path)
    return Invocation(path, flags, positionals, dash)


def parse_or_answer(
    root: Command,
    argv: list[str],
    refuse: Callable[[UsageFault], Answer],
    unknown_subcommand: Callable[[Invocation], Answer] | None = None,
) -> Invocation | Answer:
    """The invocation to act on, or the tool's answer: ``refuse(fault)`` for a usage error;
    for a group command, ``unknown_subcommand`` when given a word it does not know (tools
    whose groups check their arguments), else its help (exit 0), as cobra does."""
    try:
        invocation = parse(root, argv)
    except UsageFault as fault:
        return refuse(fault)
    if invocation.help_only:
        if invocation.args and unknown_subcommand is not None:
            return unknown_subcommand(invocation)
        return 0, f"Usage:\n  {' '.join(invocation.path)} [command]\n", ""
    return invocation


def refusal(
    root: Command, argv: list[str], refuse: Callable[[UsageFault], Answer]
) -> Answer | None:
    """The tool's answer when it would not run ``argv`` (see :func:`parse_or_answer`)."""
    answer = parse_or_answer(root, argv, refuse)
    return None if isinstance(answer, Invocation) else answer
