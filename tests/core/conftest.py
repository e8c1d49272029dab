"""Fixtures of the core's tests: the fixture distribution of plugins, installed on
``sys.path`` for one test."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

FIXTURE_SITE = Path(__file__).parent / "fixtures" / "site"
FIXTURE_DIST = "sindri-fixture-plugins"
FIXTURE_MODULES = (
    "sindri_fixture_good",
    "sindri_fixture_broken",
    "sindri_fixture_blocked",
    "sindri_fixture_invalid",
    "sindri_fixture_faulty",
    "sindri_fixture_halfbad",
    "sindri_fixture_nosettings",
    "sindri_fixture_extension",
)


@pytest.fixture
def fixture_site(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The fixture distribution (a dist-info and its modules) installed on ``sys.path``."""
    for name in FIXTURE_MODULES:
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.syspath_prepend(str(FIXTURE_SITE))  # also invalidates import caches
    yield FIXTURE_SITE
    for name in FIXTURE_MODULES:
        sys.modules.pop(name, None)
