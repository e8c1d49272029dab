"""The hello provider: "deploys" by recording the image it would run in a JSON file.

It never builds, so the core's image chain refuses a configuration without an image; it
wraps the chain only to add an explanation line.
"""

from __future__ import annotations

import json

import attrs

from sindri_core.plugin import (
    Artifact,
    BuildLocation,
    Capabilities,
    Change,
    DeploymentState,
    DeploymentStatus,
    DeployResult,
    OperationResult,
    Plan,
    PlannedAction,
    Prerequisite,
    PrerequisiteReport,
    ProviderContext,
    ProviderInfo,
    hookimpl,
    remove_artifacts,
    setting,
    write_artifacts,
)


@attrs.frozen
class HelloSettings:
    """The ``providers.hello`` section of sindri.yaml."""

    greeting: str = setting("hello", doc="Word written into the deployment record.")


@hookimpl
def sindri_provider_info():
    return ProviderInfo(
        name="hello",
        description="Records deployments in a file (example provider)",
        capabilities=Capabilities(build=BuildLocation.NEVER, prebuilt_image=True),
        config_class=HelloSettings,
        notes=("The hello provider only records what it would run.",),
    )


@hookimpl(wrapper=True)
def sindri_resolve_image(request):
    # Only ever called for the hello provider: a provider's hooks, wrappers included, see
    # only its own provider's calls.
    resolution = yield
    return attrs.evolve(resolution, notes=(*resolution.notes, "checked by the hello provider"))


@hookimpl
def sindri_check_prerequisites(ctx):
    return PrerequisiteReport((Prerequisite("nothing", "hello needs no tools", True),))


def _record(ctx: ProviderContext[HelloSettings], image):
    content = json.dumps({"greeting": ctx.provider_config.greeting, "image": image.reference})
    return Artifact(ctx.output_dir / "deployment.json", content + "\n")


def _recorded(record: Artifact) -> str | None:
    """What the last deploy wrote, if it wrote anything: the live state this provider has."""
    return record.path.read_text() if record.path.is_file() else None


@hookimpl
def sindri_plan(ctx, image):
    record = _record(ctx, image)
    action = PlannedAction("create", f"record:{ctx.name}", f"record {image.reference}")
    plan = Plan(actions=(action,), artifacts=(record,))
    # Compared with what runs: with nothing to change, the plan says so and has no actions.
    return plan.compared([Change.compare(f"file:{record.path}", _recorded(record), record.content)])


@hookimpl
def sindri_deploy(ctx, image, build, options):
    record = _record(ctx, image)
    if _recorded(record) == record.content:
        return DeployResult(reference=image.reference, unchanged=True)
    write_artifacts([record])
    return DeployResult(reference=image.reference, messages=(f"Recorded {image.reference}",))


@hookimpl
def sindri_status(ctx, image):
    path = ctx.output_dir / "deployment.json"
    if not path.is_file():
        return DeploymentStatus(DeploymentState.NOT_DEPLOYED)
    record = json.loads(path.read_text())
    return DeploymentStatus(DeploymentState.RUNNING, image=record["image"])


@hookimpl
def sindri_destroy(ctx, options):
    remove_artifacts(ctx.output_dir)
    return OperationResult(f"Forgot {ctx.name}")
