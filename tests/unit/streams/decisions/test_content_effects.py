"""CONTENT_REVIEW outcomes: apply the held change, notes on revision, approved content back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from schemas.records import ActionKind, CaseType
from streams.decisions import OutcomeMapper
from streams.decisions.errors import DecisionDataError
from streams.policy.outcomes import OutcomeMappingPolicy

from .test_mapping import actions, kinds

CASE = "CONTENT_REVIEW-abc"
HELD = {
    "productId": "632910392",
    "contentHold": "restore",
    "proposedContent": json.dumps({"title": "Tea that cures colds"}),
    "approvedContent": json.dumps({"title": "Herbal tea"}),
}
DRAFTED = {**HELD, "contentHold": "draft", "restoreStatus": "ACTIVE"}


def _content(outcome: str, variables: dict[str, Any], mapper: OutcomeMapper | None = None) -> Any:
    return actions(CaseType.CONTENT_REVIEW, outcome, variables, mapper, case_id=CASE)


def test_approve_applies_the_proposal_with_the_approval_tag() -> None:
    result = _content("approved", HELD)
    assert kinds(result) == [ActionKind.UPDATE_PRODUCT, ActionKind.ADD_TAGS]
    update = result[0]
    assert update.target_id == "gid://shopify/Product/632910392"
    assert update.params_dict() == {
        "content": {"title": "Tea that cures colds"},
        "status": None,
        "addTags": [f"casebridge:approved:{CASE}"],
        "removeTags": ["casebridge:revision-requested"],
        "removeTagPrefix": "casebridge:approved:",
    }
    assert result[1].target_id == update.target_id  # the audit tag on the product


def test_approve_of_a_drafted_product_sets_it_active_again() -> None:
    assert _content("approve", DRAFTED)[0].params_dict()["status"] == "ACTIVE"


def test_request_revision_writes_the_notes_and_the_tag_and_keeps_the_change_back() -> None:
    result = _content("revision_requested", {**HELD, "reviewNotes": "Remove the health claim."})
    assert kinds(result) == [ActionKind.SET_METAFIELD, ActionKind.ADD_TAGS, ActionKind.ADD_TAGS]
    metafield = result[0].params_dict()
    assert (metafield["namespace"], metafield["key"]) == ("casebridge", "review_notes")
    assert metafield["type"] == "multi_line_text_field"
    assert metafield["value"].endswith("Remove the health claim.")
    assert result[1].params_dict() == {"tags": ["casebridge:revision-requested"]}


def test_reject_puts_the_approved_content_back_and_a_new_product_stays_draft() -> None:
    result = _content("rejected", DRAFTED)
    assert result[0].kind is ActionKind.UPDATE_PRODUCT
    assert result[0].params_dict()["content"] == {"title": "Herbal tea"}
    assert result[0].params_dict()["status"] == "ACTIVE"
    keep = OutcomeMapper(OutcomeMappingPolicy(reactivate_on_reject=False))
    assert _content("rejected", DRAFTED, keep)[0].params_dict()["status"] is None
    new_product = {k: v for k, v in DRAFTED.items() if k != "approvedContent"}
    assert _content("rejected", new_product) == []


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("contentHold", "hide", "contentHold"),
        ("proposedContent", "[1]", "proposedContent"),
        ("proposedContent", '{"title": 3}', "proposedContent"),
        ("restoreStatus", "ARCHIVED", "restoreStatus"),
    ],
)
def test_malformed_content_variables_are_refused(name: str, value: str, message: str) -> None:
    with pytest.raises(DecisionDataError, match=message):
        _content("approve", {**DRAFTED, name: value})
