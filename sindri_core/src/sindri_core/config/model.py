"""The configuration model: frozen attrs classes, one per section of ``sindri.yaml``.

Field metadata (see :func:`~sindri_core.config.fields.setting`) drives validation, the JSON
Schema, ``docs/CONFIGURATION.md`` and ``config init``, so a field is declared exactly once.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, Literal

from sindri_core.config import rules
from sindri_core.config.fields import Forbid, constraints, section, setting

__all__ = [
    "BuildFromSource",
    "Deployment",
    "Extensions",
    "Gpu",
    "ImageConfig",
    "Resources",
    "Secret",
    "SindriConfig",
    "Volumes",
    "WorkspaceVolume",
]

NAME_PATTERN = r"^[a-z][a-z0-9-]*$"
SIZE_PATTERN = r"^[1-9][0-9]*(MB|GB)$"
DIGEST_PATTERN = r"^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$"
TAG_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"
DEFAULT_FILE_PERMISSIONS = "0644"

Distro = Literal["ubuntu", "fedora", "opensuse"]
Strategy = Literal["semver", "latest-stable", "pin-to-cli", "explicit"]
PullPolicy = Literal["Always", "IfNotPresent", "Never"]


@constraints(
    Forbid(
        "resolution_strategy 'explicit' needs image_config.version: the tag to use",
        at="resolution_strategy",
        equals=(("resolution_strategy", "explicit"),),
        absent=("version", "digest", "tag_override"),
    ),
)
@section
class ImageConfig:
    registry: str = setting(
        doc="Repository without tag that images are resolved against.",
        example="ghcr.io/pacphi/sindri",
        check=rules.repository,
    )
    digest: str | None = setting(
        None,
        doc="Pin an exact image by manifest digest (priority 1; immutable).",
        example="sha256:" + "0" * 64,
        pattern=DIGEST_PATTERN,
        pattern_hint="sha256:<64 hex> or sha512:<128 hex>",
    )
    tag_override: str | None = setting(
        None,
        doc="Use this exact tag (priority 2).",
        example="3.1.4",
        pattern=TAG_PATTERN,
        pattern_hint="a Docker tag: letters, digits, '_', '.', '-'; at most 128 characters",
    )
    version: str | None = setting(
        None,
        doc="npm-style semver range resolved against the registry's tags (priority 3).",
        example="^3.1.0",
        check=rules.version_for_strategy,
    )
    resolution_strategy: Strategy = setting(
        "semver",
        doc="How `version` picks a tag: semver range, highest stable, the CLI's own version, "
        "or `version` taken literally as the tag.",
    )
    allow_prerelease: bool = setting(
        False, doc="Let ranges match pre-releases (npm includePrerelease)."
    )
    verify_signature: bool = setting(
        False, doc="Verify the cosign signature of the resolved digest before deploying."
    )
    verify_provenance: bool = setting(
        False, doc="Verify the SLSA provenance attestation of the resolved digest."
    )
    public_key: str | None = setting(
        None,
        doc="Cosign public key (path or PEM) for key-based verification; keyless when unset.",
        example="cosign.pub",
    )
    certificate_identity: str | None = setting(
        None,
        doc="Keyless: regular expression the signing certificate identity must match "
        "(default https://github.com/pacphi/sindri).",
    )
    certificate_oidc_issuer: str | None = setting(
        None,
        doc="Keyless: OIDC issuer of the signing certificate "
        "(default https://token.actions.githubusercontent.com).",
    )
    pull_policy: PullPolicy = setting(
        "IfNotPresent", doc="When the provider pulls the image: Always, IfNotPresent, Never."
    )


@section
class BuildFromSource:
    enabled: bool = setting(False, doc="Build from the Sindri source repository (level 5 first).")
    git_ref: str | None = setting(
        None,
        key="gitRef",
        doc="Branch, tag or full commit SHA of the Sindri sources (default v3).",
        example="v3",
    )
    repository: str | None = setting(
        None,
        doc="Git URL of the Sindri sources (default https://github.com/pacphi/sindri.git; "
        "env SINDRI_SOURCE_REPO).",
    )
    fallback_ref: str | None = setting(
        None,
        key="fallbackRef",
        doc="Ref to use when `gitRef` does not exist; the fallback is reported. Unset: error.",
    )


@section
class Gpu:
    enabled: bool = setting(False, doc="Request GPUs.")
    type: Literal["nvidia", "amd"] = setting("nvidia", doc="GPU vendor.")
    count: int = setting(1, doc="Number of GPUs.", minimum=1, maximum=8)
    tier: Literal["gpu-small", "gpu-medium", "gpu-large", "gpu-xlarge"] | None = setting(
        None, doc="Size class for providers that sell GPUs by tier."
    )
    memory: str | None = setting(
        None,
        doc="Minimum GPU memory.",
        example="16GB",
        pattern=SIZE_PATTERN,
        pattern_hint="a size such as 512MB or 16GB",
    )


@section
class Resources:
    memory: str | None = setting(
        None,
        doc="Memory limit (default 4GB).",
        example="4GB",
        pattern=SIZE_PATTERN,
        pattern_hint="a size such as 512MB or 4GB",
        check=rules.memory_size,
    )
    cpus: int | None = setting(
        None, doc="CPU count (default 2).", example=2, minimum=1, maximum=rules.MAX_CPUS
    )
    gpu: Gpu = setting(factory=Gpu, doc="GPU request.")

    @property
    def memory_mb(self) -> int:
        return size_to_mb(self.memory or "4GB")

    @property
    def cpu_count(self) -> int:
        return self.cpus or 2


@section
class WorkspaceVolume:
    path: str = setting(
        "/alt/home/developer/workspace",
        doc="Workspace path inside the environment (absolute, not /).",
        check=rules.container_path,
    )
    size: str = setting(
        "10GB", doc="Volume size.", pattern=SIZE_PATTERN, pattern_hint="a size such as 10GB"
    )

    @property
    def home(self) -> str:
        """Where every provider mounts the persistent volume: the developer's home, the
        parent of ``path``, so dotfiles and installed tools persist with the workspace (the
        workspace itself when its parent is ``/``)."""
        parent = PurePosixPath(self.path).parent
        return self.path if parent == PurePosixPath("/") else str(parent)


@section
class Volumes:
    workspace: WorkspaceVolume = setting(
        factory=WorkspaceVolume, doc="The persistent home/workspace volume."
    )


@section
class Deployment:
    provider: str = setting(
        doc="The provider that runs the environment (a registered name or alias).",
        example="docker",
    )
    distro: Distro = setting("ubuntu", doc="Linux distribution of the image.")
    image: str | None = setting(
        None,
        doc="Legacy full image reference (priority 4); ignored when image_config is set.",
        example="ghcr.io/pacphi/sindri:3.1.4",
        check=rules.image_reference,
    )
    image_config: ImageConfig | None = setting(
        None, doc="Structured image selection (priorities 1-3)."
    )
    build_from_source: BuildFromSource = setting(
        factory=BuildFromSource, key="buildFromSource", doc="Build from the Sindri sources."
    )
    resources: Resources = setting(factory=Resources, doc="CPU, memory and GPU.")
    volumes: Volumes = setting(factory=Volumes, doc="Persistent volumes.")


@constraints(
    Forbid("set either profile or active, not both", at="active", present=("profile", "active")),
    Forbid(
        "additional goes with a profile; list everything in active instead",
        at="additional",
        present=("active",),
        nonempty=("additional",),
    ),
)
@section
class Extensions:
    profile: str | None = setting(
        None, doc="Extension profile to install (default minimal).", example="minimal"
    )
    active: list[str] | None = setting(
        None, doc="Exact list of extensions to install instead of a profile."
    )
    additional: list[str] = setting(factory=list, doc="Extensions added to the profile.")
    auto_install: bool = setting(True, doc="Install extensions on first start.")
    auto_install_camel: bool | None = setting(
        None,
        key="autoInstall",
        doc="A spelling of auto_install in some of the Rust tool's examples; that tool "
        "ignores it, and so does sindri (config validate warns). Write auto_install.",
    )

    @property
    def effective_profile(self) -> str | None:
        if self.active is not None:
            return None
        return self.profile or "minimal"

    def environment(self) -> dict[str, str]:
        """The variables every provider passes to the environment (docs/CONFIGURATION.md)."""
        env = {
            "SKIP_AUTO_INSTALL": "false" if self.auto_install else "true",
            "INIT_WORKSPACE": "true",
        }
        if self.active is not None:
            env["CUSTOM_EXTENSIONS"] = ",".join(self.active)
        else:
            env["INSTALL_PROFILE"] = self.effective_profile or "minimal"
        if self.additional:
            env["ADDITIONAL_EXTENSIONS"] = ",".join(self.additional)
        return env


@constraints(
    Forbid("a file secret needs path", at="source", equals=(("source", "file"),), absent=("path",)),
    Forbid(
        "a file secret needs mountPath",
        at="source",
        equals=(("source", "file"),),
        absent=("mountPath",),
    ),
    Forbid(
        "fromFile is for env secrets; a file secret uses path",
        at="fromFile",
        equals=(("source", "file"),),
        present=("fromFile",),
    ),
    Forbid(
        "sindri reads no S3 secrets (the Rust tool does not implement them either); a "
        "required one cannot be met: use source env or vault, or set required: false",
        at="source",
        equals=(("source", "s3"), ("required", True)),
    ),
    Forbid(
        "a vault secret needs vaultPath",
        at="source",
        equals=(("source", "vault"),),
        absent=("vaultPath",),
    ),
    Forbid(
        "a vault secret needs vaultKey",
        at="source",
        equals=(("source", "vault"),),
        absent=("vaultKey",),
    ),
)
@section
class Secret:
    name: str = setting(
        doc="Environment variable name of the secret.",
        example="GITHUB_TOKEN",
        pattern=r"^[A-Z][A-Z0-9_]*$",
        pattern_hint="upper-case letters, digits and '_', starting with a letter",
    )
    source: Literal["env", "file", "vault", "s3"] = setting(
        "env",
        doc="env: a value from the shell, .env.local or .env; file: a host file mounted; "
        "vault: a key of a HashiCorp Vault KV v2 secret (VAULT_ADDR, VAULT_TOKEN, "
        "VAULT_NAMESPACE); s3: accepted as the Rust tool's format has it, never read (an "
        "optional one is skipped with a warning, a required one is an error).",
    )
    required: bool = setting(False, doc="Fail when the secret has no value.")
    from_file: str | None = setting(
        None,
        key="fromFile",
        doc="env source: read the value from this file instead (exactly; one final line break "
        "is dropped).",
        example="~/.ssh/id_ed25519.pub",
    )
    path: str | None = setting(None, doc="file source: the host file.")
    mount_path: str | None = setting(
        None,
        key="mountPath",
        doc="file source: where the file appears in the environment (absolute).",
        check=rules.container_path,
    )
    permissions: str = setting(
        DEFAULT_FILE_PERMISSIONS,
        doc="file source: octal mode of the mounted file.",
        example="0600",
        pattern=r"^0[0-7]{3}$",
        pattern_hint="an octal mode such as 0600 or 0644",
    )
    vault_path: str | None = setting(
        None,
        key="vaultPath",
        doc="vault source: path of the secret within the KV v2 mount.",
        example="dev/kubeconfig",
    )
    vault_key: str | None = setting(
        None, key="vaultKey", doc="vault source: key within that secret.", example="config"
    )
    vault_mount: str = setting(
        "secret", key="vaultMount", doc="vault source: mount point of the KV v2 engine."
    )
    s3_path: str | None = setting(
        None, key="s3Path", doc="s3 source: the Rust tool's object path (not read by sindri)."
    )

    @property
    def in_environment(self) -> bool:
        """Whether the value reaches the environment as a variable (env and vault do)."""
        return self.source in ("env", "vault")

    @property
    def mode(self) -> int:
        """``permissions`` as a number, e.g. ``0o600``."""
        return int(self.permissions, 8)


LOCAL_CLUSTER_SECTION = "k8s"
"""``providers.k8s`` is the local cluster block (as in the Rust tool), not an alias of
``providers.kubernetes``; ``k8s`` stays an alias of ``kubernetes`` in ``deployment.provider``."""


@section
class SindriConfig:
    version: Literal["3.0"] = setting(doc='Configuration format version; write "3.0" (quoted).')
    name: str = setting(
        doc="Deployment name: lower-case letters, digits and '-'.",
        example="my-dev-env",
        pattern=NAME_PATTERN,
        pattern_hint="lower-case letters, digits and '-', starting with a letter",
        max_length=63,
    )
    deployment: Deployment = setting(doc="Where and what to deploy.")
    extensions: Extensions = setting(factory=Extensions, doc="What to install in the environment.")
    secrets: list[Secret] = setting(factory=list, doc="Secrets passed to the environment.")
    providers: dict[str, Any] = setting(
        factory=dict, doc="Provider-specific sections, validated by each provider."
    )


def size_to_mb(size: str) -> int:
    """``"4GB"`` → 4096, ``"512MB"`` → 512 (binary units, as container runtimes use)."""
    number, unit = int(size[:-2]), size[-2:].upper()
    return number * 1024 if unit == "GB" else number
