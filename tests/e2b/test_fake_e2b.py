"""The fake E2B service answers as the real API server does.

Each test names the e2b-dev/infra file (``packages/api/`` at
54693ff353d26c5fe1951db5467e751f3e2f984e) whose behaviour it checks; requests go through the
official SDK where it can send them, else as raw HTTP against the contract.
"""

from __future__ import annotations

import base64

import pytest
import requests

from tests.e2b.fake_e2b import API_KEY

HEADERS = {"X-API-Key": API_KEY}


def post(e2b, path: str, body: dict) -> requests.Response:
    return requests.post(f"{e2b.url}{path}", json=body, headers=HEADERS, timeout=10)


def get(e2b, path: str) -> requests.Response:
    return requests.get(f"{e2b.url}{path}", headers=HEADERS, timeout=10)


def build_template(e2b, alias: str = "tpl-a") -> str:
    """A template the fake knows, built through its own API (no SDK involved)."""
    answer = post(e2b, "/v3/templates", {"name": alias})
    assert answer.status_code == 202, answer.text
    return answer.json()["templateID"]


@pytest.fixture
def sdk(e2b):
    """The SDK's connection parameters for the fake."""
    return {"api_key": API_KEY, "api_url": e2b.url}


# -- contract ---------------------------------------------------------------------------------


def test_unknown_paths_and_methods_are_404_not_400(e2b):
    """main.go: the OpenAPI validator middleware finds no route → 404."""
    assert get(e2b, "/v9/sandboxes").status_code == 404
    assert requests.put(f"{e2b.url}/v2/sandboxes", headers=HEADERS, timeout=10).status_code == 404


def test_a_property_the_contract_does_not_list_is_refused(e2b):
    """Strict request validation: an SDK that starts sending a new field fails a test."""
    build_template(e2b)
    assert post(e2b, "/v2/sandboxes", {"templateID": "tpl-a"}).status_code == 201
    answer = post(e2b, "/v2/sandboxes", {"templateID": "tpl-a", "colour": "blue"})
    assert answer.status_code == 400 and "colour" in answer.text
    nested = {"templateID": "tpl-a", "network": {"allowOut": [], "extra": 1}}
    assert post(e2b, "/v2/sandboxes", nested).status_code == 400
    # the published v1 body has `secure`; the v2 one does not
    assert post(e2b, "/v2/sandboxes", {"templateID": "tpl-a", "secure": True}).status_code == 400


def test_repeated_explode_false_parameter_and_missing_key(e2b):
    repeated = get(e2b, "/v2/sandboxes?state=running&state=paused")
    assert repeated.status_code == 400
    assert requests.get(f"{e2b.url}/v2/sandboxes", timeout=10).status_code == 401


# -- sandboxes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timeout", "status"), [(0, 400), (-5, 400), (3600, 201), (3601, 400), (None, 201)]
)
def test_create_checks_the_timeout_against_the_team_maximum(e2b, timeout, status):
    """handlers/timeout_helper.go validateAndParseTimeout (create): ≤ 0 or above the maximum."""
    build_template(e2b)
    body = {"templateID": "tpl-a"} | ({} if timeout is None else {"timeout": timeout})
    assert post(e2b, "/v2/sandboxes", body).status_code == status


def test_connect_checks_the_timeout_and_refuses_a_sandbox_being_killed(e2b, sdk):
    """handlers/sandbox_connect.go: timeout above the team maximum → 400; killing → 409."""
    from e2b import Sandbox
    from e2b.exceptions import SandboxException

    sandbox_id = e2b.add_sandbox("x", "paused")
    assert post(e2b, f"/v2/sandboxes/{sandbox_id}/connect", {"timeout": 7200}).status_code == 400
    # a negative timeout is refused by the schema's minimum (the validator middleware)
    assert post(e2b, f"/v2/sandboxes/{sandbox_id}/connect", {"timeout": -1}).status_code == 400
    e2b.max_length_hours = 24
    assert post(e2b, f"/v2/sandboxes/{sandbox_id}/connect", {"timeout": 7200}).status_code == 201
    assert post(e2b, f"/v2/sandboxes/{sandbox_id}/connect", {"timeout": 60}).status_code == 200
    e2b.sandboxes[sandbox_id]["_killing"] = True
    with pytest.raises(SandboxException, match="killing"):
        Sandbox.connect(sandbox_id, timeout=60, **sdk)
    assert e2b.requests("POST", f"/v2/sandboxes/{sandbox_id}/connect")[-1].body == {"timeout": 60}


