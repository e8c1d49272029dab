"""``source: vault`` secrets: one key of a HashiCorp Vault KV version 2 secret.

Read through ``hvac`` (HashiCorp's community Python client) with the environment the Vault
CLI uses: ``VAULT_ADDR``, ``VAULT_TOKEN`` and, for Vault Enterprise, ``VAULT_NAMESPACE``.
The request is KV v2's "read secret version": ``GET /v1/<vaultMount>/data/<vaultPath>``,
answered with ``{"data": {"data": {<key>: <value>}, "metadata": {...}}}``; ``vaultPath`` is
relative to the mount, as in the Rust tool (vaultrs ``kv2::read``) and ``vault kv get``.

``hvac`` (and through it ``requests``) is imported only when a vault secret is read, so no
command pays for it at start-up. A value is never logged or put in an error: errors name
the secret, the Vault address and the path read, and say what went wrong in one line.
"""

from __future__ import annotations

from collections.abc import Mapping

from sindri_core.config.model import Secret
from sindri_core.errors import ConfigError, OperationError

__all__ = ["VAULT_TIMEOUT", "read_vault_secret"]

VAULT_TIMEOUT = 10
"""Seconds for one request to Vault: an unreachable Vault fails the deploy soon."""


def read_vault_secret(secret: Secret, environ: Mapping[str, str]) -> str | None:
    """The value of ``secret.vault_key`` in the KV v2 secret at ``secret.vault_path``;
    ``None`` when that secret or key does not exist (the caller decides whether it must).

    :raises ConfigError: ``VAULT_ADDR`` or ``VAULT_TOKEN`` is not set (exit 2).
    :raises OperationError: Vault cannot be reached or refuses the request (exit 1).
    """
    address, token = environ.get("VAULT_ADDR", ""), environ.get("VAULT_TOKEN", "")
    missing = [name for name in ("VAULT_ADDR", "VAULT_TOKEN") if not environ.get(name)]
    if missing:
        raise ConfigError(
            f"secret {secret.name} comes from Vault, but {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set",
            hint="export VAULT_ADDR (e.g. https://vault.example.com:8200) and VAULT_TOKEN",
        )
    import hvac  # here: only a vault secret pays for the client and the HTTP stack
    import requests
    from hvac import exceptions as vault_errors

    where = f"{address.rstrip('/')}/v1/{secret.vault_mount}/data/{secret.vault_path}"
    client = hvac.Client(
        url=address,
        token=token,
        namespace=environ.get("VAULT_NAMESPACE") or None,
        timeout=VAULT_TIMEOUT,
    )
    # config validation refuses a vault secret without vaultPath
    assert secret.vault_path is not None
    try:
        response = client.secrets.kv.v2.read_secret_version(
            path=secret.vault_path, mount_point=secret.vault_mount, raise_on_deleted_version=True
        )
    except vault_errors.InvalidPath:
        return None
    except (vault_errors.Forbidden, vault_errors.Unauthorized):
        raise OperationError(
            f"secret {secret.name}: Vault refused the token for {where} (permission denied)"
        ) from None
    except requests.exceptions.RequestException as exc:
        raise OperationError(
            f"secret {secret.name}: Vault at {address} cannot be reached ({type(exc).__name__})"
        ) from None
    except vault_errors.VaultError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise OperationError(f"secret {secret.name}: Vault answered {where}: {reason}") from None
    return _value(secret, response, where)


def _value(secret: Secret, response: object, where: str) -> str | None:
    try:
        data = response["data"]["data"]  # type: ignore[index]
    except (KeyError, TypeError):
        raise OperationError(
            f"secret {secret.name}: {where} is not a KV version 2 secret "
            f"(is {secret.vault_mount} a KV v2 mount?)"
        ) from None
    if not isinstance(data, dict) or secret.vault_key not in data:
        return None
    value = data[secret.vault_key]
    if not isinstance(value, str):
        raise ConfigError(
            f"key {secret.vault_key} of {where} is not a string",
            path=f"secrets.{secret.name}.vaultKey",
        )
    return value
