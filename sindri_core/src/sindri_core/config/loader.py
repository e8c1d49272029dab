"""Finding, parsing and validating ``sindri.yaml`` — the one path every command uses.

Parsing (:mod:`~sindri_core.config.yaml_document`) keeps every node's position so each error
names ``file:line:column``; validation is :func:`sindri_core.config.schema.check` over the
model; structuring is cattrs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from sindri_core.config.model import LOCAL_CLUSTER_SECTION, SindriConfig
from sindri_core.config.schema import (
    Errors,
    Location,
    _item_location,
    _key_location,
    _value_location,
    check,
    fail,
    join_path,
)
from sindri_core.config.structure import converter
from sindri_core.config.yaml_document import read_yaml
from sindri_core.errors import ConfigError, PluginLoadError
from sindri_core.provider import ProviderCatalog, ProviderInfo, install_hint
from sindri_core.small_files import NotSmallText, read_small_text

__all__ = [
    "CONFIG_NAMES",
    "MAX_CONFIG_BYTES",
    "LoadedConfig",
    "find_config",
    "load_config",
    "parse_config",
    "read_config_text",
]

CONFIG_NAMES = ("sindri.yaml", "sindri.yml")
MAX_CONFIG_BYTES = 64 * 1024


@attrs.frozen
class LoadedConfig:
    """A validated configuration and where it came from.

    :param warnings: non-fatal findings (``config validate`` shows them).
    """

    config: SindriConfig
    path: Path
    warnings: tuple[str, ...] = ()

    @property
    def project_dir(self) -> Path:
        return self.path.parent

    @property
    def lock_path(self) -> Path:
        """Its lock file (docs/IMAGE_MANAGEMENT.md): ``sindri.yaml`` → ``sindri.lock``,
        ``ci.yml`` → ``ci.lock``, beside it."""
        return self.path.with_suffix(".lock")


def find_config(explicit: Path | None = None, start: Path | None = None) -> Path:
    """``-c PATH`` if given, else ``sindri.yaml``/``sindri.yml`` in ``start`` or a parent."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"configuration file not found: {explicit}")
        return explicit.resolve()
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
    raise ConfigError(
        f"no sindri.yaml or sindri.yml in {here} or its parents",
        hint="create one with `sindri config init`, or pass -c PATH",
    )


def load_config(
    path: str | Path | None, catalog: ProviderCatalog, *, start: Path | None = None
) -> LoadedConfig:
    """Find, read, parse and validate the configuration.

    :raises ConfigError: with file, line, column and field for anything invalid.
    """
    found = find_config(Path(path) if path is not None else None, start)
    text = read_config_text(found)
    config, warnings = parse_config(text, catalog, filename=display_name(found))
    return LoadedConfig(config=config, path=found, warnings=tuple(warnings))


def read_config_text(path: Path) -> str:
    """The file's text, refused whole when larger than :data:`MAX_CONFIG_BYTES`: a full
    configuration is a few KiB, and reading a file of that size into located data already
    takes about a quarter of a second (four times as long at 256 KiB), so anything larger is
    refused before parsing.

    :raises ConfigError: unreadable, too large, or not UTF-8.
    """
    try:
        return read_small_text(path, MAX_CONFIG_BYTES)
    except NotSmallText as exc:
        raise ConfigError(
            f"the file {exc}; a configuration file must be UTF-8 text of at most "
            f"{MAX_CONFIG_BYTES // 1024} KiB",
            file=display_name(path),
        ) from None


