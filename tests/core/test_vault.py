"""``source: vault`` secrets read through hvac from a loopback stub of Vault's KV v2 API."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sindri_core.config.model import Secret
from sindri_core.errors import ConfigError, OperationError
from sindri_core.secrets import SecretValues
from tests.support.vault import VaultRequest, VaultStub

VALUE = "kube-config-Secr3t-value"


@pytest.fixture
def vault() -> Iterator[VaultStub]:
    stub = VaultStub(token="s.test-token-1234")
    yield stub
    stub.close()


def _secret(**fields: object) -> Secret:
    defaults = {"name": "KUBECONFIG_DATA", "source": "vault", "vault_path": "dev/kubeconfig",
                "vault_key": "config"}  # fmt: skip
    return Secret(**{**defaults, **fields})


def _values(secret: Secret, environ: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return SecretValues((secret,), tmp_path, environ).env_values()


def _env(vault: VaultStub, **extra: str) -> dict[str, str]:
    return {"VAULT_ADDR": vault.address, "VAULT_TOKEN": vault.token, **extra}


def test_a_vault_secret_reaches_the_environment_like_an_env_secret(vault, tmp_path) -> None:
    vault.put("secret", "dev/kubeconfig", {"config": VALUE, "other": "x"})

    assert _values(_secret(), _env(vault), tmp_path) == {"KUBECONFIG_DATA": VALUE}
    assert vault.requests == [
        VaultRequest("GET", "/v1/secret/data/dev/kubeconfig", vault.token, None)
    ]


def test_mount_and_namespace_are_sent_as_vault_expects(vault, tmp_path) -> None:
    vault.put("kv", "team/app", {"config": VALUE}, namespace="team-a")
    secret = _secret(vault_mount="kv", vault_path="team/app")

    values = _values(secret, _env(vault, VAULT_NAMESPACE="team-a"), tmp_path)

    assert values == {"KUBECONFIG_DATA": VALUE}
    assert vault.requests[-1] == VaultRequest("GET", "/v1/kv/data/team/app", vault.token, "team-a")


def test_a_missing_key_is_skipped_unless_required(vault, tmp_path) -> None:
    vault.put("secret", "dev/kubeconfig", {"another": VALUE})
    assert _values(_secret(), _env(vault), tmp_path) == {}
    with pytest.raises(ConfigError) as raised:
        _values(_secret(required=True), _env(vault), tmp_path)
    message = str(raised.value)
    assert message.startswith("required secret KUBECONFIG_DATA is not in Vault: no key config")
    assert "secret/data/dev/kubeconfig" in message and raised.value.exit_code == 2


@pytest.mark.parametrize("unset", ["VAULT_ADDR", "VAULT_TOKEN"])
def test_an_unconfigured_vault_is_a_one_line_error_naming_the_secret(vault, tmp_path, unset):
    environ = _env(vault)
    del environ[unset]
    with pytest.raises(ConfigError) as raised:
        _values(_secret(), environ, tmp_path)
    message = str(raised.value)
    assert f"secret KUBECONFIG_DATA comes from Vault, but {unset} is not set" in message
    assert "\n" not in message and vault.requests == []


def test_an_unreachable_vault_is_a_one_line_error_naming_the_secret(tmp_path) -> None:
    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        address = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with pytest.raises(OperationError) as raised:
        _values(_secret(), {"VAULT_ADDR": address, "VAULT_TOKEN": "t"}, tmp_path)
    message = str(raised.value)
    assert (
        message == f"secret KUBECONFIG_DATA: Vault at {address} cannot be reached (ConnectionError)"
    )


def test_a_refused_token_names_the_secret_and_the_path_never_the_token(vault, tmp_path):
    vault.put("secret", "dev/kubeconfig", {"config": VALUE})
    with pytest.raises(OperationError) as raised:
        _values(_secret(), {"VAULT_ADDR": vault.address, "VAULT_TOKEN": "wrong"}, tmp_path)
    message = str(raised.value)
    assert message == (
        f"secret KUBECONFIG_DATA: Vault refused the token for {vault.address}"
        "/v1/secret/data/dev/kubeconfig (permission denied)"
    )
    assert "wrong" not in message


def test_values_and_tokens_are_never_logged(vault, tmp_path, caplog) -> None:
    vault.put("secret", "dev/kubeconfig", {"config": VALUE})
    with caplog.at_level(logging.DEBUG):
        values = SecretValues((_secret(),), tmp_path, _env(vault))
        assert values.env_values() == {"KUBECONFIG_DATA": VALUE}
    assert VALUE not in caplog.text and vault.token not in caplog.text
    assert VALUE not in repr(values)


def test_a_non_string_value_is_refused_without_showing_it(vault, tmp_path) -> None:
    vault.put("secret", "dev/kubeconfig", {"config": {"nested": VALUE}})
    with pytest.raises(ConfigError) as raised:
        _values(_secret(), _env(vault), tmp_path)
    assert "is not a string" in str(raised.value) and VALUE not in str(raised.value)


# -- a hostile Vault (issue 24, item 5) ----------------------------------------------------------


def _redirect(to: str):  # type: ignore[no-untyped-def]
    def answer(handler) -> None:  # type: ignore[no-untyped-def]
        handler.send_response(307)
        handler.send_header("Location", to + handler.path)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


def test_a_redirect_to_another_origin_is_not_followed_and_gets_no_token(vault, tmp_path) -> None:
    other = VaultStub(token=vault.token)
    try:
        other.put("secret", "dev/kubeconfig", {"config": "from elsewhere"})
        vault.answer = _redirect(other.address.replace("127.0.0.1", "localhost"))
        with pytest.raises(OperationError, match="redirected to another origin") as caught:
            _values(_secret(), _env(vault), tmp_path)
        assert other.requests == []
        assert vault.token not in str(caught.value)
    finally:
        other.close()


def test_a_redirect_within_the_origin_is_followed(vault, tmp_path) -> None:
    vault.put("secret", "dev/kubeconfig", {"config": VALUE})
    first = True

    def once(handler) -> None:  # type: ignore[no-untyped-def]
        nonlocal first
        if first:
            first = False
            _redirect(vault.address)(handler)
        else:
            vault.answer = None
            vault._answer(handler)

    vault.answer = once
    assert _values(_secret(), _env(vault), tmp_path) == {"KUBECONFIG_DATA": VALUE}


def _body(size: int):  # type: ignore[no-untyped-def]
    def answer(handler) -> None:  # type: ignore[no-untyped-def]
        filler = "x" * size
        payload = json.dumps({"data": {"data": {"config": filler}, "metadata": {}}}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        with contextlib.suppress(OSError):  # the client stops reading at the limit
            handler.wfile.write(payload)

    return answer


def test_a_body_over_the_limit_is_refused_while_it_arrives(vault, tmp_path) -> None:
    vault.answer = _body(3 * 1024 * 1024)
    with pytest.raises(OperationError, match="the answer is larger than 1024 KiB"):
        _values(_secret(), _env(vault), tmp_path)


def test_one_deadline_bounds_a_trickling_vault(vault, tmp_path) -> None:
    def trickle(handler) -> None:  # type: ignore[no-untyped-def]
        handler.send_response(200)
        handler.send_header("Content-Length", "60")
        handler.end_headers()
        with contextlib.suppress(OSError):
            for _ in range(60):
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(0.1)  # the hostile server's pace, not synchronisation

    vault.answer = trickle
    started = time.monotonic()
    with pytest.raises(OperationError, match=r"no complete answer within 1s \(SINDRI_VAULT_DEAD"):
        _values(_secret(), _env(vault, SINDRI_VAULT_DEADLINE="1"), tmp_path)
    assert time.monotonic() - started < 4


def test_messages_carry_no_token_userinfo_or_control_characters(vault, tmp_path) -> None:
    def echo(handler) -> None:  # type: ignore[no-untyped-def]
        vault._send(handler, 500, {"errors": [f"bad token {vault.token} \x1b]0;pwned\x07\x1b[31m"]})

    vault.answer = echo
    address = vault.address.replace("http://", "http://user:PASSWORD@")
    environ = {"VAULT_ADDR": address, "VAULT_TOKEN": vault.token}
    with pytest.raises(OperationError) as caught:
        _values(_secret(), environ, tmp_path)
    message = str(caught.value)
    assert "bad token <redacted>" in message
    for hidden in (vault.token, "PASSWORD", "user:", "\x1b", "\x07"):
        assert hidden not in message


def test_an_origin_is_scheme_host_and_port() -> None:
    from sindri_core.vault import _origin

    assert _origin("https://Vault.example:8200/v1/x") == _origin("https://vault.example:8200/")
    assert _origin("https://vault.example/") == _origin("https://vault.example:443/")
    for other in ("http://vault.example:8200/", "https://vault.example:8201/",
                  "https://evil.example:8200/"):  # fmt: skip
        assert _origin(other) != _origin("https://vault.example:8200/")


def test_an_optional_secret_vault_cannot_give_is_a_warning_as_in_the_rust_tool(
    tmp_path: Path,
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    environ = {"VAULT_ADDR": closed, "VAULT_TOKEN": "s.token"}
    warnings: list[str] = []
    optional = SecretValues((_secret(),), tmp_path, environ, warn=warnings.append)

    assert optional.env_values() == {}
    (warning,) = warnings
    assert warning.startswith("optional secret KUBECONFIG_DATA is skipped: ")
    assert closed in warning
    required = SecretValues((_secret(required=True),), tmp_path, environ, warn=warnings.append)
    with pytest.raises(OperationError, match="KUBECONFIG_DATA"):
        required.env_values()
    unset = SecretValues((_secret(),), tmp_path, {}, warn=warnings.append)
    assert unset.env_values() == {} and "VAULT_ADDR" in warnings[-1]
