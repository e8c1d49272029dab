"""Level 5 of the chain and the build commands through the CLI, with fake providers: one that
builds and one that never does, and the Sindri sources on a real ``git daemon``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sindri_core import __version__, hookimpl
from sindri_core.lifecycle import BuiltImage, DeployResult, Plan
from sindri_core.provider import BuildLocation, Capabilities, PrerequisiteReport, ProviderInfo

PLACEHOLDER = f"sindri:{__version__}-SOURCE"
NOWHERE = "git://127.0.0.1:9/nowhere.git"  # plan and resolve must never contact it


class Forge:
    """A provider that builds locally and records what it was asked to build."""

    def __init__(self) -> None:
        self.built: list[tuple] = []

    @hookimpl
    def sindri_provider_info(self):
        return ProviderInfo("forge", "builds", Capabilities(BuildLocation.LOCAL))

    @hookimpl
    def sindri_check_prerequisites(self, ctx):
        return PrerequisiteReport(())

    @hookimpl
    def sindri_plan(self, ctx, image):
        return Plan(())

    @hookimpl
    def sindri_build(self, ctx, build, options):
        self.built.append((build, options))
        return BuiltImage(reference=build.tag, fingerprint=build.fingerprint)

    @hookimpl
    def sindri_deploy(self, ctx, image, build, options):
        self.built.append((build, options))
        return DeployResult(reference=build.tag if build else image.reference)


class Runner:
    """A provider that only runs pre-built images; it records every hook call."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    @hookimpl
    def sindri_provider_info(self):
        return ProviderInfo("runner", "never builds", Capabilities(BuildLocation.NEVER))

    @hookimpl
    def sindri_check_prerequisites(self, ctx):
        self.calls.append("check_prerequisites")
        return PrerequisiteReport(())

    @hookimpl
    def sindri_plan(self, ctx, image):
        self.calls.append("plan")
        return Plan(())


@pytest.fixture
def forge(register_provider) -> Forge:
    plugin = Forge()
    register_provider(plugin, name="forge")
    return plugin


@pytest.fixture
def runner(register_provider) -> Runner:
    plugin = Runner()
    register_provider(plugin, name="runner")
    return plugin


def _project(write_config, provider: str, repository: str, *extra: str) -> Path:
    lines = [
        'version: "3.0"',
        "name: demo",
        "deployment:",
        f"  provider: {provider}",
        *extra,
        "  buildFromSource:",
        f"    repository: {repository}",
        "    gitRef: v3.1.0",
    ]
    return write_config("\n".join(lines) + "\n").parent


def _cache() -> Path:
    return Path(os.environ["SINDRI_CACHE_DIR"])


# -- level 5: explained, fetched by nothing ----------------------------------------------------


def test_resolve_explain_says_which_build_source_and_why(
    forge, write_config, sindri_cli, git_calls
):
    project = _project(write_config, "forge", NOWHERE)

    result = sindri_cli("image", "resolve", "--explain", cwd=project)

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == PLACEHOLDER and "  source: build" in lines
    assert (
        f"  why: no image is configured; no local Dockerfile found at ./Dockerfile, "
        f"./v3/Dockerfile, ./deploy/Dockerfile (in {project}); using the Sindri sources at "
        f"{NOWHERE}@v3.1.0" in lines
    )
    assert f"  build source: Sindri sources at {NOWHERE}@v3.1.0" in lines
    assert git_calls() == [] and not (_cache() / "sources").exists()


def test_plan_json_shows_the_build_source_and_fetches_nothing(
    forge, write_config, sindri_cli, git_calls
):
    project = _project(write_config, "forge", NOWHERE)

    plan = sindri_cli("plan", "--json", cwd=project)

    assert plan.exit_code == 0, plan.stderr
    document = plan.json()
    assert (document["image"]["source"], document["image"]["reference"]) == ("build", PLACEHOLDER)
    build = document["build"]
    assert (build["kind"], build["repository"], build["ref"]) == ("git", NOWHERE, "v3.1.0")
    assert build["reason"].startswith("no local Dockerfile found at ./Dockerfile")
    assert git_calls() == [] and not (_cache() / "sources").exists()


