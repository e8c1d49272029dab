"""The real npm node-semver, run by Node.js, as an oracle for sindri_core.image.semver.

Debian's (and NodeSource's) ``nodejs`` package ships npm, and npm bundles node-semver; this
module finds that copy and keeps one ``node`` process answering JSON lines, so property tests
can ask it thousands of questions cheaply. Tests skip when no Node.js/node-semver is
installed. ``SINDRI_NODE_SEMVER`` names another node-semver checkout to ask instead (e.g. a
newer release than Debian's, to check the divergences listed in semver_cases.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

_CANDIDATES = (
    "/usr/lib/node_modules/npm/node_modules/semver",
    "/usr/share/nodejs/semver",
    "/usr/share/nodejs/npm/node_modules/semver",
    "/usr/local/lib/node_modules/npm/node_modules/semver",
)

_SERVER = r"""
const semver = require(process.argv[1]);
const readline = require('readline');
const answer = (q) => {
  const options = { includePrerelease: !!q.include_prerelease };
  switch (q.op) {
    case 'range':
      try { return { ok: true, range: new semver.Range(q.range, options).range }; }
      catch (e) { return { ok: false }; }
    case 'satisfies':
      return { ok: true, result: semver.satisfies(q.version, q.range, options) };
    case 'valid':
      return { ok: true, result: semver.valid(q.version) };
    case 'rsort':
      return { ok: true, result: semver.rsort(q.versions.slice()) };
    case 'max':
      return { ok: true, result: semver.maxSatisfying(q.versions, q.range, options) };
    case 'version':
      return { ok: true, result: require(process.argv[1] + '/package.json').version };
  }
  return { ok: false };
};
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  process.stdout.write(JSON.stringify(answer(JSON.parse(line))) + '\n');
});
"""


def find_node_semver() -> tuple[str, Path] | None:
    """``(node executable, node-semver directory)``, or ``None`` when either is missing."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        return None
    override = os.environ.get("SINDRI_NODE_SEMVER")
    for candidate in (override,) if override else _CANDIDATES:
        path = Path(candidate)
        if (path / "classes" / "range.js").is_file():
            return node, path
    return None


class NodeSemver:
    """One long-lived ``node`` process; every method is one request/answer round trip."""

    def __init__(self, node: str, module: Path) -> None:
        self._process = subprocess.Popen(
            [node, "-e", _SERVER, str(module)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def _ask(self, **question: Any) -> dict[str, Any]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(question) + "\n")
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the node-semver oracle process exited")
        return json.loads(line)

    def version(self) -> str:
        return self._ask(op="version")["result"]

    def range(self, text: str, include_prerelease: bool = False) -> str | None:
        """npm's desugared ``Range.range`` string, or ``None`` if npm rejects ``text``."""
        answer = self._ask(op="range", range=text, include_prerelease=include_prerelease)
        return answer["range"] if answer["ok"] else None

    def satisfies(self, version: str, text: str, include_prerelease: bool = False) -> bool:
        return self._ask(
            op="satisfies", version=version, range=text, include_prerelease=include_prerelease
        )["result"]

    def valid(self, version: str) -> str | None:
        return self._ask(op="valid", version=version)["result"]

    def rsort(self, versions: list[str]) -> list[str]:
        return self._ask(op="rsort", versions=versions)["result"]

    def max_satisfying(
        self, versions: list[str], text: str, include_prerelease: bool = False
    ) -> str | None:
        return self._ask(
            op="max", versions=versions, range=text, include_prerelease=include_prerelease
        )["result"]

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=10)
