"""Secret values: looked up on demand, never logged, never put on a command line.

Values come from the shell environment, then ``.env.local``, then ``.env`` in the project
directory (the first that has the name wins). ``fromFile`` reads the value from a file,
exactly, but for one final line break (``\\n`` or ``\\r\\n``, which editors add).
``source: vault`` reads one key of a HashiCorp Vault KV v2 secret (:mod:`sindri_core.vault`);
it reaches the environment like an env secret.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from sindri_core.config.model import Secret
from sindri_core.errors import ConfigError, OperationError
from sindri_core.small_files import NotSmallText, read_small_text

if TYPE_CHECKING:
    from sindri_core.image.deadline import Deadline

__all__ = ["MAX_SECRET_FILE_BYTES", "SecretValues", "parse_env_file"]

MAX_SECRET_FILE_BYTES = 1024 * 1024  # a .env file or a fromFile value; far beyond any real one


def _read_text(path: Path, field: str | None = None) -> str:
    """A small UTF-8 text file, or a one-line :class:`ConfigError` naming it (and ``field``,
    the setting that pointed at it)."""
    try:
        return read_small_text(path, MAX_SECRET_FILE_BYTES)
    except NotSmallText as exc:
        if field is None:
            raise ConfigError(f"the file {exc}", file=str(path)) from None
        raise ConfigError(f"{path} {exc}", path=field) from None


def _without_final_newline(text: str) -> str:
    """The value as written: only the one line break an editor ends a file with goes."""
    if text.endswith("\r\n"):
        return text[:-2]
    return text.removesuffix("\n")


def _missing(secret: Secret) -> ConfigError:
    if secret.source == "vault":
        return ConfigError(
            f"required secret {secret.name} is not in Vault: no key {secret.vault_key} at "
            f"{secret.vault_mount}/data/{secret.vault_path}",
            hint="vaultPath is relative to vaultMount: write dev/app, not secret/data/dev/app",
        )
    return ConfigError(
        f"required secret {secret.name} is not set",
        hint="export it, or add it to .env.local or .env in the project directory",
    )


def _unset(secret: Secret) -> ConfigError:
    """:func:`_missing`, named by its place in sindri.yaml (``config validate``)."""
    error = _missing(secret)
    error.path = f"secrets.{secret.name}"
    return error


def _missing_file(secret: Secret) -> ConfigError:
    return ConfigError(
        f"required secret file {secret.path} does not exist", path=f"secrets.{secret.name}.path"
    )


def parse_env_file(path: Path) -> dict[str, str]:
    """Parse a dotenv file: ``KEY=value`` lines, optional ``export``, quotes, ``#`` comments.

    :raises ConfigError: the file is binary, too large or unreadable.
    """
    values: dict[str, str] = {}
    for raw in _read_text(path).splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


@attrs.define
class SecretValues:
    """Resolves the configured secrets of one project.

    :param secrets: the ``secrets`` list from the configuration.
    :param project_dir: where ``.env.local`` and ``.env`` are read.
    :param environ: the shell environment (``os.environ`` by default).
    :param env_file: read instead of ``.env.local`` and ``.env`` (``deploy --env-file``).
    :param warn: where an optional secret that could not be read is reported (as the Rust
        tool does, the command goes on without it); by default the failure is raised.
    """

    secrets: tuple[Secret, ...]
    project_dir: Path
    environ: Mapping[str, str] = attrs.field(factory=lambda: dict(os.environ))
    env_file: Path | None = None
    warn: Callable[[str], None] | None = None
    _dotenv: dict[str, str] | None = attrs.field(default=None, init=False, repr=False)
    _vault_deadline: Deadline | None = attrs.field(default=None, init=False, repr=False)

    def __repr__(self) -> str:  # values must never reach a log through repr()
        return f"SecretValues(names={[s.name for s in self.secrets]})"

    def _dotenv_values(self) -> dict[str, str]:
        if self._dotenv is None:
            merged: dict[str, str] = {}
            files = (self.env_file,) if self.env_file else (".env", ".env.local")
            for name in files:  # later files win: .env.local over .env
                path = self.project_dir / name
                if path.is_file():
                    merged.update(parse_env_file(path))
            self._dotenv = merged
        return self._dotenv

    def env_values(self) -> dict[str, str]:
        """Name → value for every ``source: env`` and ``source: vault`` secret that has one.

        :raises ConfigError: a ``required`` secret has no value anywhere, or Vault is not
            configured.
        :raises OperationError: Vault cannot be reached or refuses the request.
        """
        values: dict[str, str] = {}
        for secret in self.secrets:
            if not secret.in_environment:
                continue
            value = self._lookup(secret) if secret.source == "env" else self._optional(secret)
            if value is None:
                if secret.required:
                    raise _missing(secret)
                continue
            values[secret.name] = value
        return values

    def check(self, *, files: bool = True) -> tuple[list[ConfigError], list[str]]:
        """What ``plan`` and ``deploy`` would refuse (a required secret with no value, a
        required file that does not exist) and what they would leave out without a word (an
        optional secret file that does not exist), found without reading Vault: ``config
        validate`` reports both, ``plan`` and ``deploy`` warn about the second.

        :param files: the provider mounts file secrets (else they are ignored, and said so
            when the configuration is read).
        """
        errors: list[ConfigError] = []
        warnings: list[str] = []
        for secret in self.secrets:
            if secret.source == "env":
                try:
                    value = self._lookup(secret)
                except ConfigError as exc:
                    errors.append(exc)
                    continue
                if value is None and secret.required:
                    errors.append(_unset(secret))
            elif files and secret.source == "file" and secret.path:
                path = self._host_path(secret.path)
                if path.is_file():
                    continue
                if secret.required:
                    errors.append(_missing_file(secret))
                else:
                    warnings.append(
                        f"secrets.{secret.name}.path: {secret.path} does not exist; the "
                        f"secret is not mounted at {secret.mount_path}"
                    )
        return errors, warnings

    def _host_path(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.project_dir / path

    def _optional(self, secret: Secret) -> str | None:
        """A vault secret; an optional one Vault cannot give is a warning, not a failure."""
        try:
            return self._vault(secret)
        except (ConfigError, OperationError) as exc:
            if secret.required or self.warn is None:
                raise
            self.warn(f"optional secret {secret.name} is skipped: {exc.message}")
            return None

    def _vault(self, secret: Secret) -> str | None:
        from sindri_core.vault import read_vault_secret, vault_deadline  # hvac: on use

        if self._vault_deadline is None:  # one deadline for all of this command's reads
            self._vault_deadline = vault_deadline(self.environ)
        return read_vault_secret(secret, self.environ, self._vault_deadline)

    def file_secrets(self) -> list[tuple[Secret, Path]]:
        """``source: file`` secrets and the host file each one mounts (existing files only)."""
        found: list[tuple[Secret, Path]] = []
        for secret in self.secrets:
            if secret.source != "file" or not secret.path:
                continue
            path = self._host_path(secret.path)
            if path.is_file():
                found.append((secret, path))
            elif secret.required:
                raise _missing_file(secret)
        return found

    def _lookup(self, secret: Secret) -> str | None:
        if secret.from_file:
            path = self._host_path(secret.from_file)
            if not path.exists():
                return None
            return _without_final_newline(_read_text(path, f"secrets.{secret.name}.fromFile"))
        if secret.name in self.environ:
            return self.environ[secret.name]
        return self._dotenv_values().get(secret.name)
