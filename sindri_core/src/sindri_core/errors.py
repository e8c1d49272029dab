"""The exceptions sindri raises on purpose, and the exit status each one means.

Every error a user can cause or meet is a :class:`SindriError`: the CLI prints its message on
one line and exits with :attr:`SindriError.exit_code`. Anything else that escapes is a bug, and
only ``--debug`` shows its traceback.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ConfigErrors",
    "ExternalCommandError",
    "NotImplementedYetError",
    "OperationError",
    "PluginFault",
    "PluginLoadError",
    "RegistryError",
    "SindriError",
    "StaleLockError",
    "UsageError",
    "VerificationError",
]


class SindriError(Exception):
    """Base class: an expected failure with a one-line, user-facing message."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class UsageError(SindriError):
    """Bad usage of a command or a refused request: exit status 2."""

    exit_code = 2


class ConfigError(UsageError):
    """Invalid configuration, located in its file when the location is known.

    Rendered as ``sindri.yaml:7:5: deployment.provider: 'dokcer' is not a provider; ...``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.file = file
        self.line = line
        self.column = column
        self.path = path

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        field = f"{self.path}: " if self.path else ""
        return f"{where}{field}{super().__str__()}"


class StaleLockError(SindriError):
    """``--locked``: the lock file is missing, or no longer answers for the configuration
    (exit status 5, so CI can tell "commit the lock" from a failed deploy)."""

    exit_code = 5


class ConfigErrors(ConfigError):
    """Several configuration errors found in one pass (``config validate`` lists them all).

    Shown elsewhere as the first, with how many more there are, on one line.
    """

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = [inner for error in errors for inner in _each(error)]
        first = self.errors[0]
        super().__init__(
            first.message,
            file=first.file,
            line=first.line,
            column=first.column,
            path=first.path,
            hint=first.hint,
        )

    @property  # type: ignore[override]
    def file(self) -> str | None:
        return self.errors[0].file if self.errors else None

    @file.setter
    def file(self, value: str | None) -> None:
        for error in getattr(self, "errors", ()):
            error.file = value

    def __str__(self) -> str:
        more = len(self.errors) - 1
        if more == 0:
            return str(self.errors[0])
        plural = "s" if more > 1 else ""
        return (
            f"{self.errors[0]} (and {more} more error{plural}: `sindri config validate` lists them)"
        )


def _each(error: ConfigError) -> list[ConfigError]:
    return error.errors if isinstance(error, ConfigErrors) else [error]


def raise_all(errors: list[ConfigError]) -> None:
    """Raise ``errors`` (none: nothing), as one :class:`ConfigErrors` when there are several."""
    if len(errors) == 1 and not isinstance(errors[0], ConfigErrors):
        raise errors[0]
    if errors:
        raise ConfigErrors(errors)


class OperationError(SindriError):
    """An operation was attempted and failed (a deploy, a build, a fetch): exit status 1."""


class ExternalCommandError(OperationError):
    """An external tool exited non-zero, timed out or could not be started."""


class RegistryError(OperationError):
    """A container registry could not answer: names the registry, request and status."""


class VerificationError(OperationError):
    """Image signature or provenance verification failed; deployment stops (fail closed)."""


class PluginLoadError(OperationError):
    """A plugin failed to import or register while ``SINDRI_STRICT_PLUGINS=1``."""


class PluginFault(OperationError):
    """A plugin broke the hook contract: it raised an exception that is not a
    :class:`SindriError`, or answered with a result of the wrong type (``None`` included).
    The message names the plugin, its distribution and version, and the operation."""


class NotImplementedYetError(OperationError):
    """A provider operation that is not available yet."""
