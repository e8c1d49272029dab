"""``sindri.lock``: one image everywhere (docs/IMAGE_MANAGEMENT.md, "The lock file").

Against a real registry (``docker-registry`` on loopback, behind a logging proxy so a test can
count requests) and a real ``git daemon``. Two users are two cache directories.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sindri_core.api import Project
from sindri_core.build.context import build_tag
from sindri_core.build.fingerprint import fingerprint
from tests.core.fake_providers import RecordingProvider, config_text

pytestmark = pytest.mark.registry


@pytest.fixture
def user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``user("alice")``: from now on, sindri runs with alice's own (empty at first) cache."""

    def switch(name: str) -> Path:
        cache = tmp_path / "users" / name / "cache"
        monkeypatch.setenv("SINDRI_CACHE_DIR", str(cache))
        return cache

    return switch


def image_config_yaml(registry: str, **fields: object) -> str:
    lines = ["  image_config:", f"    registry: {registry}"]
    lines += [f"    {key}: {json.dumps(value)}" for key, value in fields.items()]
    return "\n".join(lines)


@pytest.fixture
def project(write_config):
    """``project(registry, **image_config)``: a docker project; returns sindri.yaml's path."""

    def make(registry: str, extra: str = "", **fields: object) -> Path:
        text = (
            "version: '3.0'\nname: demo\ndeployment:\n  provider: docker\n"
            + image_config_yaml(registry, **fields)
            + "\n"
            + extra
        )
        return write_config(text)

    return make


def lock_of(config: Path) -> dict:
    return json.loads(config.with_suffix(".lock").read_text())


def one_line_error(result, code: int) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


# -- two users, one image ----------------------------------------------------------------------


def test_two_users_get_the_locked_digest_after_the_tag_moved(
    sindri_cli, project, registry, faulty_proxy, user
) -> None:
    repo = registry.unique_repo("lock")
    first = registry.push_image(repo, ["1.0.0", "1.1.0"], variant="first")
    proxy = faulty_proxy(registry)
    config = project(f"{proxy.host}/{repo}", version="^1")

    user("alice")
    result = sindri_cli("image", "lock", "--json", cwd=config.parent)
    assert result.exit_code == 0, result.stderr
    assert result.json()["written"] is True
    locked = f"{proxy.host}/{repo}:1.1.0@{first}"
    assert lock_of(config)["resolved"]["reference"] == locked

    # The tag moves: 1.1.0 is re-pushed as another image, and a newer 1.2.0 appears.
    moved = registry.push_image(repo, ["1.1.0", "1.2.0"], variant="moved")
    proxy.log.clear()

    user("bob")  # another machine: nothing cached
    result = sindri_cli("image", "resolve", "--json", "--explain", cwd=config.parent)
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert (data["reference"], data["digest"], data["locked"]) == (locked, first, True)
    assert data["lock"]["state"] == "fresh"
    assert proxy.log.entries == []  # zero registry requests

    # Without the lock, bob would have run the moved image: the lock is what kept him.
    config.with_suffix(".lock").rename(config.parent / "kept.lock")
    unlocked = sindri_cli("image", "resolve", "--json", cwd=config.parent).json()
    assert unlocked["reference"] == f"{proxy.host}/{repo}:1.2.0@{moved}"


def test_explain_says_the_answer_came_from_the_lock(sindri_cli, project, registry, user) -> None:
    repo = registry.unique_repo("lock")
    digest = registry.push_image(repo, ["2.0.0"])
    config = project(f"{registry.host}/{repo}", tag_override="2.0.0")
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 0
    user("carol")
    result = sindri_cli("image", "resolve", "--explain", cwd=config.parent)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{registry.host}/{repo}:2.0.0@{digest}"
    assert "  why: image_config.tag_override resolved as sindri.lock pins it" in lines
    assert any("from sindri.lock" in line and "no registry request" in line for line in lines)


