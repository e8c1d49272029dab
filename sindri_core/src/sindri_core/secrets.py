"""Secret values: looked up on demand, never logged, never put on a command line.

Values come from the shell environment, then ``.env.local``, then ``.env`` in the project
directory (the first that has the name wins). ``fromFile`` reads the value from a file.
``source: vault`` reads one key of a HashiCorp Vault KV v2 secret (:mod:`sindri_core.vault`);
it reaches the environment like an env secret.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import attrs

from sindri_core.config.model import Secret
from sindri_core.errors import ConfigError

__all__ = ["SecretValues", "copy_with_mode", "parse_env_file"]


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


def parse_env_file(path: Path) -> dict[str, str]:
    """Parse a dotenv file: ``KEY=value`` lines, optional ``export``, quotes, ``#`` comments."""
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
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
    """

    secrets: tuple[Secret, ...]
    project_dir: Path
    environ: Mapping[str, str] = attrs.field(factory=lambda: dict(os.environ))
    _dotenv: dict[str, str] | None = attrs.field(default=None, init=False, repr=False)

    def __repr__(self) -> str:  # values must never reach a log through repr()
        return f"SecretValues(names={[s.name for s in self.secrets]})"

    def _dotenv_values(self) -> dict[str, str]:
        if self._dotenv is None:
            merged: dict[str, str] = {}
            for name in (".env", ".env.local"):  # later files win: .env.local over .env
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
            value = self._lookup(secret) if secret.source == "env" else self._vault(secret)
            if value is None:
                if secret.required:
                    raise _missing(secret)
                continue
            values[secret.name] = value
        return values

    def _vault(self, secret: Secret) -> str | None:
        from sindri_core.vault import read_vault_secret  # hvac: only for vault secrets

        return read_vault_secret(secret, self.environ)

    def file_secrets(self) -> list[tuple[Secret, Path]]:
        """``source: file`` secrets and the host file each one mounts (existing files only)."""
        found: list[tuple[Secret, Path]] = []
        for secret in self.secrets:
            if secret.source != "file" or not secret.path:
                continue
            path = Path(secret.path).expanduser()
            if not path.is_absolute():
                path = self.project_dir / path
            if path.is_file():
                found.append((secret, path))
            elif secret.required:
                raise ConfigError(
                    f"required secret file {secret.path} does not exist",
                    path=f"secrets.{secret.name}.path",
                )
        return found

    def _lookup(self, secret: Secret) -> str | None:
        if secret.from_file:
            path = Path(secret.from_file).expanduser()
            if not path.is_absolute():
                path = self.project_dir / path
            return path.read_text(encoding="utf-8").strip() if path.is_file() else None
        if secret.name in self.environ:
            return self.environ[secret.name]
        return self._dotenv_values().get(secret.name)


def copy_with_mode(source: Path, directory: Path, name: str, mode: int) -> Path:
    """``source`` copied to ``directory/name`` with ``mode``, for a runtime that mounts host
    files as they are (a bind mount shows the host file's own mode).

    The directory is private (0700) and holds a ``.gitignore`` of ``*``, so a ``git add .``
    in the project never commits a copy. The copy is written atomically with its mode set
    before any byte of the secret is.
    """
    import tempfile

    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    (directory / ".gitignore").write_text("*\n", encoding="utf-8")
    target = directory / name
    fd, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=directory)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(source.read_bytes())
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
