"""The project's part of the E2B contract matches the SDK it was derived from.

``contract/e2b-sdk-2.63.0.yml`` was written from the generated client of the locked ``e2b``
wheel; each schema there must have exactly the properties of the SDK model it names (README.md),
so a pin bump that changes a model fails here, beside the strict request validation that fails
when the SDK sends something new.
"""

from __future__ import annotations

import importlib
import inspect
from importlib.metadata import version

import attrs
import pytest
import yaml

from tests.e2b.contract import SDK_CONTRACT

# schema in the contract file -> model module and class in e2b/api/client/models
MODELS = {
    "NewSandboxV2": "new_sandbox_v2:NewSandboxV2",
    "ConnectSandboxV2": "connect_sandbox_v2:ConnectSandboxV2",
    "SandboxNetworkConfig": "sandbox_network_config:SandboxNetworkConfig",
    "SandboxEgressProxyConfig": "sandbox_egress_proxy_config_type_0:SandboxEgressProxyConfigType0",
    "SandboxEgressProxyTLSConfig": "sandbox_egress_proxy_tls_config_type_0:"
    "SandboxEgressProxyTLSConfigType0",
    "SandboxPauseRequest": "sandbox_pause_request:SandboxPauseRequest",
    "TemplateBuildRequestV3": "template_build_request_v3:TemplateBuildRequestV3",
    "TemplateBuildFileUpload": "template_build_file_upload:TemplateBuildFileUpload",
    "Template": "template:Template",
    "TemplateTagExistsResponse": "template_tag_exists_response:TemplateTagExistsResponse",
    "TemplateTagsCountResponse": "template_tags_count_response:TemplateTagsCountResponse",
    "TemplateTagAssignment": "template_tag_assignment:TemplateTagAssignment",
    "TemplateTagAssignmentsResponse": "template_tag_assignments_response:"
    "TemplateTagAssignmentsResponse",
    "TemplateTagGroup": "template_tag_group:TemplateTagGroup",
    "TemplateTagGroupsResponse": "template_tag_groups_response:TemplateTagGroupsResponse",
}


def contract_schemas() -> dict:
    return yaml.safe_load(SDK_CONTRACT.read_text(encoding="utf-8"))["components"]["schemas"]


def test_the_contract_file_is_for_the_locked_sdk():
    assert SDK_CONTRACT.name == f"e2b-sdk-{version('e2b')}.yml"


def test_every_schema_of_the_contract_file_names_its_sdk_model():
    assert set(contract_schemas()) == set(MODELS)


@pytest.mark.parametrize("schema", sorted(MODELS))
def test_a_schema_has_exactly_the_properties_of_its_sdk_model(schema):
    module, _, name = MODELS[schema].partition(":")
    model = getattr(importlib.import_module(f"e2b.api.client.models.{module}"), name)
    fields = [f.name for f in attrs.fields(model) if f.name != "additional_properties"]
    properties = contract_schemas()[schema]["properties"]
    assert len(properties) == len(fields), (sorted(properties), fields)
    sent = inspect.getsource(model.to_dict)
    missing = [key for key in properties if f'"{key}"' not in sent]
    assert not missing, f"{schema}: the SDK's {name}.to_dict never writes {missing}"
