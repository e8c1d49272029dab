"""The registry deadline: shared by the requests of one scope (a CLI command), fresh outside
one, and checked before any request is sent."""

from __future__ import annotations

import pytest

from sindri_core.errors import RegistryError, UsageError
from sindri_core.image.deadline import Deadline, command_deadline, deadline_scope
from sindri_core.image.registry import RegistryClient
from tests.support.hostile_registry import REPOSITORY, HostileRegistry


def test_a_scope_shares_one_deadline_and_outside_each_client_has_its_own() -> None:
    with deadline_scope():
        first = command_deadline()
        with deadline_scope():  # nested: the enclosing command's clock
            assert command_deadline() is first
        assert command_deadline() is first
    assert command_deadline() is not command_deadline()


def test_an_expired_deadline_sends_nothing() -> None:
    with HostileRegistry("endless_body") as server:
        client = RegistryClient(server.host, credentials=None, deadline=Deadline(0))
        with pytest.raises(RegistryError) as caught:
            client.list_tags(REPOSITORY)
        assert server.requests == []
    assert str(caught.value) == (
        f"registry {server.host}: GET /v2/ failed: no complete answer within the registry "
        "deadline of 0s (SINDRI_REGISTRY_DEADLINE)"
    )


@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_an_invalid_deadline_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SINDRI_REGISTRY_DEADLINE", value)
    with pytest.raises(UsageError, match="SINDRI_REGISTRY_DEADLINE"):
        Deadline.from_env()