def test_the_lock_holds_the_index_digest_for_every_platform(sindri_cli, project, registry) -> None:
    repo = registry.unique_repo("lock")
    amd64 = registry.push_image(repo, [], variant="amd64")
    arm64 = registry.push_image(repo, [], variant="arm64")
    index = registry.push_index(repo, ["3.0.0"], [amd64, arm64])
    config = project(f"{registry.host}/{repo}", version="^3")
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 0
    resolved = lock_of(config)["resolved"]
    assert resolved["digest"] == index not in (amd64, arm64)
    assert resolved["reference"] == f"{registry.host}/{repo}:3.0.0@{index}"


# -- the file -----------------------------------------------------------------------------------


def test_the_file_is_sorted_json_with_a_newline_and_byte_stable(
    sindri_cli, project, registry
) -> None:
    repo = registry.unique_repo("lock")
    digest = registry.push_image(repo, ["1.0.0"])
    config = project(f"{registry.host}/{repo}", version="^1")
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 0
    path = config.with_suffix(".lock")
    text = path.read_text()
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2) + "\n"
    data = json.loads(text)
    assert data["version"] == 1
    assert data["inputs"]["provider"] == "docker"
    assert data["inputs"]["image_config"]["version"] == "^1"
    assert data["inputs_hash"].startswith("sha256:")
    assert data["resolved"] == {
        "level": 3,
        "source": "version",
        "reference": f"{registry.host}/{repo}:1.0.0@{digest}",
        "registry": f"{registry.host}/{repo}",
        "constraint": "^1",
        "strategy": "semver",
        "tag": "1.0.0",
        "digest": digest,
        "build": None,
    }
    before = path.stat().st_mtime_ns
    # An unrelated edit (a comment, resources) leaves it fresh and untouched.
    config.write_text(config.read_text() + "  resources:\n    cpus: 4\n# a comment\n")
    again = sindri_cli("image", "lock", cwd=config.parent)
    assert again.stdout == f"sindri.lock is up to date: {data['resolved']['reference']}\n"
    assert path.read_text() == text and path.stat().st_mtime_ns == before
    # Rewriting the same answer gives the same bytes.
    path.unlink()
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 0
    assert path.read_text() == text


def test_another_config_file_has_its_own_lock(sindri_cli, registry, tmp_path) -> None:
    repo = registry.unique_repo("lock")
    registry.push_image(repo, ["1.0.0"])
    config = tmp_path / "ci.yml"
    config.write_text(
        "version: '3.0'\nname: demo\ndeployment:\n  provider: docker\n"
        + image_config_yaml(f"{registry.host}/{repo}", version="^1")
        + "\n"
    )
    assert sindri_cli("-c", str(config), "image", "lock", cwd=tmp_path).exit_code == 0
    assert (tmp_path / "ci.lock").is_file() and not (tmp_path / "sindri.lock").exists()


# -- update ---------------------------------------------------------------------------------------


def test_update_moves_the_lock_and_prints_from_to(sindri_cli, project, registry, user) -> None:
    repo = registry.unique_repo("lock")
    first = registry.push_image(repo, ["1.0.0"], variant="a")
    config = project(f"{registry.host}/{repo}", version="^1")
    user("alice")
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 0
    second = registry.push_image(repo, ["1.1.0"], variant="b")

    # `image lock` keeps a fresh lock's answer, even with a newer tag in the registry...
    assert sindri_cli("image", "lock", "--json", cwd=config.parent).json()["written"] is False
    assert lock_of(config)["resolved"]["digest"] == first
    # ... `image update` moves it, even inside the tag cache's lifetime.
    result = sindri_cli("image", "update", cwd=config.parent)
    assert result.exit_code == 0, result.stderr
    ref = f"{registry.host}/{repo}"
    assert result.stdout.splitlines() == [
        "Updated sindri.lock:",
        f"  reference: {ref}:1.0.0@{first} → {ref}:1.1.0@{second}",
        "  tag: 1.0.0 → 1.1.0",
        f"  digest: {first} → {second}",
    ]
    assert lock_of(config)["resolved"]["digest"] == second
    # Nothing moved any more: --json says so.
    data = sindri_cli("image", "update", "--json", cwd=config.parent).json()
    assert (data["written"], data["changes"]) == (False, [])


