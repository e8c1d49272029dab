"""What E2B's API server would refuse in sindri.yaml, refused when the configuration is read.

From e2b-dev/infra ``packages/api`` (54693ff3): a template's CPU count must be 1 or even and at
most 32, its memory at least 128 MiB and even (``internal/team/limits.go``,
``internal/constants/templates.go``); deny rules take IPs and CIDR blocks whose address is
specified, ``0.0.0.0/0`` being the one unspecified block allowed, and so must the IP entries of
allow rules (``shared/pkg/sandbox-network/firewall.go``). A sandbox timeout above the team's
maximum sandbox length is refused at create; that maximum depends on the plan (1 hour on the
free tier), so a longer timeout is a warning, not an error.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import TYPE_CHECKING

from sindri_core.plugin import ConfigFinding

if TYPE_CHECKING:
    from sindri_core.plugin import SindriConfig

__all__ = ["findings"]

MAX_CPUS = 32
MIN_MEMORY_MB = 128
FREE_TIER_SECONDS = 3600
ALL_TRAFFIC = "0.0.0.0/0"


def findings(config: SindriConfig) -> Iterator[ConfigFinding]:
    from sindri_providers_e2b.settings import E2bSettings

    yield from _resources(config)
    settings = config.providers.get("e2b") or E2bSettings()
    for key, entries, ip_only in (
        # A blocked domain is accepted as in the Rust tool's format, and said not enforced
        # (E2bSettings.config_notes); its IPs and CIDR blocks are checked here.
        ("blockedDomains", settings.blocked_domains, False),
        ("allowedDomains", settings.allowed_domains, False),
    ):
        for index, entry in enumerate(entries):
            problem = _address_problem(entry, ip_only=ip_only)
            if problem:
                yield ConfigFinding(f"providers.e2b.{key}[{index}]", problem)
    if settings.timeout > FREE_TIER_SECONDS:
        yield ConfigFinding(
            "providers.e2b.timeout",
            f"{settings.timeout} s is more than 1 hour: E2B refuses a timeout above the "
            "team's maximum sandbox length (1 hour on the free tier)",
            warning=True,
        )


def _resources(config: SindriConfig) -> Iterator[ConfigFinding]:
    resources = config.deployment.resources
    cpus = resources.cpus
    if cpus is not None and (cpus > MAX_CPUS or (cpus != 1 and cpus % 2)):
        yield ConfigFinding(
            "deployment.resources.cpus",
            f"E2B takes 1 or an even number of CPUs up to {MAX_CPUS}, not {cpus}",
        )
    if resources.memory is not None:
        memory = resources.memory_mb
        if memory < MIN_MEMORY_MB or memory % 2:
            yield ConfigFinding(
                "deployment.resources.memory",
                f"E2B takes an even number of MiB, at least {MIN_MEMORY_MB}; "
                f"{resources.memory} is {memory} MiB",
            )


def _address_problem(entry: str, *, ip_only: bool) -> str | None:
    """Why E2B refuses ``entry`` (an address it takes has a specified IP, as Go's
    ``net.ParseCIDR`` reads it: ``0.1.2.3/8`` is fine, ``0.0.0.0/8`` is not)."""
    try:
        ipaddress.ip_network(entry, strict=False)
        address = ipaddress.ip_address(entry.split("/", 1)[0])
    except ValueError:  # a domain: allowedDomains takes it, blockedDomains' pattern stops it
        return f"{entry!r} is not an IP address or CIDR block" if ip_only else None
    if address.is_unspecified and entry != ALL_TRAFFIC:
        return (
            f"{entry!r} has the unspecified address {address}, which E2B refuses "
            f"(to deny everything, use {ALL_TRAFFIC})"
        )
    return None
