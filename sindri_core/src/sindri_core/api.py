"""The library API: what the ``sindri`` CLI calls, for other tools to call too.

    from sindri_core.api import Project

    project = Project.load("path/to/sindri.yaml")
    print(project.resolve_image().reference)
    report = project.plan()

A :class:`Project` is a validated configuration bound to its provider. Each method is one CLI
command; they raise :class:`~sindri_core.errors.SindriError` subclasses on failure.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from sindri_core.config.loader import LoadedConfig, load_config
from sindri_core.config.model import SindriConfig
from sindri_core.errors import ConfigError, OperationError, UsageError
from sindri_core.image.resolution import ImageRequest, ImageResolution, ImageSource
from sindri_core.output import Console
from sindri_core.plugins import PluginHost, ProviderHooks, get_host
from sindri_core.provider import ProviderInfo

# The lifecycle types are imported by the methods that build them: `sindri image resolve`
# (and other read-only commands) never need them.
if TYPE_CHECKING:
    from sindri_core.build.context import BuildContext, BuildSource
    from sindri_core.image.verify import VerificationReport
    from sindri_core.lifecycle import (
        BuiltImage,
        DeploymentStatus,
        DeployOptions,
        DeployResult,
        OperationResult,
        Plan,
        ProviderContext,
    )
    from sindri_core.runner import CommandRunner

__all__ = ["PlanReport", "Project"]


@attrs.frozen
class PlanReport:
    """What ``plan`` prints; ``to_json`` is the documented ``plan --json`` shape."""

    provider: str
    image: ImageResolution
    plan: Plan

    @property
    def reference(self) -> str | None:
        """The image deploy would run: the provider's, when it knows better than the chain."""
        return self.plan.reference or self.image.reference

    def to_json(self) -> dict[str, Any]:
        build = self.image.build.to_json() if self.image.build is not None else None
        return {
            "provider": self.provider,
            "reference": self.reference,
            "image": self.image.to_json(),
            "build": build,
            "actions": [attrs.asdict(a) for a in self.plan.actions],
            "changes": [change.to_json() for change in self.plan.changes],
            # A provider that does not compare yet returns no changes: not "compared".
            "compared": self.plan.not_compared is None and bool(self.plan.changes),
            "artifacts": [{"path": str(a.path), "content": a.content} for a in self.plan.artifacts],
            "notes": list(self.plan.notes),
            "refusals": list(self.plan.refusals),
        }


