"""The E2B template: its alias, its definition, and when it must be rebuilt.

A template starts from the chain's digest-pinned image (image mode), from a local Dockerfile
E2B's Dockerfile support takes, with its variables resolved, or from the image a Dockerfile it
refuses (multi-stage) was built into locally and pushed to ``buildRepository``. The E2B settings
follow as SDK steps: the extension environment as ENV steps (values passed as they are, never
through a Dockerfile line), the workspace as WORKDIR and the user. Secrets and registry
credentials are never part of the definition shown or recorded: credentials go to the build
request only, the way the SDK passes them for a private registry.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import attrs

from sindri_core.plugin import BuildContext, Credentials, ImageResolution, ProviderContext
from sindri_providers_e2b.dockerfile import prepare, sdk_reading
from sindri_providers_e2b.settings import E2bSettings

__all__ = [
    "TemplateDecision",
    "TemplateSpec",
    "decide_rebuild",
    "derive_alias",
    "sdk_template",
    "template_environment",
    "template_spec",
]

DEFINITION_NAME = "e2b-template.json"


def derive_alias(name: str, settings: E2bSettings) -> str:
    """``templateAlias``, else the name lower-cased to letters, digits and single dashes."""
    if settings.template_alias:
        return settings.template_alias
    alias = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return alias or "sindri"


def template_environment(ctx: ProviderContext) -> dict[str, str]:
    """The extension environment (INSTALL_PROFILE, CUSTOM_EXTENSIONS…) plus E2B_PROVIDER."""
    return {"E2B_PROVIDER": "true", **ctx.config.extensions.environment()}


@attrs.frozen
class TemplateSpec:
    """Everything needed to build one template.

    :param image: the base image (image mode, or once a local build is pushed).
    :param dockerfile: a single-stage Dockerfile with every variable resolved (build mode).
    :param local_build: why the Dockerfile must be built locally and pushed first, if it must.
    :param identity: what the base is (image digest or build fingerprint), for the fingerprint.
    """

    alias: str
    source: str
    identity: str
    cpu_count: int
    memory_mb: int
    env: dict[str, str]
    workdir: str
    user: str
    image: str | None = None
    dockerfile: str | None = None
    context_dir: Path | None = None
    local_build: str | None = None

    def with_image(self, image: str) -> TemplateSpec:
        return attrs.evolve(self, image=image, dockerfile=None, local_build=None)

    @property
    def fingerprint(self) -> str:
        """Changes whenever the template would: base, steps, CPU, memory."""
        steps = json.dumps([self.dockerfile, self.env, self.workdir, self.user], ensure_ascii=False)
        text = f"{self.identity}\0{steps}\0{self.cpu_count}\0{self.memory_mb}"
        return hashlib.sha256(text.encode()).hexdigest()

    def definition(self) -> str:
        """The definition as the SDK sends it, without credentials (for plan and the record)."""
        from e2b import Template

        return Template.to_json(sdk_template(self, None))


def sdk_template(spec: TemplateSpec, credentials: Credentials | None) -> Any:
    """The SDK ``Template`` for ``spec``; ``credentials`` pull a private base image."""
    from e2b import Template

    if spec.dockerfile is not None:
        context = str(spec.context_dir) if spec.context_dir else None
        with sdk_reading():
            builder = Template(file_context_path=context).from_dockerfile(spec.dockerfile)
    elif spec.image is not None:
        login = (credentials.username, credentials.password) if credentials else (None, None)
        builder = Template().from_image(spec.image, *login)
    else:
        raise ValueError("a local build is pushed before its template is defined")
    return builder.set_envs(spec.env).set_workdir(spec.workdir).set_user(spec.user)


def template_spec(
    ctx: ProviderContext,
    settings: E2bSettings,
    image: ImageResolution | None,
    build: BuildContext | None,
) -> TemplateSpec:
    """The template for an image (image mode) or a build context (build mode)."""
    common: dict[str, Any] = {
        "alias": derive_alias(ctx.name, settings),
        "cpu_count": ctx.config.deployment.resources.cpu_count,
        "memory_mb": ctx.config.deployment.resources.memory_mb,  # even: config_rules
        "env": template_environment(ctx),
        "workdir": ctx.config.deployment.volumes.workspace.path,
        "user": settings.user,
    }
    if build is not None:
        text = build.dockerfile.read_text(encoding="utf-8")
        prepared = prepare(text, build.build_args)
        return TemplateSpec(
            source=build.source.describe(),
            identity=build.fingerprint,
            dockerfile=None if prepared.local_reason else prepared.content,
            context_dir=build.context_dir,
            local_build=prepared.local_reason,
            **common,
        )
    if image is not None and image.reference:
        return TemplateSpec(
            source=image.reference,
            identity=image.digest or image.reference,
            image=image.reference,
            **common,
        )
    raise ValueError("an E2B template needs an image or a build context")


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