def test_plan_json_names_a_local_dockerfile(forge, write_config, sindri_cli):
    project = _project(write_config, "forge", NOWHERE)
    (project / "v3").mkdir()
    (project / "v3" / "Dockerfile").write_text("FROM scratch\n")

    build = sindri_cli("plan", "--json", cwd=project).json()["build"]

    assert (build["kind"], build["dockerfile"]) == ("local", str(project / "v3" / "Dockerfile"))
    assert build["reason"] == "a local Dockerfile was found at ./v3/Dockerfile"


def test_an_explicit_build_says_the_configured_image_is_not_used(forge, write_config, sindri_cli):
    project = _project(write_config, "forge", NOWHERE, "  image: ghcr.io/acme/dev:1.0")
    (project / "sindri.yaml").write_text(
        (project / "sindri.yaml").read_text() + "    enabled: true\n"
    )

    resolved = sindri_cli("image", "resolve", "--json", cwd=project).json()

    assert resolved["source"] == "build"
    assert resolved["reason"] == (
        f"deployment.buildFromSource.enabled is true; building from the Sindri sources at "
        f"{NOWHERE}@v3.1.0"
    )
    assert "the configured image is not used: this deployment builds its image" in resolved["notes"]


@pytest.mark.parametrize("dockerfile", [False, True])
def test_a_provider_that_cannot_build_gets_the_plain_no_image_error(
    runner, write_config, sindri_cli, dockerfile
):
    project = _project(write_config, "runner", NOWHERE)
    if dockerfile:
        (project / "Dockerfile").write_text("FROM scratch\n")

    for args in (("image", "resolve", "--explain"), ("plan", "--json")):
        result = sindri_cli(*args, cwd=project)
        assert result.exit_code == 2
        assert result.stderr.startswith("error: deployment: No image configured (the runner ")
        assert "build source" not in result.stdout and "Sindri sources" not in result.stderr


def test_from_source_is_refused_by_a_provider_that_cannot_build(runner, write_config, sindri_cli):
    project = _project(write_config, "runner", NOWHERE, "  image: ghcr.io/acme/dev:1.0")

    result = sindri_cli("plan", "--from-source", cwd=project)

    assert result.exit_code == 2 and "never builds images" in result.stderr
    assert runner.calls == []


# -- image context -----------------------------------------------------------------------------


def test_image_context_describes_a_local_dockerfile(forge, write_config, sindri_cli):
    project = _project(write_config, "forge", NOWHERE)
    (project / "Dockerfile").write_text("FROM scratch\n")

    result = sindri_cli("image", "context", "--json", cwd=project)

    assert result.exit_code == 0, result.stderr
    context = result.json()
    assert context["context"] == str(project) and context["origin"]["kind"] == "local"
    assert context["dockerfile"] == str(project / "Dockerfile")
    assert context["tag"] == f"sindri:{__version__}-{context['fingerprint'][:12]}"
    assert len(context["fingerprint"]) == 64


