"""The edge to E2B: every call to the official ``e2b`` SDK goes through :class:`E2bClient`.

The connection (API key, ``E2B_DOMAIN``, ``E2B_API_URL``) is resolved once, by the SDK's own
``ConnectionConfig``, and the same parameters go to every template and sandbox call, so the two
can never land on different hosts. SDK errors become one-line :class:`OperationError` messages;
the API key and sandbox environment never appear in them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import attrs

from sindri_core.plugin import OperationError

if TYPE_CHECKING:
    from e2b import Sandbox

__all__ = ["KEY_HINT", "E2bClient", "SandboxSummary", "client_from_environment", "sdk_errors"]

KEY_HINT = "get a key at https://e2b.dev/dashboard and export E2B_API_KEY"


@attrs.frozen
class SandboxSummary:
    sandbox_id: str
    template_id: str
    state: str  # running | paused
    started_at: str | None = None
    end_at: str | None = None


@contextmanager
def sdk_errors(what: str) -> Iterator[None]:
    import httpx
    from e2b.exceptions import (
        AuthenticationException,
        BuildException,
        SandboxException,
        ServiceBusyException,
    )

    try:
        yield
    except AuthenticationException:
        raise OperationError(f"{what}: E2B refused the API key", hint=KEY_HINT) from None
    except (SandboxException, BuildException, ServiceBusyException) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise OperationError(f"{what}: {first[:300]}") from None
    except (OSError, httpx.HTTPError) as exc:  # the SDK's transport errors are httpx's
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        raise OperationError(f"{what}: cannot reach E2B ({type(exc).__name__}: {first})") from None


class E2bClient:
    """Templates and sandboxes through the SDK, with one set of connection parameters."""

    def __init__(self, api_key: str) -> None:
        from e2b.connection_config import ConnectionConfig

        config = ConnectionConfig(api_key=api_key)
        self.api_url = config.api_url
        self._params: dict[str, Any] = {
            "api_key": api_key,
            "domain": config.domain,
            "api_url": config.api_url,
        }

    def __repr__(self) -> str:  # the key stays out of every repr
        return f"E2bClient({self.api_url})"

    # -- templates ----------------------------------------------------------------------------

    def template_exists(self, alias: str) -> bool:
        from e2b import Template

        with sdk_errors(f"looking up E2B template {alias}"):
            return Template.exists(alias, **self._params)

    def build_template(
        self,
        template: Any,
        alias: str,
        *,
        cpu_count: int,
        memory_mb: int,
        skip_cache: bool,
        on_log: Callable[[str], None],
    ) -> str:
        """Build ``template`` as ``alias``; the build's log lines go to ``on_log``."""
        from e2b import Template

        def forward(entry: Any) -> None:
            on_log(f"[{entry.level}] {entry.message}")

        with sdk_errors(f"E2B template build for {alias}"):
            info = Template.build(
                template,
                alias,
                cpu_count=cpu_count,
                memory_mb=memory_mb,
                skip_cache=skip_cache,
                on_build_logs=forward,
                **self._params,
            )
        return info.template_id

    # -- sandboxes ----------------------------------------------------------------------------

    def find(self, name: str) -> SandboxSummary | None:
        """The running (else newest paused) sandbox whose metadata ``sindri_name`` is ``name``."""
        from e2b import Sandbox, SandboxQuery, SandboxState

        query = SandboxQuery(
            metadata={"sindri_name": name}, state=[SandboxState.RUNNING, SandboxState.PAUSED]
        )
        found: list[SandboxSummary] = []
        with sdk_errors("listing E2B sandboxes"):
            pages = Sandbox.list(query=query, **self._params)
            while pages.has_next:
                found += [
                    _summary(info)
                    for info in pages.next_items()
                    # the server filters already; this guards against a looser match
                    if info.metadata.get("sindri_name") == name
                ]
        found.sort(key=lambda s: s.started_at or "", reverse=True)  # newest first…
        found.sort(key=lambda s: s.state != "running")  # …and running before paused
        return found[0] if found else None

    def create(self, **options: Any) -> str:
        from e2b import Sandbox

        with sdk_errors("creating the E2B sandbox"):
            sandbox = Sandbox.create(**options, **self._params)
        return sandbox.sandbox_id

    def connect(self, sandbox_id: str, *, timeout: int) -> Sandbox:
        """The sandbox, resumed if it was paused (``POST /sandboxes/{id}/connect``)."""
        from e2b import Sandbox

        with sdk_errors(f"connecting to E2B sandbox {sandbox_id}"):
            return Sandbox.connect(sandbox_id, timeout=timeout, **self._params)

    def pause(self, sandbox_id: str) -> bool:
        """``False`` when it was already paused."""
        from e2b import Sandbox

        with sdk_errors(f"pausing E2B sandbox {sandbox_id}"):
            return bool(Sandbox.pause(sandbox_id, **self._params))

    def kill(self, sandbox_id: str) -> bool:
        """``False`` when it was already gone."""
        from e2b import Sandbox

        with sdk_errors(f"killing E2B sandbox {sandbox_id}"):
            return bool(Sandbox.kill(sandbox_id, **self._params))


def _summary(info: Any) -> SandboxSummary:
    state = getattr(info.state, "value", info.state)
    return SandboxSummary(
        sandbox_id=info.sandbox_id,
        template_id=info.template_id,
        state=str(state).lower(),
        started_at=info.started_at.isoformat() if info.started_at else None,
        end_at=info.end_at.isoformat() if info.end_at else None,
    )


def client_from_environment() -> E2bClient:
    key = os.environ.get("E2B_API_KEY")
    if not key:
        raise OperationError("E2B_API_KEY is not set", hint=KEY_HINT)
    return E2bClient(key)
