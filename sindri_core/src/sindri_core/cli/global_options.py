"""The global options (``-c``, ``-v``, ``-q``, ``--debug``), accepted before the command and
after it, as docker, kubectl and flyctl accept theirs: ``sindri -q deploy`` and
``sindri deploy -q`` mean the same.

The root group declares them; :func:`accept_after` adds the same options to every
subcommand, where they update the invocation's :class:`~sindri_core.cli.main.Session`
(created by the root group before any subcommand parses its arguments).
"""

from __future__ import annotations

from typing import Any

import click

__all__ = ["accept_after", "global_options"]

CONFIG_HELP = (
    "Path to sindri.yaml (default: $SINDRI_CONFIG, else search the current directory and parents)."
)


def global_options(func: Any) -> Any:
    """The options as the root group declares them (their values build the Session); only
    here does ``-c`` fall back to ``SINDRI_CONFIG``, so a ``-c`` after the command wins."""
    for option in reversed(_declarations()):
        attrs: dict[str, Any] = dict(option["attrs"])
        if option["decls"][0] == "-c":
            attrs["envvar"] = "SINDRI_CONFIG"
        func = click.option(*option["decls"], **attrs)(func)
    return func


def _declarations() -> list[dict[str, Any]]:
    return [
        {
            "decls": ("-c", "--config"),
            "attrs": {"type": click.Path(dir_okay=False), "help": CONFIG_HELP},
        },
        {"decls": ("-v", "--verbose"), "attrs": {"count": True, "help": "More output."}},
        {
            "decls": ("-q", "--quiet"),
            "attrs": {"is_flag": True, "help": "Only warnings and errors."},
        },
        {
            "decls": ("--debug",),
            "attrs": {"is_flag": True, "help": "Show tracebacks for unexpected errors."},
        },
    ]


def accept_after(command: click.Command) -> click.Command:
    """Let ``command`` (and, for a group, each of its subcommands) take the global options."""
    if getattr(command, "_sindri_global_options", False):
        return command
    for option in _declarations():
        name = option["decls"][-1].lstrip("-")
        command.params.append(
            click.Option(
                option["decls"],
                expose_value=False,
                callback=_updates_session(name),
                **option["attrs"],
            )
        )
    command._sindri_global_options = True  # type: ignore[attr-defined]
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            accept_after(sub)
    return command


def _updates_session(name: str) -> Any:
    def update(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        from sindri_core.cli.main import Session

        session = ctx.find_object(Session)
        if session is None or not value:
            return
        if name == "config":
            session.config_path = value
        elif name == "verbose":
            if session.verbosity >= 0:  # -q wins, wherever it is given
                session.verbosity += value
        elif name == "quiet":
            session.verbosity = -1
        else:
            session.debug = True

    return update
