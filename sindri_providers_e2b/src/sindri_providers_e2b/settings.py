"""The ``providers.e2b`` section of sindri.yaml."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from typing import Any

from sindri_core.plugin import ConfigError, section, setting

ALL_TRAFFIC = "0.0.0.0/0"
_DOMAIN = re.compile(r"^(\*\.)?([A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}$")


def _network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return None


def blocked_entry(value: str, siblings: Mapping[str, Any]) -> None:
    """An IP or CIDR block E2B can deny, or a domain it cannot (accepted, as in the Rust
    tool's format, and reported as not enforced). The addresses E2B's server refuses are
    checked with its other rules (``config_rules.py``)."""
    if _network(value) is None and not _DOMAIN.match(value):
        raise ConfigError(f"{value!r} is neither an IP address, a CIDR block nor a domain name")


@section
class E2bSettings:
    template_alias: str | None = setting(
        None,
        key="templateAlias",
        doc="Template alias (default: derived from the name).",
        pattern=r"^[a-z][a-z0-9-]*$",
        pattern_hint="lower-case letters, digits and '-'",
    )
    reuse_template: bool = setting(
        True, key="reuseTemplate", doc="Reuse an existing template whose fingerprint matches."
    )
    timeout: int = setting(300, doc="Sandbox timeout in seconds.", minimum=60, maximum=86400)
    auto_pause: bool = setting(True, key="autoPause", doc="Pause the sandbox on timeout.")
    auto_resume: bool = setting(True, key="autoResume", doc="Resume a paused sandbox on use.")
    internet_access: bool = setting(True, key="internetAccess", doc="Allow outbound traffic.")
    allowed_domains: list[str] = setting(
        factory=list,
        key="allowedDomains",
        doc="Only these destinations (domains, IPs, CIDR blocks) are reachable.",
    )
    blocked_domains: list[str] = setting(
        factory=list,
        key="blockedDomains",
        doc="IP addresses and CIDR blocks the sandbox may not reach. E2B denies no domain "
        "names: a domain is accepted and NOT enforced (every command that deploys says so); "
        "to reach only some domains, list them in allowedDomains.",
        check=blocked_entry,
    )
    public_access: bool = setting(
        False,
        key="publicAccess",
        doc="Sandbox URLs reachable without E2B's access token (private by default).",
    )
    metadata: dict[str, str] = setting(factory=dict, doc="Extra sandbox metadata.")
    build_repository: str | None = setting(
        None,
        key="buildRepository",
        doc="Registry repository a multi-stage Dockerfile's local build is pushed to, for the "
        "template to be built from.",
        example="ghcr.io/me/sindri-dev",
    )
    user: str = setting(
        "developer", doc="User the sandbox runs as (USER in the template; the Sindri images' user)."
    )
    build_on_deploy: bool = setting(
        False, key="buildOnDeploy", doc="Rebuild the template on every deploy."
    )
    team: str | None = setting(
        None,
        doc="The Rust tool's E2B team; ignored: the API key decides the team.",
        example="my-team",
    )

    @property
    def unenforced_domains(self) -> list[str]:
        """blockedDomains entries E2B cannot deny: domain names."""
        return [entry for entry in self.blocked_domains if _network(entry) is None]

    def config_notes(self) -> Iterator[tuple[str, str]]:
        if self.unenforced_domains:
            yield "blockedDomains", unenforced_sentence(self.unenforced_domains)
        if self.team is not None:
            yield "team", "is ignored: the API key (E2B_API_KEY) decides the team"


def unenforced_sentence(domains: list[str]) -> str:
    return (
        f"{'entries' if len(domains) > 1 else 'entry'} {', '.join(domains)} "
        f"{'are' if len(domains) > 1 else 'is'} NOT enforced: E2B denies IP addresses and CIDR "
        "blocks only, no domain names"
    )
