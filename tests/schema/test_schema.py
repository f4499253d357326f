"""The built-in schema: derived from the real describe recordings and kept in step with them."""

import json
import os
from pathlib import Path

import pytest

from service.schema import builtin_schema

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
EVENT_CASSETTE = "GET_sobjects_Event_describe.yaml"


def test_required_fields_per_object_match_salesforce():
    """Required-on-create fields are the ones Salesforce enforces for each object."""
    schema = builtin_schema()
    assert schema.get("Lead").required_on_create == ("LastName", "Company")
    assert schema.get("Contact").required_on_create == ("LastName",)
    assert schema.get("Account").required_on_create == ("Name",)
    assert schema.get("Opportunity").required_on_create == ("Name", "StageName", "CloseDate")


def test_name_fields_and_key_prefixes():
    """Each object knows its name field and id key prefix."""
    schema = builtin_schema()
    assert schema.get("case").name_field == "CaseNumber"
    assert {o.name: o.key_prefix for o in schema.objects.values()} == {
        "Account": "001",
        "Contact": "003",
        "Lead": "00Q",
        "Opportunity": "006",
        "Case": "500",
        "User": "005",
        "Task": "00T",
        "Event": "00U",
    }
    assert schema.get("task").name_field == "Subject"
    assert schema.by_key_prefix("003").name == "Contact"


def test_relationships_resolve_case_insensitively():
    """Parent relationships map to their lookup field and child relationships to their object."""
    contact = builtin_schema().get("CONTACT")
    assert contact.parent_relationship("account").name == "AccountId"
    assert contact.parent_relationship("Owner").target == "User"
    assert builtin_schema().get("Account").child_relationship("contacts").child_object == "Contact"
    assert contact.field("EMAIL").type == "email"


def test_builtin_json_is_fresh_against_the_recordings(tmp_path):
    """Re-deriving from ../shared gives exactly the shipped data file.

    Event (and Task, which takes Event's shared fields) come from CumulusCI's recorded Event
    describe, which ../shared does not hold: they are compared only when CUMULUSCI_CASSETTES names
    a folder with GET_sobjects_Event_describe.yaml.
    """
    if not (SHARED / "salesforce-recordings" / "describe").is_dir():
        pytest.skip("../shared is not beside the repository")
    import importlib.util

    spec = importlib.util.spec_from_file_location("derive_schema", REPO / "scripts" / "derive_schema.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shipped = json.loads((REPO / "service" / "schema" / "builtin.json").read_text())
    cassettes = os.environ.get("CUMULUSCI_CASSETTES")
    derived = module.derive(SHARED, Path(cassettes) if cassettes else None)
    if cassettes is None and not (SHARED / "salesforce-recordings" / "describe" / EVENT_CASSETTE).is_file():
        derived, shipped = (
            [o for o in doc["objects"] if o["name"] not in ("Task", "Event")] for doc in (derived, shipped)
        )
    assert derived == shipped


def test_activities_have_polymorphic_lookups():
    """Task and Event: WhoId (Contact, Lead), WhatId (Account, Opportunity, Case, …); Lead.Tasks child."""
    schema = builtin_schema()
    for name in ("Task", "Event"):
        obj = schema.get(name)
        assert obj.field("WhoId").reference_to == ("Contact", "Lead")
        assert {"Account", "Opportunity", "Case"} <= set(obj.field("WhatId").reference_to)
        assert obj.field("WhoId").relationship_name == "Who" and obj.field("WhatId").relationship_name == "What"
    assert schema.get("Lead").child_relationship("Tasks").field == "WhoId"
    assert schema.get("Account").child_relationship("Events").field == "WhatId"
    call_log = {
        "Subject",
        "WhoId",
        "WhatId",
        "Status",
        "Priority",
        "ActivityDate",
        "Description",
        "TaskSubtype",
        "Type",
        "CallDurationInSeconds",
        "CallType",
        "CallObject",
    }
    assert call_log <= set(schema.get("Task").fields)
