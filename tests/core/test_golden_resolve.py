"""``image resolve --json`` and ``image versions --json`` pinned to golden files.

The golden files were written by the code before the fast-path work of issue 29
(docs/adr/0022-fast-paths.md); any later change of these outputs shows here. Each case reads a
tag list and digests from a warm tag cache (the cache files are written first through the
cache's own functions), so no registry is asked: the registry host does not exist.

Regenerate (after a deliberate change of output) with ``SINDRI_UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from sindri_core import __version__
from sindri_core.image.tag_cache import cached_tags, pinned_digest, remember_digest

GOLDEN = Path(__file__).parent / "golden" / "resolve"
REGISTRY = "registry.golden.invalid"
REPOSITORY = "team/sindri"
IMAGE = f"{REGISTRY}/{REPOSITORY}"


def _digest(tag: str) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(tag.encode()).hexdigest()


def _tags() -> list[str]:
    """Releases, distro variants, prereleases, tags that are not semver, the CLI's own version
    and 2,000 numbered versions, in registry (not version) order."""
    tags = [f"{i // 100}.{i // 10 % 10}.{i % 10}" for i in range(2000)]
    tags += ["3.1.0", "3.1.4", "3.1.5", "3.2.0-beta.1", "3.3.0-rc.1", "v3.1.6", "3.1.7+build.5"]
    tags += ["3.1.4-fedora", "3.1.5-fedora", "3.2.0-beta.2-fedora", "3.1.4-opensuse"]
    tags += ["latest", "main", "sha-0123abc", "nightly", "3.1", "v3", "3.1.4.1"]
    tags += [__version__, f"{__version__}-fedora"]
    return list(dict.fromkeys(tags))


CASES: dict[str, str] = {
    "semver-ubuntu": "version: '^3.1'",
    "semver-fedora": "version: '~3.1.0'\n  distro_: fedora",
    "semver-prerelease": "version: '>=3.2.0-0 <3.4.0'\n    allow_prerelease: true",
    "semver-exact-v": "version: '3.1.6'",
    "semver-or-range": "version: '1.2.x || >=19.9.0 <19.9.5'",
    "latest-stable": "version: '^1.0'\n    resolution_strategy: latest-stable",
    "latest-stable-opensuse": "resolution_strategy: latest-stable\n  distro_: opensuse",
    "pin-to-cli": "resolution_strategy: pin-to-cli",
    "pin-to-cli-fedora": "resolution_strategy: pin-to-cli\n  distro_: fedora",
    "explicit": "version: nightly\n    resolution_strategy: explicit",
    "no-version": "resolution_strategy: semver",
    "digest": f"digest: {_digest('pinned')}\n    version: '^3.1'",
    "tag-override": "tag_override: '3.1.4'\n    version: '^9'",
}


def _config(case: str) -> str:
    body = CASES[case]
    distro = ""
    if "\n  distro_: " in body:
        body, distro = body.split("\n  distro_: ")
    return (
        'version: "3.0"\nname: golden\ndeployment:\n  provider: docker\n'
        + (f"  distro: {distro}\n" if distro else "")
        + f"  image_config:\n    registry: {IMAGE}\n    {body}\n"
    )


@pytest.fixture
def warm_cache() -> None:
    tags = _tags()
    cached_tags(REGISTRY, REPOSITORY, lambda: tags)
    chosen = ["19.9.4", "19.9.9", "3.1.4-opensuse", "3.1.5-fedora", "3.1.6", "3.3.9", "3.9.9"]
    for tag in [*chosen, __version__, f"{__version__}-fedora"]:  # the tags the cases choose
        remember_digest(REGISTRY, REPOSITORY, tag, _digest(tag))
    pinned_digest(REGISTRY, REPOSITORY, "3.1.4", lambda: _digest("3.1.4"))


def _normalised(text: str) -> Any:
    text = re.sub(r"listed \d+s ago", "listed Ns ago", text)
    return json.loads(text.replace(__version__, "<cli-version>"))


def _check(name: str, output: str) -> None:
    path = GOLDEN / f"{name}.json"
    actual = _normalised(output)
    if os.environ.get("SINDRI_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(actual, indent=2) + "\n")
    assert actual == json.loads(path.read_text())


@pytest.mark.usefixtures("warm_cache")
@pytest.mark.parametrize("case", sorted(CASES))
def test_image_resolve_json_is_unchanged(case: str, write_config: Any, sindri_cli: Any) -> None:
    config = write_config(_config(case))
    result = sindri_cli("-c", str(config), "image", "resolve", "--json")
    assert result.exit_code == 0, result.stderr
    _check(f"resolve-{case}", result.stdout.replace(str(config.parent), "<project>"))


@pytest.mark.usefixtures("warm_cache")
@pytest.mark.parametrize("case", ["semver-ubuntu", "semver-fedora", "semver-prerelease"])
def test_image_versions_json_is_unchanged(case: str, write_config: Any, sindri_cli: Any) -> None:
    config = write_config(_config(case))
    result = sindri_cli("-c", str(config), "image", "versions", "--json")
    assert result.exit_code == 0, result.stderr
    _check(f"versions-{case}", result.stdout)


def test_a_local_dockerfile_resolves_unchanged(write_config: Any, sindri_cli: Any) -> None:
    config = write_config('version: "3.0"\nname: golden\ndeployment:\n  provider: docker\n')
    (config.parent / "Dockerfile").write_text("FROM scratch\n")
    result = sindri_cli("-c", str(config), "image", "resolve", "--json")
    assert result.exit_code == 0, result.stderr
    _check("resolve-local-dockerfile", result.stdout.replace(str(config.parent), "<project>"))