def test_update_json_lists_the_changes(sindri_cli, project, registry) -> None:
    repo = registry.unique_repo("lock")
    first = registry.push_image(repo, ["latest"], variant="a")
    config = project(f"{registry.host}/{repo}")  # no version: the 'latest' tag, pinned
    assert lock_of_after(sindri_cli, config)["resolved"]["digest"] == first
    second = registry.push_image(repo, ["latest"], variant="b")
    data = sindri_cli("image", "update", "--json", cwd=config.parent).json()
    assert data["written"] is True
    assert {"field": "digest", "from": first, "to": second} in data["changes"]
    assert data["reference"] == f"{registry.host}/{repo}:latest@{second}"


def lock_of_after(sindri_cli, config: Path) -> dict:
    result = sindri_cli("image", "lock", cwd=config.parent)
    assert result.exit_code == 0, result.stderr
    return lock_of(config)


# -- --locked -------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [("image", "resolve"), ("plan",), ("deploy",)])
def test_locked_after_editing_the_version_exits_5_and_writes_nothing(
    sindri_cli, project, registry, faulty_proxy, command
) -> None:
    repo = registry.unique_repo("lock")
    registry.push_image(repo, ["1.0.0", "2.0.0"])
    proxy = faulty_proxy(registry)
    config = project(f"{proxy.host}/{repo}", version="^1")
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 0
    text = config.with_suffix(".lock").read_text()
    config.write_text(config.read_text().replace('"^1"', '"^2"'))
    proxy.log.clear()

    result = sindri_cli(*command, "--locked", cwd=config.parent)

    line = one_line_error(result, 5)
    assert line.startswith("error: sindri.lock is stale: ")
    assert 'deployment.image_config.version: "^1" → "^2"' in line
    assert config.with_suffix(".lock").read_text() == text
    assert not (config.parent / ".sindri").exists()
    assert proxy.log.entries == []


def test_locked_without_a_lock_exits_5(sindri_cli, project, registry) -> None:
    config = project(f"{registry.host}/{registry.unique_repo()}", version="^1")
    line = one_line_error(sindri_cli("plan", "--locked", cwd=config.parent), 5)
    assert line == ("error: sindri.lock does not exist (run `sindri image lock` and commit it)")
    assert not config.with_suffix(".lock").exists()


def test_locked_json_error_names_exit_5(sindri_cli, project, registry) -> None:
    config = project(f"{registry.host}/{registry.unique_repo()}", version="^1")
    result = sindri_cli("image", "resolve", "--json", "--locked", cwd=config.parent)
    assert result.exit_code == 5


def test_plan_never_writes_and_reports_the_lock_state(sindri_cli, project, registry) -> None:
    repo = registry.unique_repo("lock")
    registry.push_image(repo, ["1.0.0"])
    config = project(f"{registry.host}/{repo}", version="^1")
    data = sindri_cli("plan", "--json", cwd=config.parent).json()
    assert data["lock"]["state"] == "missing"
    assert "no sindri.lock yet: deploy writes it" in data["notes"]
    assert not config.with_suffix(".lock").exists()


# -- deploy writes it -----------------------------------------------------------------------------


@pytest.fixture
def recording(sindri_host, register_provider, write_config):
    provider = RecordingProvider("rec")
    register_provider(provider, name="rec-plugin")
    return provider


