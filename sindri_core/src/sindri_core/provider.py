"""How a provider describes itself: name, aliases, capabilities, config section.

A provider plugin answers :func:`sindri_core.hookspecs.sindri_provider_info` with one
:class:`ProviderInfo`. The core never branches on provider names; it reads these capabilities.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import attrs

from sindri_core.errors import PluginLoadError

if TYPE_CHECKING:
    from sindri_core.prerequisites import Prerequisite, PrerequisiteReport

__all__ = [
    "BuildLocation",
    "Capabilities",
    "ConfigFinding",
    "Prerequisite",
    "PrerequisiteReport",
    "ProviderCatalog",
    "ProviderInfo",
    "distribution_for",
    "install_hint",
]


class BuildLocation(str, enum.Enum):
    """Where a provider builds an image when the chain reaches the build level."""

    LOCAL = "local"  # the local Docker engine builds it (docker build)
    REMOTE = "remote"  # the platform builds it from the context we hand over (Fly, E2B)
    SMART = "smart"  # depends on the provider's backend (DevPod)
    NEVER = "never"  # the provider only runs pre-built images (Kubernetes)


@attrs.frozen
class Capabilities:
    """What a provider can do; drives the image chain, ``config init`` and ``providers``."""

    build: BuildLocation
    prebuilt_image: bool = True
    gpu: bool = False
    tools: tuple[str, ...] = ()
    """External executables the provider needs, e.g. ``("docker",)``."""
    file_secrets: bool = True
    """Whether it mounts ``source: file`` secrets into the environment; where it does not,
    ``config validate`` reports each such secret as ignored."""
    environment: tuple[str, ...] = ()
    """Environment variables it needs (an API key), e.g. ``("E2B_API_KEY",)``; named by
    ``sindri providers`` beside the tools."""

    @property
    def can_build(self) -> bool:
        return self.build is not BuildLocation.NEVER


@attrs.frozen
class ConfigFinding:
    """What a provider's ``config_rules`` says about one field of sindri.yaml.

    :param path: the field, as sindri names fields (``deployment.resources.cpus``,
        ``providers.e2b.blockedDomains[1]``).
    :param warning: reported by ``config validate`` instead of refusing the configuration.
    """

    path: str
    message: str
    warning: bool = False


@attrs.frozen
class ProviderInfo:
    """The immutable description a provider registers.

    :param name: canonical name used in ``deployment.provider`` and ``providers.<name>``.
    :param aliases: other accepted names (``docker-compose`` → ``docker``).
    :param description: one line for ``sindri providers``.
    :param capabilities: see :class:`Capabilities`.
    :param config_class: frozen attrs class for the ``providers.<name>`` section; every field
        needs a default so an absent section means "all defaults". ``None``: no section.
        May be given as ``"package.module:Class"`` so the class is imported only when it is
        needed (a ``providers.<name>`` section is read, a schema is written): every command
        loads every installed plugin, and most read one section or none. Read it through
        :meth:`settings_class`.
    :param notes: short paragraphs ``config init`` writes as comments above the section.
    :param name_rule: ``(pattern, what it means)`` the configuration's ``name`` must also
        fully match for this provider (Kubernetes: no trailing ``-``); ``config validate``
        checks it at the name's line and column.
    :param config_rules: ``"package.module:function"`` taking the whole configuration and
        returning :class:`ConfigFinding` items: what the platform would refuse (cores, memory,
        values the provider's section schema cannot express), so that ``config validate``,
        ``plan`` and ``deploy`` refuse it at the field's line (exit 2) before anything runs;
        warnings are reported. Imported only for the deployment provider.
    """

    name: str
    description: str
    capabilities: Capabilities
    aliases: tuple[str, ...] = ()
    config_class: type | str | None = None
    notes: tuple[str, ...] = ()
    name_rule: tuple[str, str] | None = None
    config_rules: str | None = None
    distribution: str | None = attrs.field(default=None, eq=False)
    version: str | None = attrs.field(default=None, eq=False)

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def settings_class(self) -> type | None:
        """The class of the ``providers.<name>`` section (imported now if given by name).

        :raises PluginLoadError: the named class cannot be imported.
        """
        if not isinstance(self.config_class, str):
            return self.config_class
        from sindri_core.entry_points import import_object

        try:
            return import_object(self.config_class)  # type: ignore[return-value]
        except Exception as exc:  # any import-time failure of third-party code
            raise PluginLoadError(
                f"provider {self.name!r} ({self.distribution or 'unknown distribution'}): "
                f"cannot import its settings class {self.config_class!r}: {exc}"
            ) from None

    def default_config(self) -> Any:
        cls = self.settings_class()
        return cls() if cls is not None else None


class ProviderCatalog:
    """The installed providers, looked up by name or alias."""

    def __init__(self, providers: tuple[ProviderInfo, ...] = ()) -> None:
        self._by_name: dict[str, ProviderInfo] = {}
        for info in providers:
            for name in info.names():
                self._by_name[name] = info
        self._providers = providers

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._providers)

    def __len__(self) -> int:
        return len(self._providers)

    def lookup(self, name: str) -> ProviderInfo | None:
        return self._by_name.get(name)

    def names(self) -> list[str]:
        return sorted(info.name for info in self._providers)

    def all_names(self) -> list[str]:
        return sorted(self._by_name)


# Provider names and aliases -> the first-party distribution that ships them. Install hints
# name only these: a hint for any other name would invite installing whatever someone
# publishes as sindri-providers-<that name>.
FIRST_PARTY = {
    "docker": "sindri-providers-docker",
    "docker-compose": "sindri-providers-docker",
    "fly": "sindri-providers-fly",
    "devpod": "sindri-providers-devpod",
    "e2b": "sindri-providers-e2b",
    "kubernetes": "sindri-providers-k8s",
    "k8s": "sindri-providers-k8s",
}


def distribution_for(provider_name: str) -> str | None:
    """The first-party distribution that ships ``provider_name``, for "install …" hints;
    ``None`` for any other name."""
    return FIRST_PARTY.get(provider_name)


def install_hint(provider_name: str) -> str | None:
    """How to install the first-party distribution of ``provider_name``: from the package
    index (alone, or as an extra of sindri-core), and from a checkout of the repository,
    where each distribution is a folder; ``None`` for any other name."""
    distribution = distribution_for(provider_name)
    if distribution is None:
        return None
    extra = distribution.removeprefix("sindri-providers-")
    folder = distribution.replace("-", "_")
    return (
        f"pip install {distribution} (or 'sindri-core[{extra}]'); from a checkout of "
        f"sindri: pip install ./{folder}"
    )


def __getattr__(name: str) -> Any:
    # Prerequisite and PrerequisiteReport live in their own module, imported when a command
    # checks prerequisites: every command imports this one (docs/adr/0022-fast-paths.md).
    if name in ("Prerequisite", "PrerequisiteReport"):
        from sindri_core import prerequisites

        return getattr(prerequisites, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
