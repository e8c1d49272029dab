"""``source: vault`` secrets: one key of a HashiCorp Vault KV version 2 secret.

Read through ``hvac`` (HashiCorp's community Python client) with the environment the Vault
CLI uses: ``VAULT_ADDR``, ``VAULT_TOKEN`` and, for Vault Enterprise, ``VAULT_NAMESPACE``.
The request is KV v2's "read secret version": ``GET /v1/<vaultMount>/data/<vaultPath>``,
answered with ``{"data": {"data": {<key>: <value>}, "metadata": {...}}}``; ``vaultPath`` is
relative to the mount, as in the Rust tool (vaultrs ``kv2::read``) and ``vault kv get``.

``hvac`` (and through it ``requests``) is imported only when a vault secret is read, so no
command pays for it at start-up. A value is never logged or put in an error: errors name
the secret, the Vault address and the path read, and say what went wrong in one line.

The server is not trusted further than the token's owner trusts ``VAULT_ADDR``: a redirect
may stay on that origin (a standby node answering for the active one behind one address) but
never leaves it, so the token travels nowhere else; a body is read as it arrives and refused
past :data:`VAULT_BODY_LIMIT`; every Vault read of a command shares one deadline
(``SINDRI_VAULT_DEADLINE``); and the server's words reach a message only without the token,
the address's user information and control characters (a terminal escape stays harmless).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sindri_core.config.model import Secret
from sindri_core.errors import ConfigError, OperationError, UsageError
from sindri_core.image.deadline import Deadline
from sindri_core.streamed_body import BodyExpired, BodyTooLarge, keep_body, read_streamed

if TYPE_CHECKING:
    import requests

__all__ = [
    "VAULT_BODY_LIMIT",
    "VAULT_DEADLINE_ENV",
    "VAULT_TIMEOUT",
    "read_vault_secret",
    "vault_deadline",
]

VAULT_TIMEOUT = 10
"""Seconds for one request to Vault: an unreachable Vault fails the deploy soon."""
VAULT_BODY_LIMIT = 1024 * 1024
"""A KV secret is limited to 1 MiB by Vault's storage; an answer beyond is not Vault's."""
VAULT_DEADLINE_ENV = "SINDRI_VAULT_DEADLINE"
DEFAULT_VAULT_DEADLINE = 60.0
MAX_REDIRECTS = 5
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


class _Refused(Exception):
    """The answer broke a rule above; the message says which (no token in it)."""


def vault_deadline(environ: Mapping[str, str]) -> Deadline:
    """The deadline of a command's Vault reads, starting now.

    :raises UsageError: ``SINDRI_VAULT_DEADLINE`` is not a number of seconds in (0, 86400].
    """
    raw = environ.get(VAULT_DEADLINE_ENV, "")
    try:
        seconds = float(raw) if raw else DEFAULT_VAULT_DEADLINE
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 86400:
        raise UsageError(
            f"{VAULT_DEADLINE_ENV}={raw!r}: expected a number of seconds from 0 to 86400"
        )
    return Deadline(seconds)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _shown(address: str) -> str:
    """``address`` without user information (``http://user:pw@host`` → ``http://host``)."""
    parts = urllib.parse.urlsplit(address)
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=host)).rstrip("/")


def _clean(text: str, secrets: tuple[str, ...]) -> str:
    """Server words fit for a one-line message: no secret, no control character, short."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    text = _UNPRINTABLE.sub(" ", text).strip()
    return text[:200] + ("..." if len(text) > 200 else "")


def _session(origin: tuple[str, str, int | None], deadline: Deadline) -> requests.Session:
    import requests

    class OriginBoundSession(requests.Session):
        def rebuild_auth(self, prepared: Any, response: Any) -> None:
            # Called before each redirect is followed: the token never leaves the origin.
            if _origin(prepared.url) != origin:
                where = urllib.parse.urlsplit(prepared.url)
                raise _Refused(
                    f"it redirected to another origin ({where.scheme}://{where.hostname}); "
                    "not followed, so the token stays with VAULT_ADDR"
                )
            super().rebuild_auth(prepared, response)

    def read_bounded(response: requests.Response, *args: object, **kwargs: object) -> None:
        # Runs before requests reads the body: read it here, as it arrives, within bounds.
        try:
            keep_body(response, read_streamed(response, VAULT_BODY_LIMIT, deadline))
        except BodyExpired:
            raise _Refused(
                f"no complete answer within {deadline.seconds:g}s ({VAULT_DEADLINE_ENV})"
            ) from None
        except BodyTooLarge:
            response.raw.close()
            raise _Refused(f"the answer is larger than {VAULT_BODY_LIMIT // 1024} KiB") from None

    session = OriginBoundSession()
    session.max_redirects = MAX_REDIRECTS
    session.hooks["response"].append(read_bounded)
    return session


def read_vault_secret(
    secret: Secret, environ: Mapping[str, str], deadline: Deadline | None = None
) -> str | None:
    """The value of ``secret.vault_key`` in the KV v2 secret at ``secret.vault_path``;
    ``None`` when that secret or key does not exist (the caller decides whether it must).

    :param deadline: shared by the command's Vault reads (:func:`vault_deadline`); a new one
        when not given.
    :raises ConfigError: ``VAULT_ADDR`` or ``VAULT_TOKEN`` is not set (exit 2).
    :raises OperationError: Vault cannot be reached, refuses the request, or breaks a bound
        (exit 1).
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

    deadline = deadline or vault_deadline(environ)
    shown = _shown(address)
    where = f"{shown}/v1/{secret.vault_mount}/data/{secret.vault_path}"
    userinfo = urllib.parse.urlsplit(address).netloc.rpartition("@")[0]
    hidden = (token, userinfo, urllib.parse.unquote(userinfo))
    if deadline.expired:
        raise OperationError(
            f"secret {secret.name}: not read from {where}: the Vault deadline of "
            f"{deadline.seconds:g}s ({VAULT_DEADLINE_ENV}) has passed"
        )
    client = hvac.Client(
        url=address,
        token=token,
        namespace=environ.get("VAULT_NAMESPACE") or None,
        # requests takes seconds as a float; hvac's annotation says int
        timeout=max(0.1, min(VAULT_TIMEOUT, deadline.remaining())),  # type: ignore[arg-type]
        session=_session(_origin(address), deadline),
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
    except _Refused as exc:
        raise OperationError(f"secret {secret.name}: Vault at {where}: {exc}") from None
    except requests.exceptions.TooManyRedirects:
        raise OperationError(
            f"secret {secret.name}: Vault at {where}: more than {MAX_REDIRECTS} redirects"
        ) from None
    except requests.exceptions.RequestException as exc:
        raise OperationError(
            f"secret {secret.name}: Vault at {shown} cannot be reached ({type(exc).__name__})"
        ) from None
    except vault_errors.VaultError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise OperationError(
            f"secret {secret.name}: Vault answered {where}: {_clean(reason, hidden)}"
        ) from None
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