def test_deploy_writes_a_missing_lock_and_updates_a_stale_one(
    sindri_cli, recording, registry, write_config
) -> None:
    repo = registry.unique_repo("lock")
    first = registry.push_image(repo, ["1.0.0"], variant="a")
    second = registry.push_image(repo, ["2.0.0"], variant="b")
    ref = f"{registry.host}/{repo}"
    config = write_config(config_text("rec", image_config_yaml(ref, version="^1")))

    result = sindri_cli("deploy", "--no-wait", cwd=config.parent)
    assert result.exit_code == 0, result.stderr
    assert f"Wrote sindri.lock: {ref}:1.0.0@{first}" in result.stderr
    assert lock_of(config)["resolved"]["digest"] == first

    again = sindri_cli("deploy", "--no-wait", "--json", cwd=config.parent)
    assert again.json()["lock"] is None  # fresh: nothing to write, nothing said

    config.write_text(config.read_text().replace('"^1"', '"^2"'))
    result = sindri_cli("deploy", "--no-wait", cwd=config.parent)
    assert result.exit_code == 0, result.stderr
    assert "Updated sindri.lock:" in result.stderr
    assert f"  digest: {first} → {second}" in result.stderr
    assert lock_of(config)["resolved"]["digest"] == second
    deployed = [call["image"].reference for op, call in recording.calls if op == "deploy"]
    assert deployed == [f"{ref}:1.0.0@{first}", f"{ref}:1.0.0@{first}", f"{ref}:2.0.0@{second}"]


def test_deploy_runs_the_locked_digest(sindri_cli, recording, registry, write_config) -> None:
    repo = registry.unique_repo("lock")
    first = registry.push_image(repo, ["1.0.0"], variant="a")
    ref = f"{registry.host}/{repo}"
    config = write_config(config_text("rec", image_config_yaml(ref, tag_override="1.0.0")))
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 0
    registry.push_image(repo, ["1.0.0"], variant="moved")
    result = sindri_cli("deploy", "--no-wait", "--locked", "--refresh", cwd=config.parent)
    assert result.exit_code == 0, result.stderr
    assert recording.calls[-1][1]["image"].reference == f"{ref}:1.0.0@{first}"


# -- hostile locks ------------------------------------------------------------------------------


@pytest.fixture
def locked_project(sindri_cli, project, registry):
    repo = registry.unique_repo("lock")
    registry.push_image(repo, ["1.0.0"])
    config = project(f"{registry.host}/{repo}", version="^1")
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 0
    return config


def rewrite(config: Path, change) -> None:  # type: ignore[no-untyped-def]
    path = config.with_suffix(".lock")
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, sort_keys=True, indent=2) + "\n")


def test_a_bad_digest_is_an_error_at_its_position(sindri_cli, locked_project) -> None:
    rewrite(locked_project, lambda d: d["resolved"].update(digest="sha256:1234"))
    line = one_line_error(sindri_cli("image", "resolve", cwd=locked_project.parent), 2)
    lines = locked_project.with_suffix(".lock").read_text().splitlines()
    number = next(i for i, text in enumerate(lines, 1) if '"digest": "sha256:1234"' in text)
    column = lines[number - 1].index('"digest"') + 1
    assert line == (
        f"error: sindri.lock:{number}:{column}: resolved.digest: sha256 digest must be 64 "
        "lowercase hex characters"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{" + " " * (70 * 1024) + "}", "the file is larger than 64 KiB; a lock file is UTF-8"),
        ("[" * 30000 + "]" * 30000, "sindri.lock: nested too deeply to be a lock file"),
        ('{"version": 1,\n "version": 1', "sindri.lock:2:"),
        ("[]", "sindri.lock:1:1: expected an object, got a list"),
        ('{"version": 1,\n "version": 1}', "sindri.lock:2:2: the key 'version' appears twice"),
        ('{"version": NaN}', "sindri.lock: NaN is not a JSON value"),
    ],
    ids=["huge", "deep", "not-json", "not-an-object", "repeated-key", "nan"],
)
def test_a_hostile_file_is_one_line_exit_2(sindri_cli, locked_project, content, message) -> None:
    locked_project.with_suffix(".lock").write_text(content)
    for command in (("image", "resolve"), ("plan",), ("image", "lock")):
        line = one_line_error(sindri_cli(*command, cwd=locked_project.parent), 2)
        assert message in line


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(version=2), ":3: version: 2 is not a lock format"),
        (lambda d: d.update(extra=1), "extra: unknown key in a lock file"),
        (lambda d: d["resolved"].update(level=7), "resolved.level: 7 is not a chain level"),
        (lambda d: d["resolved"].update(tag="bad tag"), "resolved.tag: tag 'bad tag' is not"),
        (
            lambda d: d["resolved"].update(reference="other.example/x:1.0.0@sha256:" + "a" * 64),
            "is not the registry, tag and digest it records",
        ),
    ],
    ids=["version", "unknown-key", "level", "tag", "inconsistent-reference"],
)
def test_an_invalid_field_is_named(sindri_cli, locked_project, change, message) -> None:
    rewrite(locked_project, change)
    assert message in one_line_error(sindri_cli("plan", cwd=locked_project.parent), 2)


