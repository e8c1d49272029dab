"""The devpod CLI: providers, workspaces, status. Every call is an argv list with a timeout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sindri_core.plugin import CommandRunner, OperationError

__all__ = ["INSTALL_HINT", "DevpodCli"]

INSTALL_HINT = "install DevPod: https://devpod.sh/docs/getting-started/install"
UP_TIMEOUT = 3600.0
QUERY_TIMEOUT = 60.0


class DevpodCli:
    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner

    def _json(self, argv: list[str]) -> Any:
        result = self.runner.run(argv, timeout=QUERY_TIMEOUT)
        try:
            return json.loads(result.stdout or "null")
        except json.JSONDecodeError:
            raise OperationError(f"`{' '.join(argv[:3])}` did not answer with JSON") from None

    def providers(self) -> set[str]:
        data = self._json(["devpod", "provider", "list", "--output", "json"])
        if isinstance(data, dict):
            return set(data)
        return {item.get("name", "") for item in data or [] if isinstance(item, dict)}

    def configure_provider(self, name: str, options: dict[str, str]) -> list[list[str]]:
        """Add the provider (with its options) or set its options; returns what ran."""
        flags = [part for key, value in options.items() for part in ("-o", f"{key}={value}")]
        if name not in self.providers():
            argv = ["devpod", "provider", "add", name, *flags]
        elif flags:
            argv = ["devpod", "provider", "set-options", name, *flags]
        else:
            return []
        self.runner.run(argv, timeout=QUERY_TIMEOUT * 5)
        return [argv]

    def up(
        self,
        source: Path,
        *,
        provider: str,
        workspace: str,
        devcontainer: str,
        env_file: Path | None,
        recreate: bool,
        stream: bool,
    ) -> None:
        argv = [
            "devpod",
            "up",
            str(source),
            "--provider",
            provider,
            "--id",
            workspace,
            "--ide",
            "none",
            "--devcontainer-path",
            devcontainer,
        ]
        if env_file is not None:
            argv += ["--workspace-env-file", str(env_file)]
        if recreate:
            argv.append("--recreate")
        self.runner.run(argv, timeout=UP_TIMEOUT, stream=stream)

    def status(self, workspace: str) -> str:
        """The workspace state (Running, Stopped, Busy, NotFound, …)."""
        result = self.runner.run(
            ["devpod", "status", workspace, "--output", "json"],
            timeout=QUERY_TIMEOUT,
            check=False,
        )
        if not result.ok:
            text = (result.stderr + result.stdout).lower()
            if "not found" in text or "doesn't exist" in text or "does not exist" in text:
                return "NotFound"
            raise OperationError(f"`devpod status {workspace}` failed: {result.last_lines()}")
        try:
            return str(json.loads(result.stdout).get("state", "Unknown"))
        except (json.JSONDecodeError, AttributeError):
            raise OperationError("`devpod status` did not answer with JSON") from None

    def start(self, workspace: str) -> None:
        self.runner.run(["devpod", "up", workspace, "--ide", "none"], timeout=UP_TIMEOUT)

    def stop(self, workspace: str) -> None:
        self.runner.run(["devpod", "stop", workspace], timeout=QUERY_TIMEOUT * 10)

    def delete(self, workspace: str) -> None:
        self.runner.run(["devpod", "delete", workspace], timeout=QUERY_TIMEOUT * 10)
