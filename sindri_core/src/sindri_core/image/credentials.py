"""Registry credentials, found where ``docker login`` and CI put them.

Order (first answer wins):

1. ``credHelpers[<registry>]`` in the Docker config → ``docker-credential-<helper> get``;
2. ``credsStore`` → ``docker-credential-<store> get``;
3. ``auths[<registry>]``: base64 ``auth`` (``user:password``), ``username``/``password``, or
   ``identitytoken``;
4. ``GITHUB_TOKEN`` for ``ghcr.io`` (CI); an explicit ``docker login ghcr.io`` wins over it.

The Docker config is ``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``. Keys
are matched by host whatever their form (``https://ghcr.io``, ``ghcr.io/v2/``); Docker Hub
logins live under ``https://index.docker.io/v1/``.

A :class:`Credentials` never shows its secret: not in ``repr``, ``str``, logs or errors.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path
from typing import Any

import attrs

from sindri_core.errors import ExternalCommandError, RegistryError
from sindri_core.image.reference import DOCKER_HUB
from sindri_core.runner import CommandRunner

__all__ = ["HELPER_TIMEOUT", "Credentials", "docker_config_path", "lookup_credentials"]

HELPER_TIMEOUT = 10.0
"""Seconds a ``docker-credential-*`` helper may take: helpers that wait for a desktop
keyring can hang forever otherwise."""

_HUB_KEYS = ("index.docker.io", "docker.io", "registry-1.docker.io")
_HUB_SERVER_URL = "https://index.docker.io/v1/"
_TOKEN_USER = "<token>"  # noqa: S105 - the helper protocol's marker for an identity (refresh) token


@attrs.frozen(repr=False)
class Credentials:
    """A username and secret for one registry.

    :param identity_token: the secret is an OAuth2 refresh token (``identitytoken`` in
        ``auths``, or a helper answering ``Username: <token>``), exchanged at the token
        endpoint instead of being sent as a password.
    :param source: where they came from, for messages (never the secret).
    """

    username: str
    password: str
    source: str
    identity_token: bool = False

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, source={self.source!r})"

    __str__ = __repr__


def docker_config_path() -> Path:
    directory = os.environ.get("DOCKER_CONFIG")
    base = Path(directory).expanduser() if directory else Path.home() / ".docker"
    return base / "config.json"


def lookup_credentials(registry: str, *, runner: CommandRunner | None = None) -> Credentials | None:
    """Credentials for ``registry`` (``ghcr.io``, ``docker.io``, ``127.0.0.1:5000``), or
    ``None`` for anonymous access.

    :raises RegistryError: a configured credential helper is missing, hangs or answers
        garbage; the message names the helper, never a secret.
    """
    config = _read_config()
    candidates = _HUB_KEYS if registry == DOCKER_HUB else (registry,)
    helper_key = _find_key(config.get("credHelpers"), candidates)
    if helper_key is not None:
        found = _from_helper(config["credHelpers"][helper_key], helper_key, registry, runner)
        if found is not None:
            return found
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        server = _HUB_SERVER_URL if registry == DOCKER_HUB else registry
        found = _from_helper(store, server, registry, runner)
        if found is not None:
            return found
    auths: Any = config.get("auths")
    auth_key = _find_key(auths, candidates)
    if auth_key is not None:
        found = _from_auths(auths[auth_key], registry)
        if found is not None:
            return found
    token = os.environ.get("GITHUB_TOKEN")
    if registry == "ghcr.io" and token:
        return Credentials(username="token", password=token, source="GITHUB_TOKEN")
    return None


def _read_config() -> dict[str, Any]:
    path = docker_config_path()
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        # Say so: going anonymous silently would surface later as a puzzling 401.
        raise RegistryError(
            f"cannot read Docker config {path}: {type(exc).__name__}",
            hint="fix or remove the file, or point DOCKER_CONFIG elsewhere",
        ) from None
    return data if isinstance(data, dict) else {}


def _host_of(key: str) -> str:
    """The host of a config key: ``https://index.docker.io/v1/`` → ``index.docker.io``."""
    for scheme in ("https://", "http://"):
        if key.startswith(scheme):
            key = key[len(scheme) :]
    return key.split("/", 1)[0]


def _find_key(section: Any, candidates: tuple[str, ...]) -> str | None:
    if not isinstance(section, dict):
        return None
    for candidate in candidates:
        for key in section:
            if isinstance(key, str) and _host_of(key) == candidate:
                return key
    return None


def _from_auths(entry: Any, registry: str) -> Credentials | None:
    if not isinstance(entry, dict):
        return None
    source = f"{docker_config_path()} auths"
    if entry.get("identitytoken"):
        return Credentials(
            username=str(entry.get("username") or ""),
            password=str(entry["identitytoken"]),
            source=source,
            identity_token=True,
        )
    if entry.get("auth"):
        try:
            decoded = base64.b64decode(str(entry["auth"]), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise RegistryError(
                f"the auths entry for {registry} in {docker_config_path()} is not valid base64",
                hint="run `docker login` again",
            ) from None
        username, sep, password = decoded.partition(":")
        if not sep:
            raise RegistryError(
                f"the auths entry for {registry} in {docker_config_path()} is not user:password",
                hint="run `docker login` again",
            )
        return Credentials(username=username, password=password, source=source)
    if entry.get("username") and entry.get("password"):
        return Credentials(
            username=str(entry["username"]), password=str(entry["password"]), source=source
        )
    return None


def _from_helper(
    helper: Any, server: str, registry: str, runner: CommandRunner | None
) -> Credentials | None:
    if not isinstance(helper, str) or not helper:
        return None
    program = f"docker-credential-{helper}"
    runner = runner or CommandRunner()
    try:
        result = runner.run([program, "get"], input=server, timeout=HELPER_TIMEOUT, check=False)
    except ExternalCommandError as exc:
        # The runner's message names the program and the cause (missing, timed out); it
        # never contains the helper's output.
        raise RegistryError(
            f"credential helper for {registry}: {exc.message}",
            hint=f"install {program} or remove it from {docker_config_path()}",
        ) from None
    if not result.ok:
        # "credentials not found in native keychain": anonymous access may still work.
        return None
    try:
        answer = json.loads(result.stdout)
        username, secret = str(answer["Username"]), str(answer["Secret"])
    except (ValueError, KeyError, TypeError):
        raise RegistryError(
            f"credential helper {program} gave an unreadable answer for {registry}"
        ) from None
    if not secret:
        return None
    if username == _TOKEN_USER:
        return Credentials(username="", password=secret, source=program, identity_token=True)
    return Credentials(username=username, password=secret, source=program)