def test_a_lock_in_a_foreign_registry_is_stale(
    sindri_cli, locked_project, registry, faulty_proxy
) -> None:
    evil = "evil.example/acme/dev"
    digest = "sha256:" + "e" * 64

    def move(data: dict) -> None:
        data["resolved"].update(registry=evil, reference=f"{evil}:1.0.0@{digest}", digest=digest)

    rewrite(locked_project, move)
    line = one_line_error(sindri_cli("image", "resolve", "--locked", cwd=locked_project.parent), 5)
    assert f"resolved.registry '{evil}' is not the configured registry" in line
    # Without --locked the registry answers, never the foreign reference.
    data = sindri_cli("image", "resolve", "--json", cwd=locked_project.parent).json()
    assert data["reference"].startswith(f"{registry.host}/") and data["locked"] is False
    assert data["lock"]["state"] == "stale"


def test_a_tampered_inputs_hash_is_stale(sindri_cli, locked_project) -> None:
    rewrite(locked_project, lambda d: d["inputs"].update(distro="fedora"))
    line = one_line_error(sindri_cli("plan", "--locked", cwd=locked_project.parent), 5)
    assert "inputs_hash does not match the inputs it was written for" in line


# -- level 5: the Sindri sources and local Dockerfiles --------------------------------------


def test_a_moved_branch_keeps_the_locked_commit(
    sindri_cli, write_config, sindri_sources, user
) -> None:
    config = write_config(
        config_text(
            "docker",
            f"""
            buildFromSource:
              enabled: true
              repository: {sindri_sources.url}
              gitRef: v3
            """,
        )
    )
    tip = sindri_sources.marks["tip"]
    user("alice")
    result = sindri_cli("image", "lock", cwd=config.parent)
    assert result.exit_code == 0, result.stderr
    build = lock_of(config)["resolved"]["build"]
    assert lock_of(config)["resolved"]["reference"] == build_tag(tip[:7])
    assert build == {
        "kind": "git",
        "repository": sindri_sources.url,
        "ref": "v3",
        "ref_kind": "branch",
        "commit": tip,
    }
    moved = sindri_sources.commit({"v3/README": "moved on\n"})

    user("bob")
    data = sindri_cli("image", "resolve", "--json", "--locked", cwd=config.parent).json()
    assert data["reference"] == build_tag(tip[:7]) and data["locked"] is True
    assert data["build"]["commit"] == tip
    # docker's plan shows the image of that commit, not a placeholder.
    plan = sindri_cli("plan", "--json", "--locked", cwd=config.parent).json()
    assert any(build_tag(tip[:7]) in a["content"] for a in plan["artifacts"])
    assert not any("placeholder" in note for note in plan["notes"])
    # bob's build context is the locked commit, fetched by SHA from the daemon.
    project = Project.load(config)
    context = project.build_context(project.resolve_image())
    assert (context.commit, context.tag) == (tip, build_tag(tip[:7]))
    assert (context.context_dir / "v3" / "README").read_text() == "tip\n"
    described = sindri_cli("image", "context", "--json", cwd=config.parent).json()
    assert described["origin"]["commit"] == tip

    result = sindri_cli("image", "update", cwd=config.parent)
    assert result.exit_code == 0, result.stderr
    assert f"  commit: {tip} → {moved}" in result.stdout.splitlines()
    assert lock_of(config)["resolved"]["build"]["commit"] == moved