def test_secured_access_needs_envd_0_2_0(e2b):
    """handlers/sandbox_create.go getEnvdAccessToken: v2 creates are always secured."""
    build_template(e2b)
    e2b.envd_version = "0.1.9"
    answer = post(e2b, "/v2/sandboxes", {"templateID": "tpl-a"})
    assert answer.status_code == 400 and "secured access" in answer.json()["message"]
    assert post(e2b, "/sandboxes", {"templateID": "tpl-a"}).status_code == 201  # v1, unsecured
    assert post(e2b, "/sandboxes", {"templateID": "tpl-a", "secure": True}).status_code == 400


@pytest.mark.parametrize(
    ("network", "status"),
    [
        ({"denyOut": ["0.0.0.0/0"]}, 201),
        ({"denyOut": ["192.0.2.7", "198.51.100.0/24", "2001:db8::/32"]}, 201),
        ({"denyOut": ["0.0.0.0"]}, 400),
        ({"denyOut": ["::"]}, 400),
        ({"denyOut": ["::/0"]}, 400),
        ({"denyOut": ["0.0.0.0/8"]}, 400),
        ({"denyOut": ["evil.example"]}, 400),
        ({"allowOut": ["192.0.2.7"]}, 201),
        ({"allowOut": ["0.0.0.0"]}, 400),
        ({"allowOut": ["::/0"]}, 400),
        ({"allowOut": ["pypi.org"]}, 400),
        ({"allowOut": ["pypi.org"], "denyOut": ["0.0.0.0/0"]}, 201),
    ],
)
def test_egress_rules_are_validated_as_the_server_does(e2b, network, status):
    """handlers/sandbox_create.go validateEgressRules with sandbox-network IsSpecifiedIPOrCIDR."""
    build_template(e2b)
    assert post(e2b, "/v2/sandboxes", {"templateID": "tpl-a", "network": network}).status_code == (
        status
    )


def test_private_sandbox_needs_secured_access_and_gets_a_traffic_token(e2b):
    """handlers/sandbox_create.go (public access needs secure) and orchestrator/create_instance.go
    (a private sandbox's trafficAccessToken)."""
    build_template(e2b)
    private = {"templateID": "tpl-a", "network": {"allowPublicTraffic": False}}
    assert post(e2b, "/sandboxes", private).status_code == 400  # v1 without secure
    created = post(e2b, "/v2/sandboxes", private)
    assert created.status_code == 201 and created.json()["trafficAccessToken"]
    public = post(e2b, "/v2/sandboxes", {"templateID": "tpl-a"})
    assert public.json()["trafficAccessToken"] is None


def test_unknown_or_malformed_template_on_create(e2b):
    """handlers/sandbox_create.go: id.ParseName → 400, unknown template → 404."""
    assert post(e2b, "/v2/sandboxes", {"templateID": "Bad Name!"}).status_code == 400
    assert post(e2b, "/v2/sandboxes", {"templateID": "nothing-here"}).status_code == 404


def test_listing_is_paginated_newest_first_with_a_next_token(e2b, sdk):
    """handlers/sandboxes_list.go GetV2Sandboxes with utils/pagination.go."""
    from e2b import Sandbox, SandboxQuery

    for minute in (3, 1, 4, 2):
        e2b.add_sandbox("paged", started_at=f"2026-11-22T10:0{minute}:00Z")
    e2b.default_limit = 3
    first = get(e2b, "/v2/sandboxes")
    minutes = [s["startedAt"][15] for s in first.json()]
    assert minutes == ["4", "3", "2"] and first.headers["X-Next-Token"]
    second = get(e2b, f"/v2/sandboxes?nextToken={first.headers['X-Next-Token']}")
    assert [s["startedAt"][15] for s in second.json()] == ["1"]
    assert "X-Next-Token" not in second.headers
    bad = base64.urlsafe_b64encode(b"no-separator").decode()
    assert get(e2b, f"/v2/sandboxes?nextToken={bad}").status_code == 400
    # the SDK follows the token
    pages = Sandbox.list(query=SandboxQuery(metadata={"sindri_name": "paged"}), **sdk)
    seen = []
    while pages.has_next:
        seen += [s.sandbox_id for s in pages.next_items()]
    assert len(seen) == 4 and len(e2b.requests("GET", "/v2/sandboxes")) >= 5


def test_a_malformed_metadata_query_is_400(e2b):
    """utils/sandboxes_list.go parseFilters: every pair must be k=v."""
    assert get(e2b, "/v2/sandboxes?metadata=sindri_name%3Dx").status_code == 200
    assert get(e2b, "/v2/sandboxes?metadata=sindri_name").status_code == 400
    assert get(e2b, "/v2/sandboxes?metadata=a%3Db%3Dc").status_code == 400


