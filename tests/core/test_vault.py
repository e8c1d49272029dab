"""``source: vault`` secrets read through hvac from a loopback stub of Vault's KV v2 API."""

from __future__ import annotations

import logging
import socket
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
