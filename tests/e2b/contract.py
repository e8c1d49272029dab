"""The E2B API contract the fake E2B service validates against.

Two sources, merged: E2B's published definition (the shared material's
``contracts/e2b-openapi.yml``, e2b-dev/infra ``spec/openapi.yml`` at 54693ff3) and, for what
the current SDK calls that the published copy lacks, ``contract/e2b-sdk-2.63.0.yml``
(derived from the SDK's own generated client; ``contract/README.md`` names the module of each
part). Operations are added (one that has only ``responses`` adds those answers to the
published operation); a schema or response named in the second file replaces the published
one of that name.

Requests are held to the contract strictly: every object schema a request body reaches gets
``additionalProperties: false`` unless it says otherwise, so a property the SDK starts sending
that the contract does not define fails the test (openapi-core accepts unlisted properties by
default, and the generated client would silently send new fields).
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml
from openapi_core import OpenAPI

from tests.support.required import shared_file

__all__ = ["SDK_CONTRACT", "contract"]

SDK_CONTRACT = Path(__file__).parent / "contract" / "e2b-sdk-2.63.0.yml"
_METHODS = ("get", "put", "post", "delete", "patch")


def contract() -> tuple[OpenAPI, dict]:
    return _merged(shared_file("contracts/e2b-openapi.yml"), SDK_CONTRACT)


@functools.cache
def _merged(published: Path, sdk: Path) -> tuple[OpenAPI, dict]:
    document = yaml.safe_load(published.read_text(encoding="utf-8"))
    extra = yaml.safe_load(sdk.read_text(encoding="utf-8"))
    for path, item in extra["paths"].items():
        published_item = document["paths"].setdefault(path, {})
        for method, operation in item.items():
            if method in published_item and set(operation) == {"responses"}:
                published_item[method]["responses"].update(operation["responses"])
            else:
                published_item[method] = operation
    for section, entries in extra["components"].items():
        document["components"].setdefault(section, {}).update(entries)
    strict = _strict_requests(document)
    return OpenAPI.from_dict(strict), strict


def _strict_requests(document: dict) -> dict:
    """``document`` with every object schema a request body reaches closed to other properties."""
    strict = copy.deepcopy(document)
    schemas = strict["components"]["schemas"]
    seen: set[str] = set()

    def close(node: Any) -> None:
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                close(schemas[name])
            return
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for child in (node.get("properties") or {}).values():
            close(child)
        for key in ("items", "additionalProperties"):
            close(node.get(key))
        for branch in node.get("oneOf", []) + node.get("anyOf", []):
            close(branch)
        # allOf parts are left open: each would refuse the properties of the others.

    for item in strict["paths"].values():
        for method in _METHODS:
            body = (item.get(method) or {}).get("requestBody") or {}
            for media in (body.get("content") or {}).values():
                close(media.get("schema"))
    return strict