def test_a_local_dockerfile_lock_records_its_fingerprint(
    sindri_cli, write_config, tmp_path
) -> None:
    config = write_config(config_text("docker"))
    dockerfile = config.parent / "Dockerfile"
    dockerfile.write_text("FROM scratch\nCOPY sindri.yaml /\n")
    before = fingerprint(config.parent, dockerfile, {"DISTRO": "ubuntu", "SINDRI_VERSION": "x"})
    result = sindri_cli("image", "lock", cwd=config.parent)
    assert result.exit_code == 0, result.stderr
    resolved = lock_of(config)["resolved"]
    build = resolved["build"]
    assert build["kind"] == "local" and build["dockerfile"] == "Dockerfile"
    assert resolved["reference"].endswith(f"-{build['fingerprint'][:12]}")
    # The lock beside the Dockerfile is not part of the context's fingerprint.
    after = fingerprint(config.parent, dockerfile, {"DISTRO": "ubuntu", "SINDRI_VERSION": "x"})
    assert after == before
    assert sindri_cli("plan", "--locked", cwd=config.parent).exit_code == 0
    # A change to the context makes the lock stale, naming the fingerprint.
    (config.parent / "notes.txt").write_text("new\n")
    line = one_line_error(sindri_cli("plan", "--locked", cwd=config.parent), 5)
    assert "the build context of ./Dockerfile changed: fingerprint " in line
    assert build["fingerprint"][:12] in line


def test_a_new_dockerfile_makes_a_level_3_lock_stale_under_locked(
    sindri_cli, write_config, registry, faulty_proxy
) -> None:
    repo = registry.unique_repo("lock")
    registry.push_image(repo, ["1.0.0"])
    proxy = faulty_proxy(registry)
    config = write_config(config_text("docker", f"image: {proxy.host}/{repo}:1.0.0"))
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 0
    config.write_text(config_text("docker"))
    (config.parent / "Dockerfile").write_text("FROM scratch\n")
    line = one_line_error(sindri_cli("plan", "--locked", cwd=config.parent), 5)
    assert "deployment.image:" in line and "→ unset" in line


def test_kubernetes_locks_a_pinned_image_and_never_builds(
    sindri_cli, write_config, registry
) -> None:
    repo = registry.unique_repo("lock")
    digest = registry.push_image(repo, ["1.0.0"])
    config = write_config(
        config_text("kubernetes", image_config_yaml(f"{registry.host}/{repo}", version="^1"))
    )
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 0
    assert lock_of(config)["resolved"]["digest"] == digest
    (config.parent / "Dockerfile").write_text("FROM scratch\n")
    config.write_text(config_text("kubernetes"))
    result = sindri_cli("image", "lock", cwd=config.parent)
    assert result.exit_code == 2 and "never builds" in result.stderr


def test_user_caches_stay_apart(sindri_cli, project, registry, user) -> None:
    repo = registry.unique_repo("lock")
    registry.push_image(repo, ["1.0.0"])
    config = project(f"{registry.host}/{repo}", version="^1")
    alice = user("alice")
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 0
    bob = user("bob")
    assert sindri_cli("image", "resolve", cwd=config.parent).exit_code == 0
    assert alice.exists() and not bob.exists()  # bob's locked resolve wrote no cache
    assert sorted(p.name for p in config.parent.iterdir()) == ["sindri.lock", "sindri.yaml"]


