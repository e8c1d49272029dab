"""The e2b provider's tests run the official SDK against a loopback fake E2B service
(:mod:`tests.e2b.fake_e2b`) and, for ``connect``, a loopback envd (:mod:`tests.e2b.fake_envd`),
both reached through the SDK's own settings (``E2B_API_URL``, ``E2B_SANDBOX_URL``)."""

from __future__ import annotations

import pytest

from tests.e2b.fake_e2b import API_KEY, FakeE2b

SDK_SETTINGS = ("E2B_API_URL", "E2B_DOMAIN", "E2B_DEBUG", "E2B_SANDBOX_URL", "E2B_ACCESS_TOKEN")


@pytest.fixture(autouse=True)
def no_ambient_e2b_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SDK_SETTINGS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def e2b(monkeypatch: pytest.MonkeyPatch):
    """The fake E2B API; the test fails if any answer it gave broke the contract."""
    fake = FakeE2b()
    monkeypatch.setenv("E2B_API_URL", fake.url)
    monkeypatch.setenv("E2B_API_KEY", API_KEY)
    yield fake
    fake.close()
    assert not fake.faults, fake.faults


@pytest.fixture
def envd(e2b, tmp_path, monkeypatch: pytest.MonkeyPatch):
    """A loopback envd for every sandbox of ``e2b`` (the SDK's ``E2B_SANDBOX_URL``)."""
    from tests.e2b.fake_envd import FakeEnvd

    home = tmp_path / "sandbox-home"
    home.mkdir()
    fake = FakeEnvd(home, access_token=e2b.envd_token)
    monkeypatch.setenv("E2B_SANDBOX_URL", fake.url)
    yield fake
    fake.close()
