"""UC6 holds: a product change under review is compared with the approved content, held
(restore or draft), and casebridge's own write-backs open nothing. Pure: the agent's tables
are dicts updated the way the classify agent updates them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.records import CaseRequest
from streams.classify.rules import ClassifyContext, classify_event, product_fingerprint
from streams.classify.rules.approved import ProductContent, changed_characters, merge_proposal
from streams.classify.rules.content import approval_tag, content_state_after
from streams.policy import Policy
from streams.policy.model import ContentPolicy

from .conftest import NOW, make_event

KEY = "example.myshopify.com|product:632910392"


def _product(**overrides: Any) -> dict[str, Any]:
    product: dict[str, Any] = {
        "id": 632910392,
        "title": "Herbal tea",
        "body_html": "<p>A calm evening blend.</p>",
        "product_type": "Tea",
        "vendor": "Leaf",
        "status": "active",
        "tags": "organic",
        "variants": [{"id": 1, "price": "10.00", "compare_at_price": None}],
    }
    product.update(overrides)
    return product


@dataclass
class Tables:
    """The classify agent's content tables, updated as the agent does."""

    policy: Policy
    fingerprints: dict[str, str] = field(default_factory=dict)
    state: dict[str, str] = field(default_factory=dict)
    ended: set[str] = field(default_factory=set)
    count: int = 0

    def see(self, topic: str, payload: dict[str, Any]) -> list[CaseRequest]:
        self.count += 1
        event = make_event(topic, payload, event_id=f"e{self.count}")
        context = ClassifyContext(
            content_fingerprints=self.fingerprints,
            content_state=self.state,
            ended_cases=self.ended,
        )
        cases = classify_event(event, self.policy, context, NOW)
        key, state = content_state_after(event, self.policy, context)
        if state is not None:
            if cases and state.proposal is not None:
                state = state.model_copy(update={"pending_case": cases[0].case_id})
            self.state[key] = state.model_dump_json()
        fingerprint = product_fingerprint(event, self.policy)
        assert fingerprint is not None
        self.fingerprints[fingerprint[0]] = fingerprint[1]
        return cases

    def current(self) -> ProductContent:
        return ProductContent.model_validate_json(self.state[KEY])


def _vars(case: CaseRequest) -> dict[str, str]:
    return {v.name: v.value for v in case.variables}


@pytest.fixture
def tables(policy: Policy) -> Tables:
    return Tables(policy)


def test_a_new_active_product_with_a_claim_is_held_as_draft(tables: Tables) -> None:
    [case] = tables.see("products/create", _product(title="Tea that cures colds"))
    values = _vars(case)
    assert values["contentHold"] == "draft"
    assert values["restoreStatus"] == "ACTIVE"
    assert "approvedContent" not in values  # nothing approved to put back
    assert json.loads(values["proposedContent"])["title"] == "Tea that cures colds"
    state = tables.current()
    assert state.approved is None and state.pending_case == case.case_id
    assert state.drafted_from == "ACTIVE"
    # casebridge's draft causes a products/update: same content, nothing new.
    assert (
        tables.see("products/update", _product(title="Tea that cures colds", status="draft")) == []
    )


def test_an_ordinary_product_is_seeded_as_approved_when_first_seen(tables: Tables) -> None:
    assert tables.see("products/create", _product()) == []
    assert tables.current().approved == {
        "title": "Herbal tea",
        "body_html": "<p>A calm evening blend.</p>",
        "variant:1:price": "10",
        "variant:1:compare_at_price": None,
    }


def test_a_price_change_above_the_threshold_is_restored_and_applied_on_approval(
    tables: Tables, policy: Policy
) -> None:
    tables.see("products/create", _product())
    [case] = tables.see("products/update", _product(variants=[{"id": 1, "price": "14.00"}]))
    assert [r.code for r in case.reasons] == ["PRICE_CHANGED"]
    values = _vars(case)
    assert values["contentHold"] == "restore"
    assert json.loads(values["approvedContent"]) == {"variant:1:price": "10"}
    assert json.loads(values["proposedContent"]) == {"variant:1:price": "14"}
    # The restore's own products/update (the approved price again): nothing new.
    assert tables.see("products/update", _product()) == []
    assert tables.current().pending_case == case.case_id
    # Approval: written with the approval tag; the change becomes the approved content.
    marker = approval_tag(policy, case.case_id)
    approved = _product(variants=[{"id": 1, "price": "14.00"}], tags=f"organic, {marker}")
    assert tables.see("products/update", approved) == []
    state = tables.current()
    assert state.pending_case is None
    assert state.approved is not None and state.approved["variant:1:price"] == "14"
    # A small later change is below the threshold against the new approved price.
    assert tables.see("products/update", _product(variants=[{"id": 1, "price": "15.00"}])) == []


