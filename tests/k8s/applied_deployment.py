"""A fake kubectl model that remembers what was applied: ``get deployment`` then prints the
Deployment with the annotations of the last ``apply`` (as the API server keeps them), and
``delete`` forgets it. Used by the conformance suite, whose second deploy must find the
cluster up to date."""

from __future__ import annotations

import json
from pathlib import Path

from ruamel.yaml import YAML

from tests.k8s import kubectl_cli
from tests.k8s.conftest import NAME, deployment_json

Answer = tuple[int, str, str]


def check(args: list[str], stdin: str, state_dir: str) -> Answer | None:
    refused = kubectl_cli.check(args, stdin, state_dir)
    if refused is not None:
        return refused
    applied = Path(state_dir) / "applied-deployment.json"
    if args[:1] == ["apply"]:
        documents = [d for d in YAML(typ="safe").load_all(stdin) if d]
        for document in documents:
            if document["kind"] == "Deployment":
                applied.write_text(json.dumps(document["metadata"].get("annotations") or {}))
    elif args[:1] == ["delete"]:
        applied.unlink(missing_ok=True)
    elif args[:3] == ["get", "deployment", NAME] and applied.exists():
        live = deployment_json()
        live["metadata"]["annotations"].update(json.loads(applied.read_text()))
        return 0, json.dumps(live, indent=4) + "\n", ""
    return None  # the test's rules answer
