"""The e2b CLI, for templates: list them and build one.

The current CLI builds with ``e2b template create <name>``; older ones only have
``e2b template build --name``. Which one is installed is asked once, from ``--help``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import attrs

from sindri_core.plugin import CommandRunner, Console, ExternalCommandError, OperationError
from sindri_providers_e2b.template import TemplateSpec

__all__ = ["E2bCli", "Flavour"]

BUILD_TIMEOUT = 1800.0
HINT = "install the E2B CLI: npm install -g @e2b/cli"


@attrs.frozen
class Flavour:
    """What the installed CLI can do."""

    create: bool  # `template create` exists (else the older `template build`)
    team_flag: bool  # the build command accepts --team


class E2bCli:
    def __init__(self, runner: CommandRunner, console: Console) -> None:
        self.runner = runner
        self.console = console
        self._flavour: Flavour | None = None

    def flavour(self) -> Flavour:
        if self._flavour is None:
            self._flavour = self._detect()
        return self._flavour

    def _detect(self) -> Flavour:
        for create, argv in (
            (True, ["e2b", "template", "create", "--help"]),
            (False, ["e2b", "template", "build", "--help"]),
        ):
            result = self.runner.run(argv, timeout=60, check=False)
            if result.ok and "deprecated" not in result.stdout.lower():
                return Flavour(create=create, team_flag="--team" in result.stdout)
        raise OperationError(
            "the installed e2b CLI supports neither `template create` nor `template build`",
            hint=HINT,
        )

    def list_templates(self) -> list[dict[str, Any]]:
        flag = ["--format", "json"] if self.flavour().create else ["--json"]
        result = self.runner.run(["e2b", "template", "list", *flag], timeout=120)
        text = result.stdout
        start = min((i for i in (text.find("["), text.find("{")) if i >= 0), default=-1)
        try:
            data = json.loads(text[start:]) if start >= 0 else []
        except json.JSONDecodeError:
            raise OperationError("`e2b template list` did not answer with JSON") from None
        return data if isinstance(data, list) else data.get("templates", [])

    def find_template(self, alias: str) -> dict[str, Any] | None:
        for template in self.list_templates():
            names = [*template.get("aliases", []), *template.get("names", [])]
            if alias in names or template.get("templateID") == alias:
                return template
        return None

    def build(self, spec: TemplateSpec, *, team: str | None, no_cache: bool) -> None:
        flavour = self.flavour()
        dockerfile = os.path.relpath(spec.dockerfile, spec.root)
        if flavour.create:
            argv = ["e2b", "template", "create", spec.alias]
        else:
            argv = ["e2b", "template", "build", "--name", spec.alias]
        argv += [
            "-p",
            str(spec.root),
            "-d" if flavour.create else "--dockerfile",
            dockerfile,
            "--cpu-count",
            str(spec.cpu_count),
            "--memory-mb",
            str(spec.memory_mb),
        ]
        if no_cache and flavour.create:
            argv.append("--no-cache")
        if team:
            if flavour.team_flag:
                argv += ["--team", team]
            else:
                self.console.warn(
                    "this e2b CLI takes the team from E2B_API_KEY; providers.e2b.team is not passed"
                )
        self.console.step(f"Building E2B template {spec.alias} from {spec.source}")
        try:
            self.runner.run(
                argv, timeout=BUILD_TIMEOUT, cwd=Path(spec.root), stream=self.console.progress
            )
        except ExternalCommandError as exc:
            raise OperationError(f"E2B template build for {spec.alias} failed: {exc}") from None
