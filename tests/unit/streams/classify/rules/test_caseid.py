"""Case ids and their generations."""

from __future__ import annotations

import pytest

from schemas.records import CaseType, SubjectType
from streams.classify.rules.caseid import case_id, generation_id, renews


def test_the_first_generation_keeps_the_base_id_later_ones_are_suffixed() -> None:
    base = case_id(
        "Shop.myshopify.com", CaseType.CONTENT_REVIEW, SubjectType.PRODUCT, "7", "content"
    )
    assert base == case_id(
        "shop.myshopify.com", CaseType.CONTENT_REVIEW, SubjectType.PRODUCT, "7", "content"
    )
    assert generation_id(base, 1) == base
    assert generation_id(base, 2) == f"{base}-g2"
    assert generation_id(base, 12) == f"{base}-g12"
    with pytest.raises(ValueError, match="at least 1"):
        generation_id(base, 0)


def test_reviews_renew_only_on_a_reason_the_ended_case_did_not_cover() -> None:
    covered = ["UNUSUAL_VALUE_ABSOLUTE"]
    assert not renews(CaseType.ORDER_REVIEW, covered, ["UNUSUAL_VALUE_ABSOLUTE"])
    assert renews(CaseType.ORDER_REVIEW, covered, ["UNUSUAL_VALUE_ABSOLUTE", "RISK_HIGH"])
    assert not renews(CaseType.CHARGEBACK, ["CHARGEBACK_FRAUDULENT"], ["CHARGEBACK_FRAUDULENT"])


def test_event_scoped_types_renew_on_every_new_event() -> None:
    assert renews(CaseType.FULFILLMENT_EXCEPTION, ["OUT_OF_STOCK"], ["OUT_OF_STOCK"])
    assert renews(CaseType.CONTENT_REVIEW, ["REGULATED_PRODUCT"], ["REGULATED_PRODUCT"])