@pytest.mark.parametrize("provider", ["docker", "fly", "devpod", "e2b", "kubernetes"])
def test_every_provider_plans_the_locked_reference(
    sindri_cli, write_config, registry, faulty_proxy, user, provider
) -> None:
    repo = registry.unique_repo("lock")
    first = registry.push_image(repo, ["1.0.0"], variant="first")
    proxy = faulty_proxy(registry)
    ref = f"{proxy.host}/{repo}"
    config = write_config(config_text(provider, image_config_yaml(ref, version="^1")))
    user("alice")
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 0
    registry.push_image(repo, ["1.0.0", "1.1.0"], variant="moved")
    proxy.log.clear()

    user("bob")
    result = sindri_cli("plan", "--json", "--locked", cwd=config.parent)

    assert result.exit_code == 0, result.stderr
    data = result.json()
    locked = f"{ref}:1.0.0@{first}"
    assert data["image"]["reference"] == locked and data["lock"]["state"] == "fresh"
    shown = [a["content"] for a in data["artifacts"]]
    shown += [a["description"] for a in data["actions"]]
    assert any(locked in text for text in shown), shown
    assert not any(f"{ref}:1.1.0" in text for text in shown)
    assert proxy.log.count("tags") == proxy.log.count("manifest") == 0


def test_a_locked_resolve_loads_no_http_stack_and_no_hashlib(
    tmp_path, project, registry, faulty_proxy, sindri_cli, monkeypatch
) -> None:
    from tests.core.test_cli_imports import _probe, _top_level

    repo = registry.unique_repo("lock")
    digest = registry.push_image(repo, ["1.0.0"])
    proxy = faulty_proxy(registry)
    config = project(f"{proxy.host}/{repo}", version="^1")
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 0
    proxy.close()  # nothing answers any more
    monkeypatch.setenv("SINDRI_CACHE_DIR", str(tmp_path / "empty-cache"))

    modules, out = _probe(tmp_path, "-c", str(config), "image", "resolve", "--locked", "--json")

    assert json.loads(out)["reference"] == f"{proxy.host}/{repo}:1.0.0@{digest}"
    assert not {"requests", "urllib3", "tenacity"} & _top_level(modules)
    assert not modules & {"hashlib", "sindri_core.image.registry", "sindri_core.image.versions"}
    assert not {m for m in modules if m.startswith("sindri_core.build")}
    assert not (tmp_path / "empty-cache" / "tags").exists()  # no tag list, no digest cached


def test_config_init_leaves_the_lock_to_be_committed(sindri_cli, tmp_path) -> None:
    project = tmp_path / "fresh"
    project.mkdir()
    assert sindri_cli("config", "init", "-p", "docker", cwd=project).exit_code == 0
    for ignore in project.rglob(".*ignore"):
        assert "lock" not in ignore.read_text()


def test_a_lock_that_is_not_a_regular_file_is_refused(sindri_cli, locked_project) -> None:
    path = locked_project.with_suffix(".lock")
    path.unlink()
    os.mkfifo(path)  # reading it would block forever
    line = one_line_error(sindri_cli("image", "resolve", cwd=locked_project.parent), 2)
    assert line == "error: sindri.lock: is not a regular file; a lock file is UTF-8 JSON"


def test_writing_replaces_a_planted_link_never_its_target(
    sindri_cli, locked_project, registry, tmp_path
) -> None:
    path = locked_project.with_suffix(".lock")
    outside = tmp_path / "outside.lock"
    outside.write_text(path.read_text())
    path.unlink()
    path.symlink_to(outside)
    repo = lock_of(locked_project)["resolved"]["registry"].split("/", 1)[1]
    registry.push_image(repo, ["1.1.0"], variant="newer")
    result = sindri_cli("image", "update", cwd=locked_project.parent)
    assert result.exit_code == 0, result.stderr
    assert "1.0.0" in outside.read_text() and "1.1.0" not in outside.read_text()
    assert not path.is_symlink() and lock_of(locked_project)["resolved"]["tag"] == "1.1.0"
    assert oct(path.stat().st_mode & 0o777) == "0o644"