def test_small_changes_need_no_review_and_become_the_base(tables: Tables) -> None:
    tables.see("products/create", _product())
    assert tables.see("products/update", _product(variants=[{"id": 1, "price": "10.50"}])) == []
    assert tables.see("products/update", _product(title="Herbal tea blend")) == []
    assert tables.current().approved is not None
    assert tables.current().approved["title"] == "Herbal tea blend"  # type: ignore[index]


def test_a_long_description_rewrite_is_a_text_change(tables: Tables) -> None:
    tables.see("products/create", _product())
    body = "<p>" + "An entirely new story about where this tea comes from and why. " * 3 + "</p>"
    [case] = tables.see("products/update", _product(body_html=body))
    assert [r.code for r in case.reasons] == ["TEXT_CHANGED"]
    assert _vars(case)["contentHold"] == "restore"


def test_a_regulated_product_change_is_drafted(tables: Tables) -> None:
    tables.see("products/create", _product(product_type="Supplements", title="Vitamin C"))
    # First sight of a regulated product opens a review (held as a new product).
    [case] = tables.see("products/update", _product(product_type="Supplements", title="Vit C"))
    assert _vars(case)["contentHold"] == "draft"


def test_a_second_edit_while_under_review_updates_the_proposal(tables: Tables) -> None:
    tables.see("products/create", _product())
    [first] = tables.see("products/update", _product(title="Tea that cures colds"))
    tables.see("products/update", _product())  # casebridge restored the title
    [second] = tables.see(
        "products/update", _product(title="Herbal tea", variants=[{"id": 1, "price": "20"}])
    )
    assert second.case_id == first.case_id  # the same open case, updated
    proposed = json.loads(_vars(second)["proposedContent"])
    assert proposed == {"title": "Tea that cures colds", "variant:1:price": "20"}


def test_after_a_rejection_the_same_change_is_reviewed_again(tables: Tables) -> None:
    tables.see("products/create", _product())
    [case] = tables.see("products/update", _product(title="Tea that cures colds"))
    tables.see("products/update", _product())  # restored
    tables.ended.add(case.case_id)  # rejected: the approved content stays
    [again] = tables.see("products/update", _product(title="Tea that cures colds"))
    assert [r.code for r in again.reasons] == ["CLAIM_US", "CLAIM_UK"]


def test_claims_already_approved_do_not_reopen(tables: Tables, policy: Policy) -> None:
    tables.see("products/create", _product())
    [case] = tables.see("products/update", _product(title="Tea that cures colds"))
    marker = approval_tag(policy, case.case_id)
    tables.see("products/update", _product(title="Tea that cures colds", tags=marker))
    assert tables.see("products/update", _product(title="Tea that cures colds!")) == []


def test_without_hold_changes_the_review_follows_publication(policy: Policy) -> None:
    content = policy.content.model_copy(update={"hold_changes": False})
    tables = Tables(policy.model_copy(update={"content": content}))
    [case] = tables.see("products/create", _product(title="Tea that cures colds"))
    assert "contentHold" not in _vars(case)
    assert tables.current().approved is not None


def test_merge_keeps_fields_put_back_at_their_approved_value() -> None:
    base = {"title": "A", "price": "1"}
    pending = {"title": "B", "price": "1"}
    assert merge_proposal(base, pending, {"title": "A", "price": "1"}) == pending
    assert merge_proposal(base, pending, {"title": "A", "price": "2"}) == {
        "title": "B",
        "price": "2",
    }
    assert changed_characters("hello world", "hello there world") == 6


def test_bad_hold_modes_and_thresholds_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"hold\.claims"):
        ContentPolicy.model_validate({"hold": {"claims": "hide"}})
    with pytest.raises(ValidationError, match=r"price_change\.min_percent"):
        ContentPolicy.model_validate({"price_change": {"min_percent": "-5"}})
    with pytest.raises(ValidationError, match=r"text_change\.min_changed_chars"):
        ContentPolicy.model_validate({"text_change": {"min_changed_chars": 0}})
    with pytest.raises(ValidationError, match="theme_files"):
        ContentPolicy.model_validate({"theme_files": [" "]})


def test_a_price_that_is_not_a_decimal_is_a_classification_error(policy: Policy) -> None:
    from streams.classify.rules import ClassificationError

    bad = _product(variants=[{"id": 1, "price": "ten"}])
    with pytest.raises(ClassificationError, match=r"variants\[\]\.price"):
        classify_event(make_event("products/update", bad), policy, ClassifyContext(), NOW)