# -- templates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "ok-name_1"}, 202),
        ({"name": "ok-name:v1.2"}, 202),
        ({"name": "Not Valid"}, 400),
        ({"name": "a.b"}, 400),
        ({"name": "ok", "tags": ["bad tag"]}, 400),
        ({"name": "ok", "tags": ["3f2c7f3a-5a3b-4c2e-9b1d-2f0e8c7d6a5b"]}, 400),
        ({}, 400),
        ({"name": "ok", "cpuCount": 1}, 202),
        ({"name": "ok", "cpuCount": 3}, 400),
        ({"name": "ok", "cpuCount": 34}, 400),
        ({"name": "ok", "cpuCount": 16}, 400),  # above this team's 8
        ({"name": "ok", "memoryMB": 128}, 202),
        ({"name": "ok", "memoryMB": 127}, 400),  # the contract's minimum
        ({"name": "ok", "memoryMB": 1025}, 400),
        ({"name": "ok", "memoryMB": 16384}, 400),  # above this team's 8192
    ],
)
def test_build_requests_are_validated(e2b, body, status):
    """handlers/template_request_build_v3.go, shared id.ParseName/ValidateAndDeduplicateTags,
    team/limits.go LimitResources."""
    assert post(e2b, "/v3/templates", body).status_code == status


def test_too_many_concurrent_builds_is_429(e2b):
    """template/register_build.go: other templates' in-progress builds count."""
    e2b.build_concurrency = 1
    assert post(e2b, "/v3/templates", {"name": "one"}).status_code == 202
    assert post(e2b, "/v3/templates", {"name": "one"}).status_code == 202  # same template
    assert post(e2b, "/v3/templates", {"name": "two"}).status_code == 429


def test_a_build_has_a_uuid_starts_once_and_moves_waiting_building_ready(e2b):
    """handlers/template_start_build_v2.go and handlers/template_build_status.go."""
    answer = post(e2b, "/v3/templates", {"name": "tpl-a"}).json()
    template_id, build_id = answer["templateID"], answer["buildID"]
    assert len(build_id) == 36 and build_id.count("-") == 4
    status = f"/templates/{template_id}/builds/{build_id}/status"
    assert get(e2b, status).json()["status"] == "waiting"
    start = f"/v2/templates/{template_id}/builds/{build_id}"
    assert post(e2b, f"/v2/templates/{template_id}/builds/not-a-uuid", {}).status_code == 400
    assert post(e2b, start, {"fromImage": "busybox:1.36"}).status_code == 202
    assert post(e2b, start, {"fromImage": "busybox:1.36"}).status_code == 400  # not waiting
    assert get(e2b, status).json()["status"] == "building"
    final = get(e2b, status).json()
    assert final["status"] == "ready"
    assert get(e2b, f"/templates/{template_id}/builds/x/status").status_code == 400
    # the handler answers 400 there, though neither the published contract nor the SDK lists it
    assert e2b.faults == [f"GET /templates/{template_id}/builds/x/status -> 400: ResponseNotFound"]
    e2b.faults.clear()


def test_a_failed_build_ends_in_error_with_a_reason(e2b, sdk):
    from e2b import Template
    from e2b.exceptions import BuildException

    e2b.build_status = "error"
    with pytest.raises(BuildException, match="step failed"):
        Template.build(Template().from_image("busybox:1.36"), "tpl-a", **sdk)
    states = [c for c in e2b.requests("GET") if c.path.endswith("/status")]
    assert len(states) >= 2  # building, then error


def test_files_hash_must_be_64_hex(e2b):
    """handlers/template_layer_files_upload.go templateFilesHashPattern."""
    template_id = build_template(e2b)
    assert get(e2b, f"/templates/{template_id}/files/{'a' * 64}").status_code == 201
    assert get(e2b, f"/templates/{template_id}/files/{'A' * 64}").status_code == 400
    assert get(e2b, f"/templates/{template_id}/files/abc").status_code == 400


def test_another_teams_alias_is_403_which_the_sdk_reads_as_existing(e2b, sdk):
    """handlers/template_alias.go: ownership check → 403; malformed → 400."""
    from e2b import Template

    e2b.foreign_aliases.add("theirs")
    assert get(e2b, "/templates/aliases/theirs").status_code == 403
    assert get(e2b, "/templates/aliases/Bad%20Alias").status_code == 400
    assert get(e2b, "/templates/aliases/missing").status_code == 404
    assert Template.exists("theirs", **sdk) is True
    assert Template.exists("missing", **sdk) is False