def test_deploy_asks_no_registry_to_lock_an_explicit_tag(
    sindri_cli, recording, registry, faulty_proxy, write_config, monkeypatch
) -> None:
    monkeypatch.setenv("SINDRI_REGISTRY_TIMEOUT", "1")
    repo = registry.unique_repo("lock")
    registry.push_image(repo, ["3.1.4"])
    proxy = faulty_proxy(registry)
    ref = f"{proxy.host}/{repo}"
    fields = {"resolution_strategy": "explicit", "version": "3.1.4"}
    config = write_config(config_text("rec", image_config_yaml(ref, **fields)))
    result = sindri_cli("deploy", "--no-wait", cwd=config.parent)
    assert result.exit_code == 0, result.stderr
    assert proxy.log.entries == []  # explicit: the registry is not asked, not even to lock
    assert (
        f"warning: sindri.lock was not written: {ref}:3.1.4 is not pinned to a digest "
        "(run `sindri image lock` to pin it)"
    ) in result.stderr
    assert recording.calls[-1][1]["image"].reference == f"{ref}:3.1.4"
    assert not config.with_suffix(".lock").exists()
    proxy.close()
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 1  # it must ask


def test_a_lock_that_cannot_be_written_does_not_fail_a_deploy(
    sindri_cli, recording, registry, write_config, monkeypatch
) -> None:
    repo = registry.unique_repo("lock")
    registry.push_image(repo, ["1.0.0"])
    config = write_config(
        config_text("rec", image_config_yaml(f"{registry.host}/{repo}", version="^1"))
    )

    def read_only(path, lock):  # type: ignore[no-untyped-def]
        raise OSError(30, "Read-only file system", str(path))

    # The tests run as root, for whom no mode makes a directory read-only.
    monkeypatch.setattr("sindri_core.image.lock.write_lock", read_only)
    result = sindri_cli("deploy", "--no-wait", cwd=config.parent)
    assert result.exit_code == 0, result.stderr
    assert "warning: sindri.lock was not written: [Errno 30] Read-only file system" in (
        result.stderr
    )
    assert recording.operations()[-1] == "deploy"


def test_a_from_source_deploy_leaves_the_lock_alone(
    sindri_cli, recording, registry, write_config, sindri_sources
) -> None:
    repo = registry.unique_repo("lock")
    digest = registry.push_image(repo, ["1.0.0"])
    ref = f"{registry.host}/{repo}"
    deployment = image_config_yaml(ref, version="^1")
    deployment += f"\n  buildFromSource:\n    repository: {sindri_sources.url}"
    config = write_config(config_text("rec", deployment))
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 0
    text = config.with_suffix(".lock").read_text()

    result = sindri_cli("deploy", "--no-wait", "--from-source", cwd=config.parent)

    assert result.exit_code == 0, result.stderr
    assert recording.calls[-1][1]["build"].commit == sindri_sources.marks["tip"]
    assert config.with_suffix(".lock").read_text() == text  # still the registry image
    assert digest in text
    # Under --locked the one-off question is refused: the lock does not answer it.
    line = one_line_error(
        sindri_cli("deploy", "--no-wait", "--from-source", "--locked", cwd=config.parent), 5
    )
    assert "the chain now answers at build, the lock holds version" in line


def test_status_says_that_the_lock_is_invalid(sindri_cli, recording, write_config) -> None:
    config = write_config(config_text("rec", "image: ghcr.io/acme/dev:1.0"))
    config.with_suffix(".lock").write_text("{}")
    result = sindri_cli("status", cwd=config.parent)
    assert result.exit_code == 0, result.stderr
    assert "warning: cannot resolve the configured image: sindri.lock:1:1: the key" in (
        result.stderr
    )


def test_an_explicit_tag_is_locked_to_its_digest(sindri_cli, project, registry, user) -> None:
    repo = registry.unique_repo("lock")
    first = registry.push_image(repo, ["3.1.4"], variant="a")
    config = project(f"{registry.host}/{repo}", resolution_strategy="explicit", version="3.1.4")
    assert sindri_cli("image", "lock", cwd=config.parent).exit_code == 0
    registry.push_image(repo, ["3.1.4"], variant="moved")
    user("bob")
    data = sindri_cli("image", "resolve", "--json", "--locked", cwd=config.parent).json()
    assert data["reference"] == f"{registry.host}/{repo}:3.1.4@{first}"
    assert (data["constraint"], data["locked"]) == ("explicit", True)