def test_image_context_fetches_then_reuses_and_resolve_names_the_cached_commit(
    forge, write_config, sindri_cli, sindri_sources, git_calls
):
    project = _project(write_config, "forge", sindri_sources.url)
    tagged = sindri_sources.marks["tagged"]

    fetched = sindri_cli("image", "context", "--json", cwd=project)
    calls = len(git_calls())
    reused = sindri_cli("image", "context", cwd=project)
    resolved = sindri_cli("image", "resolve", "--json", cwd=project)
    planned = sindri_cli("plan", "--json", cwd=project)

    assert fetched.exit_code == 0, fetched.stderr
    origin = fetched.json()["origin"]
    assert origin == {
        "kind": "git",
        "reason": origin["reason"],
        "repository": sindri_sources.url,
        "ref": "v3.1.0",
        "ref_kind": "tag",
        "requested_ref": "v3.1.0",
        "commit": tagged,
        "cached": False,
    }
    assert fetched.json()["tag"] == f"sindri:{__version__}-{tagged[:7]}"
    assert reused.exit_code == 0 and len(git_calls()) == calls
    assert f"origin:      {sindri_sources.url}@v3.1.0 (tag at {tagged}), from the cache" in (
        reused.stdout.splitlines()
    )
    assert resolved.json()["reference"] == f"sindri:{__version__}-{tagged[:7]}"
    assert planned.json()["image"]["reference"] == PLACEHOLDER  # plan never looks further
    assert len(git_calls()) == calls


def test_image_context_is_refused_by_a_provider_that_never_builds(runner, write_config, sindri_cli):
    project = _project(write_config, "runner", NOWHERE)

    result = sindri_cli("image", "context", cwd=project)

    assert result.exit_code == 2 and "never builds images" in result.stderr


# -- sindri build ------------------------------------------------------------------------------


def test_build_hands_the_fetched_context_to_the_provider(forge, write_config, sindri_cli):
    project = _project(write_config, "forge", NOWHERE, "  image: ghcr.io/acme/dev:1.0")
    (project / "Dockerfile").write_text("FROM scratch\n")

    result = sindri_cli("build", "--force", "--json", cwd=project)

    assert result.exit_code == 0, result.stderr
    [(context, options)] = forge.built
    assert context.context_dir == project and options.force
    assert result.json()["reference"] == context.tag


@pytest.mark.parametrize(
    "image", ["  image: ghcr.io/acme/dev:1.0", "  image_config:\n    registry: ghcr.io/acme/dev"]
)
def test_build_builds_nothing_where_deploy_force_would_build_nothing(
    forge, write_config, sindri_cli, image
):
    # One rule for both: with an image configured and no build source present, deploy
    # --force runs the image; build must not fetch the Sindri sources instead.
    project = _project(write_config, "forge", NOWHERE, image)

    planned = sindri_cli("deploy", "--force", "--dry-run", "--json", cwd=project).json()
    result = sindri_cli("build", cwd=project)

    assert planned["image"]["source"] != "build"
    assert result.exit_code == 2
    assert result.diagnostics.startswith("error: nothing to build: deploy (and deploy --force)")
    assert "--from-source" in result.stderr
    assert forge.built == [] and not _cache().exists()


def test_build_is_refused_by_a_provider_that_never_builds(runner, write_config, sindri_cli):
    project = _project(write_config, "runner", NOWHERE, "  image: ghcr.io/acme/dev:1.0")
    (project / "Dockerfile").write_text("FROM scratch\n")

    result = sindri_cli("build", "--json", cwd=project)

    assert result.exit_code == 2
    assert result.stderr.startswith("error: the runner provider never builds images")
    assert result.stdout == "" and runner.calls == []


@pytest.mark.parametrize(
    "command", [("image", "context"), ("build",), ("plan",), ("deploy",)], ids=" ".join
)
def test_a_dockerignore_pattern_docker_refuses_is_an_error_naming_file_line_and_pattern(
    forge, write_config, sindri_cli, command
):
    project = _project(write_config, "forge", NOWHERE)
    (project / "Dockerfile").write_text("FROM scratch\n")
    (project / ".dockerignore").write_text("# build output\n*.log\n[a-b-c]\n")

    result = sindri_cli(*command, cwd=project)

    assert result.exit_code == 2, result.stderr
    first = result.diagnostics.splitlines()[0]
    assert first.startswith(f"error: {project / '.dockerignore'}:3: invalid pattern '[a-b-c]'")
    assert "Traceback" not in result.stderr and forge.built == []
