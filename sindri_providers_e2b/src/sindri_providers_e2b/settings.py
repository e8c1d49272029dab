"""The ``providers.e2b`` section of sindri.yaml."""

from __future__ import annotations

from sindri_core.plugin import section, setting


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
        doc="IP addresses and CIDR blocks the sandbox may not reach (E2B denies no domain names).",
        pattern=r"[0-9.]+(/[0-9]{1,2})?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(/[0-9]{1,3})?",
        pattern_hint="an IP address or CIDR block: E2B deny rules take no domain names "
        "(to reach only some domains, list them in allowedDomains)",
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
