"""The image chain at every level, and level 3's strategies, distro tags and
digest pinning against a real registry."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from sindri_core.config.loader import parse_config
from sindri_core.errors import ConfigError, OperationError, RegistryError, UsageError
from sindri_core.image import chain, tag_cache, versions
from sindri_core.image.resolution import ImageRequest, ImageResolution, ImageSource
from sindri_core.provider import BuildLocation
from tests.core.fake_providers import InfoOnlyProvider
from tests.support.registry import Fault

pytestmark = pytest.mark.registry

UBUNTU_TAGS = ["1.0.0", "3.0.0", "3.1.0", "v3.1.5", "3.2.0", "3.3.0-rc.1", "4.0.0-beta.1"]
FEDORA_TAGS = ["3.1.4-fedora", "3.2.0-fedora", "3.4.0-fedora", "3.5.0-rc.1-fedora"]
OTHER_TAGS = ["3.1.9-opensuse", "latest", "3.1", "v3", "sha256-" + "e" * 64 + ".sig"]
SHA = "sha256:" + "ab" * 32


@pytest.fixture(scope="module")
def published(registry):
    """A repository shaped like ghcr.io/pacphi/sindri: every tag its own image."""
    repo = registry.unique_repo("pacphi")
    digests = {
        tag: registry.push_image(repo, [tag], variant=tag)
        for tag in UBUNTU_TAGS + FEDORA_TAGS + OTHER_TAGS
    }
    return f"{registry.host}/{repo}", digests


@pytest.fixture
def providers(sindri_host, register_provider):
    register_provider(InfoOnlyProvider("builder", build=BuildLocation.LOCAL), name="builder")
    register_provider(InfoOnlyProvider("runner", build=BuildLocation.NEVER), name="runner")
    return sindri_host


@pytest.fixture
def resolve(providers, tmp_path: Path):
    """``resolve(deployment_yaml, provider="builder", **request)`` walks the chain."""

    def run(deployment: str, provider: str = "builder", **request: bool) -> ImageResolution:
        text = "version: '3.0'\nname: demo\ndeployment:\n" + textwrap.indent(
            textwrap.dedent(deployment).strip() + f"\nprovider: {provider}", "  "
        )
        config, _ = parse_config(text + "\n", providers.catalog)
        info = providers.provider(provider)
        return chain.resolve(ImageRequest(config, tmp_path, info, **request))

    return run


def image_config(registry: str, **fields: object) -> str:
    lines = [f"registry: {registry}"] + [f"{k}: {json.dumps(v)}" for k, v in fields.items()]
    return "image_config:\n" + textwrap.indent("\n".join(lines), "  ")


# -- level 3 strategies, table-driven --------------------------------------------------------

# (distro, fields of image_config) -> expected tag
STRATEGIES = [
    ("ubuntu", {"version": "^3.1"}, "3.2.0"),
    ("ubuntu", {"version": "^3.1", "allow_prerelease": True}, "3.3.0-rc.1"),
    ("ubuntu", {"version": "~3.1.0"}, "v3.1.5"),
    ("ubuntu", {"version": "3.0.0"}, "3.0.0"),
    ("ubuntu", {"version": ">=1 <3"}, "1.0.0"),
    ("ubuntu", {"version": "1.x || 3.0.x"}, "3.0.0"),
    ("ubuntu", {"version": "3.0.0 - 3.1.9"}, "v3.1.5"),
    ("ubuntu", {"version": "*", "allow_prerelease": True}, "4.0.0-beta.1"),
    ("ubuntu", {"version": ">=4.0.0-beta.0"}, "4.0.0-beta.1"),
    ("fedora", {"version": "^3.1"}, "3.4.0-fedora"),
    ("fedora", {"version": "^3.1", "allow_prerelease": True}, "3.5.0-rc.1-fedora"),
    ("fedora", {"version": "~3.1"}, "3.1.4-fedora"),
    ("opensuse", {"version": "^3"}, "3.1.9-opensuse"),
    ("ubuntu", {"resolution_strategy": "latest-stable"}, "3.2.0"),
    ("ubuntu", {"resolution_strategy": "latest-stable", "allow_prerelease": True}, "3.2.0"),
    ("fedora", {"resolution_strategy": "latest-stable"}, "3.4.0-fedora"),
    ("ubuntu", {"resolution_strategy": "latest-stable", "version": "^1"}, "3.2.0"),
]


@pytest.mark.parametrize(("distro", "fields", "tag"), STRATEGIES)
def test_strategy_picks_and_pins(resolve, published, distro, fields, tag) -> None:
    registry, digests = published
    result = resolve(f"distro: {distro}\n" + image_config(registry, **fields))
    assert result.source is ImageSource.VERSION
    assert result.tag == tag
    assert result.digest == digests[tag]
    assert result.reference == f"{registry}:{tag}@{digests[tag]}"
    assert result.reason.endswith(f"among {len(digests)} tags")
    assert result.notes[-1] == f"tag {tag} pinned to {digests[tag]}"


@pytest.mark.parametrize(
    ("cli_version", "distro", "tag"),
    [("3.2.0", "ubuntu", "3.2.0"), ("3.1.5", "ubuntu", "v3.1.5"), ("3.2.0", "fedora",
     "3.2.0-fedora")],
)  # fmt: skip
def test_pin_to_cli(resolve, published, monkeypatch, cli_version, distro, tag) -> None:
    registry, digests = published
    monkeypatch.setattr(versions, "__version__", cli_version)
    result = resolve(
        f"distro: {distro}\n" + image_config(registry, resolution_strategy="pin-to-cli")
    )
    assert (result.tag, result.digest) == (tag, digests[tag])
    assert result.constraint == f"pin-to-cli ({cli_version})"


def test_pin_to_cli_missing_tag(resolve, published, monkeypatch) -> None:
    registry, _ = published
    monkeypatch.setattr(versions, "__version__", "9.9.9")
    with pytest.raises(OperationError, match=r"satisfies pin-to-cli \(9\.9\.9\)"):
        resolve(image_config(registry, resolution_strategy="pin-to-cli"))


def test_semver_notes_explain_what_was_skipped(resolve, published) -> None:
    registry, digests = published
    result = resolve(image_config(registry, version="^3.1"))
    assert result.constraint == "^3.1"
    assert result.reason == f"highest tag matching ^3.1 among {len(digests)} tags"
    notes = "\n".join(result.notes)
    assert f"{len(digests)} tags listed; tag list" in notes
    assert "distro ubuntu: 5 distro-suffixed tags (-fedora, -opensuse) skipped" in notes
    assert "4 tags are not semver and were skipped (3.1, latest, sha256-eee" in notes
    assert "2 prerelease tags skipped (allow_prerelease: false)" in notes


def test_no_match_is_one_clear_line(resolve, published) -> None:
    registry, _ = published
    with pytest.raises(OperationError) as caught:
        resolve(image_config(registry, version="^9"))
    message = str(caught.value)
    assert message == (
        f"no tag of {registry} satisfies ^9 (distro ubuntu, allow_prerelease false); "
        f"16 tags listed; newest semver tag: 4.0.0-beta.1"
    )
    assert caught.value.exit_code == 1


def test_explicit_makes_no_registry_call(resolve, faulty_proxy, registry) -> None:
    proxy = faulty_proxy(registry)
    result = resolve(
        image_config(f"{proxy.host}/x/y", resolution_strategy="explicit", version="3.0.0")
    )
    assert result.reference == f"{proxy.host}/x/y:3.0.0"
    assert (result.tag, result.digest, result.constraint) == ("3.0.0", None, "explicit")
    assert proxy.log.entries == []


def test_no_version_means_latest_without_a_registry_call(resolve, faulty_proxy, registry):
    proxy = faulty_proxy(registry)
    result = resolve(image_config(f"{proxy.host}/x/y"))
    assert (result.reference, result.source, result.tag) == (
        f"{proxy.host}/x/y:latest",
        ImageSource.VERSION,
        "latest",
    )
    assert proxy.log.entries == []


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"version": "not a range!!"}, "deployment.image_config.version", ""),
        ({"resolution_strategy": "explicit"}, "deployment.image_config.resolution_strategy",
         "needs"),
        ({"resolution_strategy": "explicit", "version": "^3"}, "deployment.image_config.version",
         "is not valid"),
    ],
)  # fmt: skip
def test_config_errors_name_the_field(resolve, published, fields, field, fragment) -> None:
    registry, _ = published
    with pytest.raises(ConfigError) as caught:
        resolve(image_config(registry, **fields))
    # Rejected while the file is read (as by `config validate`), at the value's position.
    assert caught.value.path == field and caught.value.line is not None
    assert fragment in str(caught.value)
    assert caught.value.exit_code == 2


# -- every level of the chain ------------------------------------------------------------------

LEVELS = {
    "1 digest": (
        lambda r: image_config(r, digest=SHA, tag_override="3.0.0", version="^3"),
        lambda r, d: (f"{r}@{SHA}", ImageSource.DIGEST, None, SHA),
    ),
    "2 tag_override": (
        lambda r: image_config(r, tag_override="3.0.0", version="^3"),
        # pinned like a resolved version (issue #17)
        lambda r, d: (f"{r}:3.0.0@{d['3.0.0']}", ImageSource.TAG_OVERRIDE, "3.0.0", d["3.0.0"]),
    ),
    "3 version": (
        lambda r: image_config(r, version="^3"),
        lambda r, d: (f"{r}:3.2.0@{d['3.2.0']}", ImageSource.VERSION, "3.2.0", d["3.2.0"]),
    ),
    "3 beats image": (
        lambda r: "image: busybox:1.36\n" + image_config(r, version="^3"),
        lambda r, d: (f"{r}:3.2.0@{d['3.2.0']}", ImageSource.VERSION, "3.2.0", d["3.2.0"]),
    ),
    "4 image": (
        lambda r: "image: ghcr.io/acme/dev:2.0",
        lambda r, d: ("ghcr.io/acme/dev:2.0", ImageSource.IMAGE, "2.0", None),
    ),
    "4 image with digest": (
        lambda r: f"image: localhost:5000/dev:2.0@{SHA}",
        lambda r, d: (f"localhost:5000/dev:2.0@{SHA}", ImageSource.IMAGE, "2.0", SHA),
    ),
}


@pytest.mark.parametrize("level", list(LEVELS))
@pytest.mark.parametrize("provider", ["builder", "runner"])
def test_chain_levels(resolve, published, level, provider) -> None:
    registry, digests = published
    deployment, expected = LEVELS[level]
    result = resolve(deployment(registry), provider=provider)
    assert (result.reference, result.source, result.tag, result.digest) == expected(
        registry, digests
    )


def test_level_5_build_and_none(resolve) -> None:
    built = resolve("distro: ubuntu", provider="builder")
    assert built.source is ImageSource.BUILD and built.reference == chain.placeholder_build_tag()
    with pytest.raises(ConfigError, match="No image configured"):
        resolve("distro: ubuntu", provider="runner")


@pytest.mark.parametrize(
    ("deployment", "field"),
    [
        ("image: Ghcr.io/Acme/Dev", "deployment.image"),
        ("image: https://ghcr.io/acme/dev", "deployment.image"),
        (image_config("ghcr.io/Acme/dev", tag_override="1"), "deployment.image_config.registry"),
        (image_config("ghcr.io/acme/dev:1", version="^1"), "deployment.image_config.registry"),
        (image_config("ghcr.io/acme/dev@" + SHA, digest=SHA), "deployment.image_config.registry"),
    ],
)
def test_invalid_references_are_config_errors(resolve, deployment, field) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve(deployment, provider="runner")
    assert caught.value.path == field and caught.value.line is not None
    assert caught.value.message.startswith("invalid image reference ")


def test_tag_override_is_pinned_to_the_digest_the_tag_names_now(resolve, registry) -> None:
    # Before issue #17 the provider got `repo:1.0.0`: a re-pushed tag changed what ran
    # between plan and deploy. Now each resolution names the digest it saw.
    repo = registry.unique_repo()
    first = registry.push_image(repo, ["1.0.0"], variant="a")
    planned = resolve(image_config(f"{registry.host}/{repo}", tag_override="1.0.0"), planning=True)
    assert planned.reference == f"{registry.host}/{repo}:1.0.0@{first}"
    assert planned.digest == first and f"tag 1.0.0 pinned to {first}" in planned.notes
    moved = registry.push_image(repo, ["1.0.0"], variant="b")
    # Within the tag cache's TTL the digest read before is reused (no request), as for a
    # resolved version; --refresh reads what the tag names now.
    cached = resolve(image_config(f"{registry.host}/{repo}", tag_override="1.0.0"))
    assert cached.reference == planned.reference
    assert "(digest from the cache, read" in cached.notes[0]
    again = resolve(image_config(f"{registry.host}/{repo}", tag_override="1.0.0"), refresh=True)
    assert again.reference == f"{registry.host}/{repo}:1.0.0@{moved}" != planned.reference
    assert again.notes == (f"tag 1.0.0 pinned to {moved}",)


def test_a_warm_tag_override_sends_no_request(resolve, registry, faulty_proxy) -> None:
    repo = registry.unique_repo()
    digest = registry.push_image(repo, ["2.0.0"])
    proxy = faulty_proxy(registry)
    deployment = image_config(f"{proxy.host}/{repo}", tag_override="2.0.0")
    first = resolve(deployment)
    assert proxy.log.count("manifest", "HEAD") == 1
    requests = len(proxy.log.entries)
    second = resolve(deployment)
    assert second.reference == first.reference == f"{proxy.host}/{repo}:2.0.0@{digest}"
    assert len(proxy.log.entries) == requests


def test_planning_resolves_the_real_pinned_image(resolve, published) -> None:
    registry, digests = published
    result = resolve(image_config(registry, version="~3.0"), planning=True)
    assert result.reference == f"{registry}:3.0.0@{digests['3.0.0']}"


# -- request counts and the tag-list cache (acceptance) ------------------------------------------


@pytest.fixture(scope="module")
def token_many(token_registry):
    repo = token_registry.unique_repo("many")
    digest = token_registry.push_image(repo, ["latest"])
    tags = [f"{a}.{b}.{c}" for a in range(5) for b in range(25) for c in range(20)]
    token_registry.tag(repo, digest, tags)
    return repo, digest


@pytest.mark.parametrize("absolute", [False, True], ids=["relative-links", "absolute-links"])
def test_2500_tags_request_counts_and_cache(
    resolve, token_registry, token_many, faulty_proxy, absolute
) -> None:
    repo, digest = token_many
    proxy = faulty_proxy(token_registry)
    proxy.paginate_tags(1000, absolute=absolute)
    tokens = token_registry.token_server.log
    tokens_before = tokens.count()
    deployment = image_config(f"{proxy.host}/{repo}", version="^4.20")

    first = resolve(deployment)
    assert (first.tag, first.digest) == ("4.24.19", digest)
    assert proxy.log.count("tags") == 3, "one request per page of 1,000"
    assert proxy.log.count("manifest") == 1
    assert proxy.log.count("manifest", "HEAD") == 1
    assert tokens.count() - tokens_before <= 1
    assert "tag list fetched from the registry" in first.notes[0]

    requests_before, tokens_mid = len(proxy.log.entries), tokens.count()
    second = resolve(deployment)
    assert second.reference == first.reference
    assert proxy.log.count("tags") == 3, "inside the TTL the tag list comes from the cache"
    assert proxy.log.count("manifest") == 1, "...and so does the digest it was pinned to"
    assert len(proxy.log.entries) == requests_before, "a warm resolve sends no request"
    assert tokens.count() == tokens_mid
    assert "tag list from the cache" in second.notes[0]
    assert f"tag 4.24.19 pinned to {digest} (digest from the cache)" in second.notes

    third = resolve(deployment, refresh=True)
    assert proxy.log.count("tags") == 6 and proxy.log.count("manifest", "HEAD") == 2
    assert third.reference == first.reference


@pytest.mark.parametrize(
    ("kind", "fields", "request_line"),
    [
        ("tags", {"version": "^1"}, "GET /v2/{repo}/tags/list"),
        # tag_override is pinned with one HEAD (issue #17): its failure reads the same way
        ("manifest", {"tag_override": "1.0.0"}, "HEAD /v2/{repo}/manifests/1.0.0"),
    ],
)
def test_registry_failure_during_resolution(
    resolve, registry, faulty_proxy, monkeypatch, kind, fields, request_line
):
    monkeypatch.setenv("SINDRI_REGISTRY_TIMEOUT", "1")
    repo = registry.unique_repo()
    registry.push_image(repo, ["1.0.0"])
    proxy = faulty_proxy(registry)
    proxy.inject_always(kind, Fault.status(503))
    with pytest.raises(RegistryError) as caught:
        resolve(image_config(f"{proxy.host}/{repo}", **fields))
    assert str(caught.value) == (
        f"registry {proxy.host}: {request_line.format(repo=repo)} failed: 503 Service "
        "Unavailable (after 4 attempts)"
    )


# -- the cache on its own -------------------------------------------------------------------------


def counting_fetch(tags: list[str]):
    calls: list[int] = []

    def fetch() -> list[str]:
        calls.append(1)
        return tags

    return fetch, calls


def test_tag_cache_ttl_refresh_and_corruption(monkeypatch) -> None:
    fetch, calls = counting_fetch(["1.0.0", "2.0.0"])
    first = tag_cache.cached_tags("r.example", "a/b", fetch)
    second = tag_cache.cached_tags("r.example", "a/b", fetch)
    assert (first.from_cache, second.from_cache, len(calls)) == (False, True, 1)
    assert second.tags == ("1.0.0", "2.0.0")
    tag_cache.cached_tags("r.example", "a/b", fetch, refresh=True)
    assert len(calls) == 2
    # another repository has its own entry
    tag_cache.cached_tags("r.example", "a/c", fetch)
    assert len(calls) == 3
    files = sorted(tag_cache.tag_cache_dir().iterdir())
    assert len(files) == 2 and all(f.suffix == ".json" for f in files)
    for path in files:
        path.write_text("{truncated")
    assert not tag_cache.cached_tags("r.example", "a/b", fetch).from_cache
    monkeypatch.setenv("SINDRI_TAG_CACHE_TTL", "0")
    tag_cache.cached_tags("r.example", "a/b", fetch)
    tag_cache.cached_tags("r.example", "a/b", fetch)
    assert len(calls) == 6


def test_repositories_sharing_a_cache_file_never_get_each_others_tags() -> None:
    # These two have the same CRC-32, so the same cache file name.
    registry, one, other = "127.0.0.1:5000", "team/repo29685295", "team/repo32060020"
    fetch_one, calls_one = counting_fetch(["1.0.0"])
    fetch_other, calls_other = counting_fetch(["9.9.9"])
    assert tag_cache.cached_tags(registry, one, fetch_one).tags == ("1.0.0",)
    assert tag_cache.cached_tags(registry, other, fetch_other).tags == ("9.9.9",)
    assert len(list(tag_cache.tag_cache_dir().iterdir())) == 1
    again = tag_cache.cached_tags(registry, one, fetch_one)
    assert (again.tags, again.from_cache, len(calls_one), len(calls_other)) == (
        ("1.0.0",),
        False,
        2,
        1,
    )


def test_tag_cache_expires(monkeypatch) -> None:
    fetch, calls = counting_fetch(["1.0.0"])
    tag_cache.cached_tags("r.example", "a/b", fetch)
    path = next(tag_cache.tag_cache_dir().iterdir())
    document = json.loads(path.read_text())
    document["fetched_at"] -= 301
    path.write_text(json.dumps(document))
    assert not tag_cache.cached_tags("r.example", "a/b", fetch).from_cache
    assert len(calls) == 2


def test_tag_cache_lives_under_sindri_cache_dir(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SINDRI_CACHE_DIR", str(tmp_path / "c"))
    tag_cache.cached_tags("r.example", "a/b", counting_fetch([])[0])
    assert list((tmp_path / "c" / "tags").iterdir())


def test_bad_ttl_is_a_usage_error(monkeypatch) -> None:
    monkeypatch.setenv("SINDRI_TAG_CACHE_TTL", "soon")
    with pytest.raises(UsageError, match="SINDRI_TAG_CACHE_TTL='soon'"):
        tag_cache.cached_tags("r.example", "a/b", counting_fetch([])[0])


DIGEST = "sha256:" + "ab" * 32


def test_a_digest_is_cached_with_its_tag_list_and_expires_with_it() -> None:
    fetch, calls = counting_fetch(["1.0.0"])
    tag_cache.remember_digest("r.example", "a/b", "1.0.0", DIGEST)  # no list: nothing stored
    assert tag_cache.cached_tags("r.example", "a/b", fetch).digests == {}
    tag_cache.remember_digest("r.example", "a/b", "1.0.0", DIGEST)
    warm = tag_cache.cached_tags("r.example", "a/b", fetch)
    assert warm.from_cache and warm.digests == {"1.0.0": DIGEST} and len(calls) == 1
    # The digest keeps the list's age: it does not extend it.
    path = next(tag_cache.tag_cache_dir().iterdir())
    document = json.loads(path.read_text())
    document["fetched_at"] -= 301
    path.write_text(json.dumps(document))
    tag_cache.remember_digest("r.example", "a/b", "1.0.0", DIGEST)
    cold = tag_cache.cached_tags("r.example", "a/b", fetch)
    assert not cold.from_cache and cold.digests == {}


def test_refresh_forgets_the_digests_and_a_bad_digest_is_a_miss() -> None:
    fetch, _ = counting_fetch(["1.0.0", "2.0.0"])
    tag_cache.cached_tags("r.example", "a/b", fetch)
    tag_cache.remember_digest("r.example", "a/b", "1.0.0", DIGEST)
    assert tag_cache.cached_tags("r.example", "a/b", fetch, refresh=True).digests == {}
    assert tag_cache.cached_tags("r.example", "a/b", fetch).digests == {}
    path = next(tag_cache.tag_cache_dir().iterdir())
    document = json.loads(path.read_text())
    document["digests"] = {"1.0.0": "sha256:short", "2.0.0": DIGEST}
    path.write_text(json.dumps(document))
    assert tag_cache.cached_tags("r.example", "a/b", fetch).digests == {"2.0.0": DIGEST}


def test_counts_in_notes_agree_with_their_nouns() -> None:
    from sindri_core.image.versions import count

    assert (count(1, "tag"), count(2, "tag"), count(0, "prerelease tag")) == (
        "1 tag",
        "2 tags",
        "0 prerelease tags",
    )
