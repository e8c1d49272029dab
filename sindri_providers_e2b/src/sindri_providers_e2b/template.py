"""The E2B template: its alias, its Dockerfile, and when it must be rebuilt.

A template is built from the build context's Dockerfile (build mode) or ``FROM`` the chain's
digest-pinned image (image mode), plus the E2B settings. Secrets and host tokens never go into
it: they reach the sandbox as environment at creation.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import attrs

from sindri_core.plugin import BuildContext, ImageResolution, ProviderContext
from sindri_providers_e2b.settings import E2bSettings

__all__ = ["TemplateDecision", "TemplateSpec", "decide_rebuild", "derive_alias", "template_spec"]

DOCKERFILE_NAME = "e2b.Dockerfile"


def derive_alias(name: str, settings: E2bSettings) -> str:
    """``templateAlias``, else the name lower-cased to letters, digits and single dashes."""
    if settings.template_alias:
        return settings.template_alias
    alias = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return alias or "sindri"


@attrs.frozen
class TemplateSpec:
    """Everything needed to build one template.

    :param root: the directory the E2B CLI reads files from (``-p``).
    :param dockerfile: where the generated ``e2b.Dockerfile`` is written.
    :param fingerprint: changes whenever the template's content would change.
    :param source: the image or build source, for messages and status.
    """

    alias: str
    root: Path
    dockerfile: Path
    content: str
    fingerprint: str
    source: str
    cpu_count: int
    memory_mb: int


def _env_line(key: str, value: str) -> str:
    return f"ENV {key}={json.dumps(value, ensure_ascii=False)}"


def _settings_lines(ctx: ProviderContext, settings: E2bSettings) -> list[str]:
    env = {"E2B_PROVIDER": "true", **ctx.config.extensions.environment()}
    return [
        "",
        "# E2B settings added by sindri (secrets are passed at sandbox creation, never here)",
        *(_env_line(key, value) for key, value in env.items()),
        f"WORKDIR {ctx.config.deployment.volumes.workspace.path}",
        f"USER {settings.user}",
        "",
    ]


def _bake_build_args(dockerfile: str, args: dict[str, str]) -> str:
    """E2B builds take no build arguments: give each ``ARG`` the value docker build would."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(2)
        return f"{match.group(1)}ARG {name}={json.dumps(args[name])}"

    pattern = r"^(\s*)ARG\s+(" + "|".join(map(re.escape, args)) + r")(?:=\S*)?\s*$"
    return re.sub(pattern, replace, dockerfile, flags=re.MULTILINE) if args else dockerfile


def _memory_mb(ctx: ProviderContext) -> int:
    memory = ctx.config.deployment.resources.memory_mb
    return memory + (memory % 2)  # E2B requires an even number of megabytes


def template_spec(
    ctx: ProviderContext,
    settings: E2bSettings,
    image: ImageResolution | None,
    build: BuildContext | None,
) -> TemplateSpec:
    """The template for an image (image mode) or a build context (build mode)."""
    dockerfile = ctx.output_dir / DOCKERFILE_NAME
    if build is not None:
        base = _bake_build_args(build.dockerfile.read_text(encoding="utf-8"), build.build_args)
        head = f"# E2B template for {ctx.name}, built from {build.source.describe()}\n"
        content, root, identity = head + base.rstrip("\n"), build.context_dir, build.fingerprint
        source = build.source.describe()
    elif image is not None and image.reference:
        content = f"# E2B template for {ctx.name}\nFROM {image.reference}"
        root, identity = ctx.output_dir, image.digest or image.reference
        source = image.reference
    else:
        raise ValueError("an E2B template needs an image or a build context")
    content = content + "\n" + "\n".join(_settings_lines(ctx, settings))
    cpu, memory = ctx.config.deployment.resources.cpu_count, _memory_mb(ctx)
    digest = hashlib.sha256(f"{identity}\0{content}\0{cpu}\0{memory}".encode()).hexdigest()
    return TemplateSpec(
        alias=derive_alias(ctx.name, settings),
        root=root,
        dockerfile=dockerfile,
        content=content,
        fingerprint=digest,
        source=source,
        cpu_count=cpu,
        memory_mb=memory,
    )


@attrs.frozen
class TemplateDecision:
    build: bool
    reason: str


def decide_rebuild(
    settings: E2bSettings,
    *,
    force: bool,
    exists: bool,
    recorded: str | None,
    current: str,
    alias: str,
) -> TemplateDecision:
    """Whether to (re)build the template, and why — the first reason that applies."""
    if settings.build_on_deploy:
        return TemplateDecision(True, "providers.e2b.buildOnDeploy is true")
    if force:
        return TemplateDecision(True, "--force")
    if not settings.reuse_template:
        return TemplateDecision(True, "providers.e2b.reuseTemplate is false")
    if not exists:
        return TemplateDecision(True, f"no template called {alias} exists")
    if recorded is None:
        return TemplateDecision(True, f"nothing records what template {alias} was built from")
    if recorded != current:
        return TemplateDecision(True, "the image or Dockerfile changed since the last build")
    return TemplateDecision(False, f"template {alias} is up to date")
