"""Building, tagging and pushing images with the ``docker`` CLI, for every provider that
builds on a local Docker engine.

The Docker provider builds locally, DevPod (type docker, local kind/k3d clusters) and E2B
(multi-stage Dockerfiles) build and push, Kubernetes asks whether an image is local. They
share these functions, so the build-skip rule (an image labelled with the same content
fingerprint) is the same everywhere. Running and inspecting containers is the Docker
provider's alone (``sindri_providers_docker.engine``).

Every function takes the :class:`~sindri_core.runner.CommandRunner` of the operation, so tests
can record the commands and timeouts apply.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sindri_core.errors import ExternalCommandError, OperationError
from sindri_core.lifecycle import BuiltImage

if TYPE_CHECKING:
    from sindri_core.build.context import BuildContext
    from sindri_core.output import Console
    from sindri_core.runner import CommandRunner

__all__ = [
    "BUILD_TIMEOUT",
    "FINGERPRINT_LABEL",
    "PUSH_TIMEOUT",
    "QUERY_TIMEOUT",
    "build_and_push",
    "build_argv",
    "build_image",
    "has_built_image",
    "image_exists_locally",
    "images_with_label",
    "push_image",
    "pushed_reference",
    "tag_image",
]

FINGERPRINT_LABEL = "dev.sindri.fingerprint"

# A build of the Sindri image compiles and downloads a lot; queries answer in milliseconds
# but a busy engine can be slow, so they get a generous bound rather than the default.
BUILD_TIMEOUT = 3600.0
PUSH_TIMEOUT = 1800.0
QUERY_TIMEOUT = 30.0

_PUSHED_DIGEST = re.compile(r"digest: (sha256:[0-9a-f]{64})")


# -- images ----------------------------------------------------------------------------------


def build_argv(build: BuildContext, tag: str, *, no_cache: bool) -> list[str]:
    """``docker build`` of a build context, labelled with its content fingerprint."""
    argv = ["docker", "build", "-f", str(build.dockerfile), "-t", tag]
    argv += ["--label", f"{FINGERPRINT_LABEL}={build.fingerprint}"]
    for name, value in sorted(build.build_args.items()):
        argv += ["--build-arg", f"{name}={value}"]
    if no_cache:
        argv.append("--no-cache")
    argv.append(str(build.context_dir))
    return argv


def build_image(
    runner: CommandRunner, build: BuildContext, tag: str, *, force: bool, console: Console
) -> BuiltImage:
    """Build ``build`` as ``tag`` on the local engine, or reuse an identical image.

    Without ``force``, an image carrying the same fingerprint label is the same build: it is
    tagged ``tag`` and nothing is built. ``force`` rebuilds without the layer cache.
    Progress streams to stderr when the console shows progress; otherwise the output is
    captured and its last lines end up in the error message.

    :raises OperationError: the build failed.
    """
    if not force:
        existing = images_with_label(runner, FINGERPRINT_LABEL, build.fingerprint)
        if existing:
            tag_image(runner, existing[0], tag)
            console.step(f"Reusing {tag}: an image built from the same sources exists")
            return BuiltImage(reference=tag, fingerprint=build.fingerprint, skipped=True)
    console.step(f"Building {tag} from the {build.source.describe()}")
    try:
        runner.run(
            build_argv(build, tag, no_cache=force),
            timeout=BUILD_TIMEOUT,
            stream=console.progress,
        )
    except ExternalCommandError as exc:
        raise OperationError(
            f"building {tag} from the {build.source.describe()} failed: {exc.message}"
        ) from None
    return BuiltImage(reference=tag, fingerprint=build.fingerprint)


def has_built_image(runner: CommandRunner, fingerprint: str) -> bool:
    """Whether the engine holds an image built from sources with this content fingerprint
    (a read-only query: ``plan`` uses it to say whether deploy would build or reuse).

    :raises ExternalCommandError: the engine could not answer.
    """
    return bool(images_with_label(runner, FINGERPRINT_LABEL, fingerprint))


def images_with_label(runner: CommandRunner, label: str, value: str) -> list[str]:
    """IDs of local images labelled ``label=value``, newest first."""
    result = runner.run(
        ["docker", "images", "--filter", f"label={label}={value}", "--quiet", "--no-trunc"],
        timeout=QUERY_TIMEOUT,
    )
    return _unique_lines(result.stdout)


def image_exists_locally(runner: CommandRunner, ref: str) -> bool:
    result = runner.run(
        ["docker", "image", "inspect", "--format", "{{.Id}}", ref],
        timeout=QUERY_TIMEOUT,
        check=False,
    )
    return result.ok


def tag_image(runner: CommandRunner, source: str, target: str) -> None:
    runner.run(["docker", "tag", source, target], timeout=QUERY_TIMEOUT)


def push_image(runner: CommandRunner, source: str, target: str) -> str | None:
    """Tag ``source`` as ``target`` and push it; returns the pushed manifest digest.

    :raises OperationError: the push failed (the registry's answer is in the message).
    """
    if source != target:
        tag_image(runner, source, target)
    try:
        result = runner.run(["docker", "push", target], timeout=PUSH_TIMEOUT)
    except ExternalCommandError as exc:
        raise OperationError(f"pushing {target} failed: {exc.message}") from None
    match = _PUSHED_DIGEST.search(result.stdout)
    return match.group(1) if match else None


def pushed_reference(repository: str, tag: str) -> str:
    """``sindri:3.2.0-abc1234`` pushed to ``ghcr.io/me/dev`` is ``ghcr.io/me/dev:3.2.0-abc1234``."""
    return f"{repository}:{tag.rsplit(':', 1)[-1]}"


def build_and_push(
    runner: CommandRunner, build: BuildContext, repository: str, *, force: bool, console: Console
) -> str:
    """Build ``build`` locally (or reuse it) and push it to ``repository``: the pushed
    reference, pinned by digest when the registry reported one."""
    built = build_image(runner, build, build.tag, force=force, console=console)
    target = pushed_reference(repository, built.reference)
    console.step(f"Pushing {target}")
    digest = push_image(runner, built.reference, target)
    return f"{target}@{digest}" if digest else target


def _unique_lines(text: str) -> list[str]:
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
