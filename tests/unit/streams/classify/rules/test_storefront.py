"""UC6 for themes and shop policies: claims in theme files and changed legal text."""

from __future__ import annotations

import json

from streams.classify.rules import ClassifyContext, classify_event
from streams.classify.rules.storefront import StorefrontText, storefront_fingerprint
from streams.policy import Policy

from .conftest import NOW, make_event

THEME = {"id": 828155753, "name": "Dawn", "role": "main"}
BANNER = ("sections/header.json", json.dumps({"text": "Our tea cures everything!"}))


def test_a_theme_update_with_a_claim_opens_a_review_once(policy: Policy) -> None:
    event = make_event("themes/update", THEME)
    text = StorefrontText(files=[BANNER])
    context = ClassifyContext(storefront=text)
    [case] = classify_event(event, policy, context, NOW)
    assert [r.code for r in case.reasons] == ["THEME_CLAIM_US", "THEME_CLAIM_UK"]
    assert "sections/header.json: cures" in case.reasons[0].detail
    key, seen = storefront_fingerprint(event, policy, context) or ("", "")
    # Saved again with the same claim: nothing new to review.
    again = ClassifyContext(storefront=text, content_fingerprints={key: seen})
    assert classify_event(event, policy, again, NOW) == []


def test_a_theme_update_without_claims_or_of_an_unpublished_theme_opens_nothing(
    policy: Policy,
) -> None:
    plain = ClassifyContext(storefront=StorefrontText(files=[("templates/index.json", "{}")]))
    assert classify_event(make_event("themes/update", THEME), policy, plain, NOW) == []
    draft_theme = {**THEME, "role": "unpublished"}
    claims = ClassifyContext(storefront=StorefrontText(files=[BANNER]))
    assert classify_event(make_event("themes/update", draft_theme), policy, claims, NOW) == []


def test_a_publish_is_reviewed_with_its_claims_and_unreadable_text_is_said(policy: Policy) -> None:
    context = ClassifyContext(storefront=StorefrontText(files=[BANNER]))
    [case] = classify_event(make_event("themes/publish", THEME), policy, context, NOW)
    assert case.reasons[0].code == "THEME_CHANGED"
    unreadable = ClassifyContext(storefront=StorefrontText(error="ShopifyUnavailableError: 503"))
    [case] = classify_event(make_event("themes/update", THEME), policy, unreadable, NOW)
    assert [r.code for r in case.reasons] == ["TEXT_UNREADABLE"]


def test_a_changed_shop_policy_opens_a_legal_review(policy: Policy) -> None:
    event = make_event("shop/update", {"id": 548380009, "name": "Example"})
    before = StorefrontText(policies=[("REFUND_POLICY", "Refunds", "30 days.")])
    first = ClassifyContext(storefront=before)
    assert classify_event(event, policy, first, NOW) == []  # first sight: recorded only
    key, seen = storefront_fingerprint(event, policy, first) or ("", "")
    after = StorefrontText(policies=[("REFUND_POLICY", "Refunds", "Our detox tea: 60 days.")])
    [case] = classify_event(
        event, policy, ClassifyContext(storefront=after, content_fingerprints={key: seen}), NOW
    )
    assert [r.code for r in case.reasons] == ["LEGAL_TEXT_CHANGED", "CLAIM_EU"]
    assert case.teams == ["legal"]
    unchanged = ClassifyContext(storefront=before, content_fingerprints={key: seen})
    assert classify_event(event, policy, unchanged, NOW) == []
