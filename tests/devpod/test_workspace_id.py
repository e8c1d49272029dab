"""Workspace ids devpod accepts for every valid sindri name."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from sindri_providers_devpod.workspace_id import workspace_id

# loft-sh/devpod v0.7.0-alpha.34: pkg/provider/parse.go (ProviderNameRegEx, what is refused)
# and pkg/workspace/workspace.go (at most 48 characters).
DEVPOD_REFUSES = re.compile(r"[^a-z0-9\-]+")
SINDRI_NAME = st.from_regex(r"\A[a-z][a-z0-9-]{0,62}\Z")


@given(SINDRI_NAME)
def test_every_sindri_name_has_an_id_devpod_accepts(name: str) -> None:
    wid = workspace_id(name)
    assert len(wid) <= 48 and not DEVPOD_REFUSES.search(wid)
    assert workspace_id(name) == wid


def test_short_names_are_their_own_id_and_long_ones_are_shortened_distinctly() -> None:
    assert workspace_id("a" * 48) == "a" * 48
    one, two = workspace_id("a" * 62 + "1"), workspace_id("a" * 62 + "2")
    assert len(one) == len(two) == 48 and one != two
    assert one.startswith("a" * 39 + "-")
