"""The library API: what the ``sindri`` CLI calls, for other tools to call too.

    from sindri_core.project import Project

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
from sindri_core.plugin_host import PluginHost, ProviderHooks, get_host
from sindri_core.provider import ProviderInfo

# The lifecycle types are imported by the methods that build them: `sindri image resolve`
# (and other read-only commands) never need them.
if TYPE_CHECKING:
    from sindri_core.build.context import BuildContext, BuildSource
    from sindri_core.image.lock import ImageLock, LockState, LockUpdate
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
    lock: LockState | None = None

    def notes(self) -> list[str]:
        notes = list(self.plan.notes)
        if self.lock is not None and self.lock.missing:
            notes.append(f"no {self.lock.path.name} yet: deploy writes it")
        elif self.lock is not None and not self.lock.fresh:
            notes.append(
                f"{self.lock.path.name} is stale ({'; '.join(self.lock.changes)}): deploy "
                "updates it"
            )
        return notes

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
            "notes": self.notes(),
            "refusals": list(self.plan.refusals),
            "lock": self.lock.to_json() if self.lock is not None else None,
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
        self.lock_update: LockUpdate | None = None
        """What the last ``deploy`` or ``lock_image`` did to the lock file."""

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
        locked: bool = False,
    ) -> ImageResolution:
        """Walk the image chain (docs/IMAGE_MANAGEMENT.md) for this project and provider,
        taking what a fresh ``sindri.lock`` pins from it.

        :param locked: a missing or stale lock is an error (exit 5).
        """
        return self.resolve_with_lock(
            planning=planning,
            refresh=refresh,
            force_build=force_build,
            from_source=from_source,
            locked=locked,
        )[0]

    def resolve_with_lock(
        self,
        *,
        planning: bool = False,
        refresh: bool = False,
        force_build: bool = False,
        from_source: bool = False,
        locked: bool = False,
        use_lock: bool = True,
    ) -> tuple[ImageResolution, LockState | None]:
        """:meth:`resolve_image`, and the lock as it stands against the answer (``None``
        with ``use_lock=False``: the lock is neither read nor used).

        :raises StaleLockError: ``locked`` and the lock is missing or stale; nothing was
            resolved from the registry or the git remote.
        """
        state = self.lock_state() if use_lock else None
        if locked:
            assert state is not None
            state.require()
        request = ImageRequest(
            config=self.config,
            project_dir=self.project_dir,
            provider=self.provider,
            planning=planning,
            refresh=refresh,
            force_build=force_build,
            from_source=from_source,
            lock=state.usable() if state is not None else None,
            locked=locked,
        )
        resolution = self.hooks.resolve_image(request)
        if state is not None and state.lock is not None and state.fresh:
            from sindri_core.image.lock import differences

            state = state.stale(
                *differences(state.lock, resolution, lambda: self._fingerprint(resolution))
            )
            if locked:
                state.require()
        if state is not None and state.lock is not None and not state.fresh:
            stale = f"{state.path.name} is stale and was not used: {'; '.join(state.changes)}"
            resolution = attrs.evolve(resolution, notes=(*resolution.notes, stale))
        return resolution, state

    @property
    def lock_path(self) -> Path:
        """``sindri.lock`` beside the configuration (``<stem>.lock`` for another name)."""
        return self.loaded.lock_path

    def lock_state(self) -> LockState:
        """The lock file as read, and whether its inputs are still the configuration's.

        :raises ConfigError: the lock file is invalid (exit 2).
        """
        from sindri_core.image.lock import image_inputs, lock_state

        return lock_state(self.lock_path, image_inputs(self.config, self.provider.name))

    def lock_image(self, *, update: bool = False) -> LockUpdate:
        """``sindri image lock`` (``update=False``): write the lock when it is missing or
        stale, keep a fresh one. ``sindri image update``: resolve again, ignoring the lock
        and the tag cache, and move the lock to the answer.

        A build from the Sindri sources is fetched to learn its commit.
        """
        from sindri_core.image.lock import LockUpdate

        if update:
            previous = self.lock_state().lock
            resolution, _ = self.resolve_with_lock(refresh=True, use_lock=False)
        else:
            resolution, state = self.resolve_with_lock()
            assert state is not None
            previous = state.lock
            if state.fresh:
                assert state.lock is not None
                self.lock_update = LockUpdate(self.lock_path, state.lock, previous, False)
                return self.lock_update
        build = self.build_context(resolution, refresh=update) if resolution.is_build else None
        return self._write_lock(resolution, build, previous)

    def _write_lock(
        self,
        resolution: ImageResolution,
        build: BuildContext | None,
        previous: ImageLock | None,
    ) -> LockUpdate:
        from sindri_core.image.lock import (
            ImageLock,
            LockUpdate,
            image_inputs,
            locked_build,
            pinned,
            write_lock,
        )

        inputs = image_inputs(self.config, self.provider.name)
        source = None
        if resolution.is_build:
            assert build is not None  # a build is locked once its context is known
            source = locked_build(build, self.project_dir)
            # The real tag (commit or fingerprint), not the chain's placeholder.
            resolution = attrs.evolve(
                resolution, reference=build.tag, tag=build.tag.split(":", 1)[1]
            )
        lock = ImageLock.of(inputs, pinned(resolution), source)
        written = write_lock(self.lock_path, lock)
        self.lock_update = LockUpdate(self.lock_path, lock, previous, written)
        return self.lock_update

    def _fingerprint(self, resolution: ImageResolution) -> str:
        """The fingerprint of a local Dockerfile's context, computed in place."""
        from sindri_core.build.context import BuildContextRequest

        assert resolution.build is not None
        request = BuildContextRequest(
            config=self.config,
            project_dir=self.project_dir,
            source=resolution.build,
            planning=True,
            provider=self.provider,
        )
        context = self.hooks.fetch_build_context(request)
        assert context is not None  # a local source is computed in place
        return context.fingerprint

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
        (docs/IMAGE_MANAGEMENT.md), whatever image is configured; at the commit a fresh
        ``sindri.lock`` pins for the Sindri sources. Decided offline.

        :param deployable: only a source ``deploy --force`` would build (``sindri build``):
            with an image configured, that is a present one (a local Dockerfile,
            ``buildFromSource.enabled``, ``--from-source``), never the Sindri sources fetched
            as a fallback.
        :raises UsageError: the provider never builds, or (``deployable``) deploy would run
            the configured image rather than build one.
        """
        if not self.provider.capabilities.can_build:
            from sindri_core.image.chain import never_builds

            raise UsageError(never_builds(self.provider.name))
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
        lock = self.lock_state().usable()
        pinned = lock.pin(choice.source) if lock is not None else None
        return pinned or choice.source

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
        """Verify signature/provenance when ``image_config`` asks for it (fail closed).

        A success is remembered per digest and trust policy in the user's cache for a day
        (:mod:`~sindri_core.image.verified`), so a locked digest is not re-verified on every
        deploy; never in the lock file.
        """
        ic = self.config.deployment.image_config
        if ic is None or resolution.source in (ImageSource.BUILD, ImageSource.NONE):
            return None
        if not (ic.verify_signature or ic.verify_provenance):
            return None
        from sindri_core.image.reference import ImageReference
        from sindri_core.image.verified import VerifiedCache
        from sindri_core.image.verify import verify_resolution

        assert resolution.reference is not None
        cache = None
        if resolution.digest is not None:
            name = ImageReference.parse(resolution.reference).name
            cache = VerifiedCache.for_image(name, resolution.digest, ic, self.project_dir)
        report = cache.get() if cache is not None else None
        if report is not None:
            self.console.info(f"Verified {report.reference} (the result cached for its digest)")
        else:
            self.console.step(f"Verifying {resolution.reference}")
            report = verify_resolution(
                resolution, ic, runner=self.runner, base_dir=self.project_dir
            )
            if cache is not None:
                cache.put(report)
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
        """Hold the project lock (and the deployment's, shared by every directory that names
        it) for a command that changes the deployment, after refusing a provider directory
        reached through a link (before any work)."""
        from sindri_core.artifacts import check_output_dir
        from sindri_core.project_lock import project_lock

        check_output_dir(self.project_dir / ".sindri" / self.provider.name)
        deployment = f"{self.provider.name}/{self.config.name}"
        with project_lock(
            self.project_dir, operation, on_wait=self.console.warn, deployment=deployment
        ):
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
        self,
        *,
        from_source: bool = False,
        force: bool = False,
        refresh: bool = False,
        locked: bool = False,
    ) -> PlanReport:
        """What ``deploy`` would do. Runs nothing that changes anything and writes nothing
        (not even the lock file: its state is in the report).

        :param refresh: list the registry's tags afresh, as ``deploy --refresh`` does.
        :param locked: a missing or stale lock is an error (exit 5).
        """
        self.hooks.require("plan")
        image, lock = self.resolve_with_lock(
            planning=True,
            from_source=from_source,
            force_build=force,
            refresh=refresh,
            locked=locked,
        )
        if image.build is not None and image.build.dockerfile is not None:
            # A local context is at hand: refuse now a .dockerignore docker build refuses.
            from sindri_core.build.dockerignore import IgnoreRules

            IgnoreRules.for_context(image.build.dockerfile.parent)
        ctx = self.context()
        self._warn_left_out_secrets(ctx)
        plan = self.hooks.plan(ctx, image)
        return PlanReport(provider=self.provider.name, image=image, plan=plan, lock=lock)

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
        locked: bool = False,
    ) -> DeployResult | PlanReport:
        """Resolve, verify, fetch the build context when building, and deploy; then write
        the lock file when it was missing or stale (:attr:`lock_update` says what was
        written). A ``--from-source`` or ``--force`` deploy answers a one-off question and
        leaves the lock as it is.

        With ``options.dry_run`` this is :meth:`plan`.

        :param locked: a missing or stale lock is an error (exit 5); nothing is written.
        """
        from sindri_core.lifecycle import DeployOptions

        options = options or DeployOptions()
        if options.dry_run:
            return self.plan(
                from_source=from_source, force=options.force, refresh=refresh, locked=locked
            )
        self.hooks.require("deploy")
        with self._exclusive("deploy"), self.console.operation(f"Deploying {self._described}"):
            return self._deploy(options, skip_verification, from_source, refresh, locked)

    def _deploy(
        self,
        options: DeployOptions,
        skip_verification: bool,
        from_source: bool,
        refresh: bool,
        locked: bool,
    ) -> DeployResult:
        image, lock = self.resolve_with_lock(
            force_build=options.force, from_source=from_source, refresh=refresh, locked=locked
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
            result = self.hooks.deploy(ctx, image, build, options)
        one_off = options.force or from_source
        if lock is not None and not lock.fresh and not one_off:
            self._deployed_lock(image, build, lock)
        return result

    def _deployed_lock(
        self, image: ImageResolution, build: BuildContext | None, lock: LockState
    ) -> None:
        """Write the lock after a deploy. The deploy already succeeded, so a lock that cannot
        be written (a read-only checkout) is a warning, not a failed deploy. A tag the chain
        did not pin (``explicit``, ``latest``: the registry is not asked) is not locked here
        either: ``sindri image lock`` pins it, asking the registry."""
        from sindri_core.errors import SindriError

        unpinned = image.source in (ImageSource.TAG_OVERRIDE, ImageSource.VERSION)
        if unpinned and image.digest is None:
            self.console.warn(
                f"{lock.path.name} was not written: {image.reference} is not pinned to a "
                "digest (run `sindri image lock` to pin it)"
            )
            return
        try:
            self._write_lock(image, build, lock.lock)
        except (SindriError, OSError) as exc:
            self.console.warn(f"{lock.path.name} was not written: {exc}")

    def configured_image(self) -> ImageResolution | None:
        """The chain's answer for ``status`` (``None`` when nothing is configured).

        ``status`` must work when the registry cannot be reached: the deployment's own state
        matters more than what the configuration would resolve to right now.
        """
        try:
            return self.resolve_image(planning=True)
        except ConfigError as exc:
            if exc.file == self.lock_path.name:  # an invalid lock is said, not hidden
                self.console.warn(f"cannot resolve the configured image: {exc}")
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