class Project:
    """A validated ``sindri.yaml`` bound to its selected provider."""

    def __init__(
        self,
        loaded: LoadedConfig,
        *,
        host: PluginHost,
        console: Console | None = None,
        runner: CommandRunner | None = None,
    ) -> None:
        self.loaded = loaded
        self.host = host
        self.console = console or Console(progress=False)
        self._runner = runner
        # `deploy --env-file`: read instead of .env.local and .env.
        self.env_file: Path | None = None
        self.provider: ProviderInfo = host.provider(loaded.config.deployment.provider)
        self.hooks: ProviderHooks = host.hooks_for(self.provider)

    @property
    def runner(self) -> CommandRunner:
        """The command runner, made on first use: resolving an image runs no command, and
        subprocess and its kin are not worth importing for it."""
        if self._runner is None:
            from sindri_core.runner import CommandRunner

            self._runner = CommandRunner(console=self.console)
        return self._runner

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        *,
        host: PluginHost | None = None,
        console: Console | None = None,
        runner: CommandRunner | None = None,
    ) -> Project:
        """Find (or read ``path``), validate and bind a configuration.

        :raises ConfigError: the file is missing or invalid.
        """
        host = host or get_host()
        loaded = load_config(Path(path) if path is not None else None, host.catalog)
        return cls(loaded, host=host, console=console, runner=runner)

    @property
    def config(self) -> SindriConfig:
        return self.loaded.config

    @property
    def project_dir(self) -> Path:
        return self.loaded.project_dir

    def context(self) -> ProviderContext[Any]:
        from sindri_core.lifecycle import ProviderContext
        from sindri_core.secrets import SecretValues

        return ProviderContext(
            config=self.config,
            project_dir=self.project_dir,
            provider=self.provider,
            provider_config=self.config.providers.get(self.provider.name)
            or self.provider.default_config(),
            runner=self.runner,
            console=self.console,
            secrets=SecretValues(
                tuple(self.config.secrets),
                self.project_dir,
                env_file=self.env_file,
                warn=self.console.warn,
            ),
        )

    # -- image ---------------------------------------------------------------------------------

    def resolve_image(
        self,
        *,
        planning: bool = False,
        refresh: bool = False,
        force_build: bool = False,
        from_source: bool = False,
    ) -> ImageResolution:
        """Walk the image chain (docs/IMAGE_MANAGEMENT.md) for this project and provider."""
        request = ImageRequest(
            config=self.config,
            project_dir=self.project_dir,
            provider=self.provider,
            planning=planning,
            refresh=refresh,
            force_build=force_build,
            from_source=from_source,
        )
        return self.hooks.resolve_image(request)

    def build_context(self, resolution: ImageResolution, *, refresh: bool = False) -> BuildContext:
        """Fetch (or reuse) the build context of a build resolution."""
        if resolution.build is None:
            raise UsageError(
                f"the image comes from {resolution.source.value}, not from a build: "
                f"{resolution.reference}"
            )
        return self.fetch_build_context(resolution.build, refresh=refresh)

    def build_source(self, *, from_source: bool = False, deployable: bool = False) -> BuildSource:
        """The source ``build``, ``image context`` and ``deploy --force`` build from
        (docs/IMAGE_MANAGEMENT.md). Decided offline.

        :param deployable: only a source ``deploy --force`` would build (``sindri build``):
            with an image configured, that is a present one (a local Dockerfile,
            ``buildFromSource.enabled``, ``--from-source``), never the Sindri sources fetched
            as a fallback.
        :raises UsageError: the provider never builds, or (``deployable``) deploy would run
            the configured image rather than build one.
        """
        if not self.provider.capabilities.can_build:
            raise UsageError(
                f"the {self.provider.name} provider never builds images; build and push the "
                "image elsewhere and set deployment.image or deployment.image_config"
            )
        from sindri_core.build.sources import select_source

        choice = select_source(self.config, self.project_dir, from_source)
        deployment = self.config.deployment
        configured = deployment.image_config is not None or deployment.image
        if deployable and configured and not choice.present:
            what = "image_config" if deployment.image_config is not None else "image"
            raise UsageError(
                f"nothing to build: deploy (and deploy --force) runs deployment.{what}, and "
                "there is no ./Dockerfile, ./v3/Dockerfile or ./deploy/Dockerfile; add one, "
                "set deployment.buildFromSource.enabled, or pass --from-source"
            )
        return choice.source

    def fetch_build_context(self, source: BuildSource, *, refresh: bool = False) -> BuildContext:
        """Materialise ``source``: the local Dockerfile in place, or the Sindri sources from
        the cache (fetched when needed; ``refresh`` re-resolves tags too)."""
        self.console.step(f"Preparing build context: {source.describe()}")
        from sindri_core.build.context import BuildContextRequest

        request = BuildContextRequest(
            config=self.config,
            project_dir=self.project_dir,
            source=source,
            refresh=refresh,
            runner=self.runner,
            console=self.console,
            provider=self.provider,
        )
        context = self.hooks.fetch_build_context(request)
        assert context is not None  # only a planning request may answer None
        return context

    def verify(self, resolution: ImageResolution) -> VerificationReport | None:
        """Verify signature/provenance when ``image_config`` asks for it (fail closed)."""
        ic = self.config.deployment.image_config
        if ic is None or resolution.source in (ImageSource.BUILD, ImageSource.NONE):
            return None
        if not (ic.verify_signature or ic.verify_provenance):
            return None
        from sindri_core.image.verify import verify_resolution

        self.console.step(f"Verifying {resolution.reference}")
        report = verify_resolution(resolution, ic, runner=self.runner, base_dir=self.project_dir)
        self._warn_unlogged(report)
        return report

    def verify_image(self, reference: str | None = None) -> VerificationReport:
        """``sindri image verify``: verify ``reference``, or the image the chain resolves.

        Uses ``image_config``'s key, identity and checks; the signature is checked even when
        nothing is configured (a legacy ``image``, or verification switched off).
        """
        from sindri_core.image.verify import verify_resolution, verify_with_config

        ic = self.config.deployment.image_config
        if reference is not None:
            report = verify_with_config(
                reference, ic, runner=self.runner, base_dir=self.project_dir
            )
        else:
            resolution = self.resolve_image()
            self.console.step(f"Verifying {resolution.reference}")
            report = verify_resolution(
                resolution, ic, runner=self.runner, base_dir=self.project_dir
            )
        self._warn_unlogged(report)
        return report

    def _warn_unlogged(self, report: VerificationReport) -> None:
        if not report.transparency_log:
            from sindri_core.image.verify import IGNORE_TLOG_ENV

            self.console.warn(
                f"{report.reference}: the signature was checked against the key only, not the "
                f"transparency log ({IGNORE_TLOG_ENV} is set)"
            )

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def _described(self) -> str:
        return f"{self.config.name} ({self.provider.name})"

    def _ready(self, operation: str) -> ProviderContext[Any]:
        """Fail early when the provider lacks ``operation`` or its prerequisites; else the
        context to run it with."""
        self.hooks.require(operation)
        ctx = self.context()
        self._require_prerequisites(ctx)
        return ctx

    @contextlib.contextmanager
    def _exclusive(self, operation: str) -> Iterator[None]:
        """Hold the project lock for a command that changes the deployment, after refusing
        a provider directory reached through a link (before any work)."""
        from sindri_core.artifacts import check_output_dir
        from sindri_core.project_lock import project_lock

        check_output_dir(self.project_dir / ".sindri" / self.provider.name)
        with project_lock(self.project_dir, operation, on_wait=self.console.warn):
            yield

    @contextlib.contextmanager
    def _output_dir(self, ctx: ProviderContext[Any]) -> Iterator[ProviderContext[Any]]:
        """``ctx.output_dir`` created for the hooks that generate files (build, deploy); the
        directories made here are removed again if the hook left them empty (a failed
        deploy leaves nothing behind)."""
        from sindri_core.artifacts import check_output_dir

        check_output_dir(ctx.output_dir)  # never made through a link a repository planted
        made = [d for d in (ctx.output_dir.parent, ctx.output_dir) if not d.exists()]
        ctx.output_dir.mkdir(parents=True, exist_ok=True)
        try:
            yield ctx
        finally:
            for directory in reversed(made):
                with contextlib.suppress(OSError):  # not empty: the hook wrote there
                    directory.rmdir()

    def _require_prerequisites(self, ctx: ProviderContext[Any]) -> None:
        report = self.hooks.check_prerequisites(ctx)
        if report.satisfied:
            return
        missing = "; ".join(
            f"{p.name} ({p.description})" + (f" — {p.install_hint}" if p.install_hint else "")
            for p in report.missing
        )
        raise OperationError(f"prerequisites for {self.provider.name} are missing: {missing}")

    def plan(
        self, *, from_source: bool = False, force: bool = False, refresh: bool = False
    ) -> PlanReport:
        """What ``deploy`` would do. Runs nothing that changes anything and writes nothing.

        :param refresh: list the registry's tags afresh, as ``deploy --refresh`` does.
        """
        self.hooks.require("plan")
        image = self.resolve_image(
            planning=True, from_source=from_source, force_build=force, refresh=refresh
        )
        if image.build is not None and image.build.dockerfile is not None:
            # A local context is at hand: refuse now a .dockerignore docker build refuses.
            from sindri_core.build.dockerignore import IgnoreRules

            IgnoreRules.for_context(image.build.dockerfile.parent)
        ctx = self.context()
        self._warn_left_out_secrets(ctx)
        plan = self.hooks.plan(ctx, image)
        return PlanReport(provider=self.provider.name, image=image, plan=plan)

    def check_secrets(self) -> tuple[list[ConfigError], list[str]]:
        """What plan and deploy would refuse about the secrets, and what they would leave
        out (:meth:`SecretValues.check`); Vault is not read."""
        from sindri_core.secrets import SecretValues

        secrets = SecretValues(tuple(self.config.secrets), self.project_dir, env_file=self.env_file)
        return secrets.check(files=self.provider.capabilities.file_secrets)

    def _warn_left_out_secrets(self, ctx: ProviderContext[Any]) -> None:
        for warning in ctx.secrets.check(files=self.provider.capabilities.file_secrets)[1]:
            self.console.warn(warning)

    def build(
        self, *, force: bool = False, refresh: bool = False, from_source: bool = False
    ) -> BuiltImage:
        """The provider's build step alone: build once (in CI), deploy many times. It builds
        what ``deploy --force`` would build, and refuses when that deploy builds nothing."""
        from sindri_core.lifecycle import BuildOptions

        source = self.build_source(from_source=from_source, deployable=True)
        ctx = self._ready("build")
        with self.console.operation(f"Building the image of {self._described}"):
            build = self.fetch_build_context(source, refresh=refresh)
            with self._output_dir(ctx):
                return self.hooks.build(ctx, build, BuildOptions(force=force))

    def deploy(
        self,
        options: DeployOptions | None = None,
        *,
        skip_verification: bool = False,
        from_source: bool = False,
        refresh: bool = False,
    ) -> DeployResult | PlanReport:
        """Resolve, verify, fetch the build context when building, and deploy.

        With ``options.dry_run`` this is :meth:`plan`.
        """
        from sindri_core.lifecycle import DeployOptions

        options = options or DeployOptions()
        if options.dry_run:
            return self.plan(from_source=from_source, force=options.force, refresh=refresh)
        self.hooks.require("deploy")
        with self._exclusive("deploy"), self.console.operation(f"Deploying {self._described}"):
            return self._deploy(options, skip_verification, from_source, refresh)

    def _deploy(
        self, options: DeployOptions, skip_verification: bool, from_source: bool, refresh: bool
    ) -> DeployResult:
        image = self.resolve_image(
            force_build=options.force, from_source=from_source, refresh=refresh
        )
        if not skip_verification:
            report = self.verify(image)
            if report is not None and image.digest is None:
                # A tag (tag_override) was verified by the digest it named; run that digest.
                image = attrs.evolve(image, reference=report.reference, digest=report.digest)
        ctx = self.context()
        self._require_prerequisites(ctx)
        self._warn_left_out_secrets(ctx)
        build = self.build_context(image, refresh=refresh) if image.is_build else None
        with self._output_dir(ctx):
            return self.hooks.deploy(ctx, image, build, options)

    def configured_image(self) -> ImageResolution | None:
        """The chain's answer for ``status`` (``None`` when nothing is configured).

        ``status`` must work when the registry cannot be reached: the deployment's own state
        matters more than what the configuration would resolve to right now.
        """
        try:
            return self.resolve_image(planning=True)
        except ConfigError:
            return None
        except OperationError as exc:
            self.console.warn(f"cannot resolve the configured image: {exc}")
            return None

    def status(self) -> DeploymentStatus:
        ctx = self._ready("status")
        return self.hooks.status(ctx, self.configured_image())

    def destroy(self, *, volumes: bool = False) -> OperationResult:
        from sindri_core.lifecycle import DestroyOptions

        ctx = self._ready("destroy")
        with self._exclusive("destroy"), self.console.operation(f"Destroying {self._described}"):
            return self.hooks.destroy(ctx, DestroyOptions(volumes=volumes))

    def start(self) -> OperationResult:
        ctx = self._ready("start")
        with self._exclusive("start"), self.console.operation(f"Starting {self._described}"):
            return self.hooks.start(ctx)

    def stop(self) -> OperationResult:
        ctx = self._ready("stop")
        with self._exclusive("stop"), self.console.operation(f"Stopping {self._described}"):
            return self.hooks.stop(ctx)

    def connect(self, command: tuple[str, ...] = ()) -> OperationResult:
        ctx = self._ready("connect")
        return self.hooks.connect(ctx, command)