def display_name(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def parse_config(
    text: str, catalog: ProviderCatalog, *, filename: str = "sindri.yaml"
) -> tuple[SindriConfig, list[str]]:
    """Validate YAML text; returns the configuration and its warnings."""
    try:
        return _parse(text, catalog)
    except ConfigError as exc:
        exc.file = filename
        raise


def _parse(text: str, catalog: ProviderCatalog) -> tuple[SindriConfig, list[str]]:
    document = _read_yaml(text)
    # One pass reports every error it can (config validate lists them; ADR 0019).
    errors = Errors()
    data = errors.collect(check, SindriConfig, document, "", Location(1, 1))
    if data is not None:
        errors.collect(_check_provider, document, catalog)
    provider_sections = errors.collect(_check_provider_sections, document, catalog)
    errors.raise_any()
    config = converter().structure({**data, "providers": {}}, SindriConfig)
    # @section is attrs.frozen, but mypy's attrs plugin only recognises attrs' own decorators.
    config = attrs.evolve(config, providers=provider_sections)  # type: ignore[misc]
    _check_cross_fields(document, config)
    _check_capabilities(document, config, catalog)
    provider_warnings = _check_provider_rules(document, config, catalog)
    return config, [*_warnings(config), *provider_warnings, *_ignored(document, config, catalog)]


def _read_yaml(text: str) -> Any:
    document = read_yaml(text)
    if document is None:
        raise fail(
            "the file is empty; expected a mapping with version, name and deployment",
            "",
            Location(1, 1),
        )
    if not isinstance(document, dict):
        raise fail("expected a mapping at the top level", "", Location(1, 1))
    return document


def _check_provider(document: Any, catalog: ProviderCatalog) -> None:
    deployment = document["deployment"]
    name = deployment["provider"]
    info = catalog.lookup(name)
    if info is not None:
        _check_name_rule(document, info)
        return
    installed = ", ".join(catalog.all_names()) or "none"
    raise fail(
        f"{name!r} is not a provider; installed: {installed}",
        "deployment.provider",
        _value_location(deployment, "provider"),
        hint=_suggest(name, catalog.all_names()),
    )


def _check_name_rule(document: Any, info: ProviderInfo) -> None:
    if info.name_rule is None:
        return
    pattern, meaning = info.name_rule
    if not re.fullmatch(pattern, document["name"]):
        raise fail(
            f"{document['name']!r} is not a valid name for the {info.name} provider; "
            f"expected {meaning}",
            "name",
            _value_location(document, "name"),
        )


def _check_capabilities(document: Any, config: SindriConfig, catalog: ProviderCatalog) -> None:
    """What sindri.yaml asks for and the provider cannot offer, refused at its position."""
    info = catalog.lookup(config.deployment.provider)
    if info is None or info.capabilities.gpu or not config.deployment.resources.gpu.enabled:
        return
    gpu = document["deployment"]["resources"]["gpu"]
    able = [other.name for other in catalog if other.capabilities.gpu]
    raise fail(
        f"the {info.name} provider offers no GPUs",
        "deployment.resources.gpu.enabled",
        _value_location(gpu, "enabled"),
        hint=f"providers with GPUs: {', '.join(able) or 'none installed'}",
    )


def _check_provider_rules(
    document: Any, config: SindriConfig, catalog: ProviderCatalog
) -> list[str]:
    """The deployment provider's own rules (``ProviderInfo.config_rules``): the first error is
    refused at its field; the warnings are returned."""
    info = catalog.lookup(config.deployment.provider)
    if info is None or info.config_rules is None:
        return []
    from sindri_core.entry_points import import_object

    try:
        rules: Any = import_object(info.config_rules)
    except Exception as exc:  # any import-time failure of third-party code
        raise PluginLoadError(
            f"provider {info.name!r} ({info.distribution or 'unknown distribution'}): "
            f"cannot import its config rules {info.config_rules!r}: {exc}"
        ) from None
    warnings: list[str] = []
    for finding in rules(config):
        if finding.warning:
            warnings.append(f"{finding.path}: {finding.message}")
            continue
        raise fail(finding.message, finding.path, _locate(document, finding.path))
    return warnings


def _locate(document: Any, path: str) -> Location:
    """The position of the value at a field path (``a.b[2].c``), else of its nearest parent."""
    node, parent, key = document, None, None
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        step: str | int = int(part[1:-1]) if part.startswith("[") else part
        try:
            parent, key, node = node, step, node[step]
        except (KeyError, IndexError, TypeError):
            break
    if parent is None:
        return Location(1, 1)
    if isinstance(key, int):
        return _item_location(parent, key)
    return _value_location(parent, key)


def _suggest(name: str, names: Iterable[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return _install_hint(name)


def _install_hint(name: str) -> str | None:
    """How to install the first-party distribution that ships ``name``, if one does."""
    return install_hint(name)


def _check_provider_sections(document: Any, catalog: ProviderCatalog) -> dict[str, Any]:
    sections = document.get("providers") or {}
    out: dict[str, Any] = {}
    if not isinstance(sections, dict):
        return out  # the walk of the whole document reports it
    errors = Errors()
    for key, value in sections.items():
        errors.collect(_check_provider_section, catalog, sections, key, value, out)
    errors.raise_any()
    return out


def _check_provider_section(
    catalog: ProviderCatalog, sections: Any, key: str, value: Any, out: dict[str, Any]
) -> None:
    """Check ``providers.<key>`` against its provider's settings; add it to ``out``."""
    path = join_path("providers", key)
    if key == LOCAL_CLUSTER_SECTION:  # the local cluster block, not kubernetes' settings
        from sindri_core.config.local_cluster_section import LocalClusterConfig

        data = check(LocalClusterConfig, value or {}, path, _value_location(sections, key))
        out[key] = converter().structure(data, LocalClusterConfig)
        return
    info = catalog.lookup(key)
    if info is not None and info.name in out:
        raise fail(
            f"{info.name!r} is configured twice (as {key!r} and under another of its names: "
            f"{', '.join(info.names())})",
            path,
            _key_location(sections, key),
        )
    if info is None:
        raise fail(
            f"no installed provider is called {key!r}; installed: "
            f"{', '.join(catalog.all_names()) or 'none'}",
            path,
            _key_location(sections, key),
            hint=_install_hint(key),
        )
    settings = info.settings_class()
    if settings is None:
        raise fail(f"provider {info.name!r} takes no settings", path, _key_location(sections, key))
    data = check(
        settings,
        value if value is not None else {},
        path,
        _value_location(sections, key),
    )
    out[info.name] = converter().structure(data, settings)


def _check_cross_fields(document: Any, config: SindriConfig) -> None:
    # Rules within one mapping are Forbid constraints on the model (schema.check applies
    # them); what is left spans list items, which JSON Schema cannot say either.
    seen: set[str] = set()
    for index, secret in enumerate(config.secrets):
        if secret.name in seen:
            raise fail(
                f"secret {secret.name} is listed twice",
                f"secrets[{index}].name",
                _value_location(document["secrets"][index], "name"),
            )
        seen.add(secret.name)


def _warnings(config: SindriConfig) -> Iterable[str]:
    deployment = config.deployment
    if deployment.image_config is not None and deployment.image:
        yield "deployment.image is ignored because deployment.image_config is set"
    ic = deployment.image_config
    if ic is not None and ic.digest and (ic.tag_override or ic.version):
        yield "deployment.image_config.digest wins; tag_override and version are ignored"
    tag = _configured_tag(config)
    if tag and "sha256" not in tag:
        distro = deployment.distro
        others = [d for d in ("fedora", "opensuse") if d != distro]
        if distro == "ubuntu" and any(tag.endswith(f"-{d}") for d in others):
            yield f"distro is ubuntu but image tag {tag!r} targets another distro"
        elif distro != "ubuntu" and not tag.endswith(f"-{distro}") and tag != distro:
            yield f"distro is {distro} but image tag {tag!r} does not end in -{distro}"


# Fields of providers.k8s that describe a cluster to create: sindri creates none.
_NEW_CLUSTER_FIELDS = ("version", "nodes", "kind.image", "kind.configFile", "k3d.image",
                       "k3d.registry")  # fmt: skip


def _ignored(document: Any, config: SindriConfig, catalog: ProviderCatalog) -> Iterable[str]:
    """Fields the configuration may hold (the Rust tool's format) that sindri does not act
    on: each is a warning, never an error and never dropped silently."""
    sections = document.get("providers") or {}
    active = catalog.lookup(config.deployment.provider)
    if active is not None and not active.capabilities.file_secrets:
        for index, secret in enumerate(config.secrets):
            if secret.source == "file":
                yield (
                    f"secrets[{index}] ({secret.name}, source: file) is ignored: the "
                    f"{active.name} provider mounts no files"
                )
    for index, secret in enumerate(config.secrets):
        if secret.source == "s3":
            yield (
                f"secrets[{index}] ({secret.name}, source: s3) is ignored: sindri reads no S3 "
                "secrets (nor does the Rust tool); the command goes on without it"
            )
    if config.extensions.auto_install_camel is not None:
        yield (
            "extensions.autoInstall is ignored (the Rust tool ignores it too): the key is "
            "auto_install"
        )
    for key in sections:
        if key == LOCAL_CLUSTER_SECTION:
            continue
        info = catalog.lookup(key)
        if info is not None and info is not active:
            yield (
                f"providers.{key} is ignored: the deployment provider is "
                f"{config.deployment.provider}"
            )
    if active is not None:
        yield from _provider_notes(active, config.providers.get(active.name))
    local = sections.get(LOCAL_CLUSTER_SECTION)
    if LOCAL_CLUSTER_SECTION not in sections:
        return
    if active is None or active.name != "kubernetes":
        yield (
            f"providers.{LOCAL_CLUSTER_SECTION} is ignored: only the kubernetes provider "
            "deploys to the local cluster it names"
        )
        return
    for field in _NEW_CLUSTER_FIELDS:
        value: Any = local or {}
        for part in field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            yield (
                f"providers.{LOCAL_CLUSTER_SECTION}.{field} is ignored: sindri deploys to an "
                "existing cluster and creates none"
            )


def _provider_notes(active: ProviderInfo, settings: Any) -> Iterable[str]:
    """What the provider's own section says about itself (a field it accepts but does not act
    on), from its settings class's optional ``config_notes()``: ``(field, sentence)`` pairs."""
    notes = getattr(settings, "config_notes", None)
    if notes is None:
        return
    for field, sentence in notes():
        yield f"providers.{active.name}.{field} {sentence}"


def _configured_tag(config: SindriConfig) -> str | None:
    ic = config.deployment.image_config
    if ic is not None:
        return ic.tag_override if not ic.digest else None
    image = config.deployment.image
    if not image or "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None
