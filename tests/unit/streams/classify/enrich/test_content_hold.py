"""The content hold: restore the approved content or draft the product, once, never raising."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.shopify.errors import ShopifyUnavailableError
from schemas.records import CaseRequest, CaseType, CaseVariable, SubjectType
from streams.classify.enrich.content_hold import ContentHolder
from tests.unit.streams.writer.fakes import FakeShopify

PRODUCT = "gid://shopify/Product/7"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def content_case(**variables: str) -> CaseRequest:
    return CaseRequest(
        case_id="CONTENT_REVIEW-1",
        case_type=CaseType.CONTENT_REVIEW,
        shop="s.myshopify.com",
        subject_type=SubjectType.PRODUCT,
        subject_id="7",
        teams=["legal"],
        requested_at=NOW,
        sla_due_at=NOW + timedelta(days=3),
        variables=[
            CaseVariable(name=k, value=v) for k, v in {"productId": "7", **variables}.items()
        ],
    )


def product(**fields: Any) -> dict[str, Any]:
    base = {
        "id": PRODUCT,
        "title": "Tea that cures colds",
        "descriptionHtml": "",
        "productType": "Tea",
        "vendor": "Leaf",
        "status": "ACTIVE",
        "tags": [],
        "variants": {"nodes": []},
    }
    return {"product": {**base, **fields}}


UPDATED = {"productUpdate": {"product": {"id": PRODUCT, "status": "DRAFT"}, "userErrors": []}}


def result(added: Any) -> dict[str, str]:
    return {item.name: item.value for item in added.items}


async def test_restore_puts_the_approved_title_back_and_a_second_run_writes_nothing() -> None:
    request = content_case(contentHold="restore", approvedContent=json.dumps({"title": "Tea"}))
    fake = FakeShopify().script("CasebridgeProductContent", product(), product(title="Tea"))
    fake.script("CasebridgeProductUpdate", UPDATED)
    assert result(await ContentHolder(fake).hold(request)) == {"contentHeld": "restored"}
    assert fake.called("CasebridgeProductUpdate")[0]["product"] == {"id": PRODUCT, "title": "Tea"}
    assert result(await ContentHolder(fake).hold(request)) == {"contentHeld": "already"}
    assert len(fake.called("CasebridgeProductUpdate")) == 1


async def test_draft_sets_draft_and_a_failure_is_a_hold_error_not_an_exception() -> None:
    fake = FakeShopify().script("CasebridgeProductContent", product())
    fake.script("CasebridgeProductUpdate", UPDATED)
    assert result(await ContentHolder(fake).hold(content_case(contentHold="draft"))) == {
        "contentHeld": "drafted"
    }
    assert fake.called("CasebridgeProductUpdate")[0]["product"]["status"] == "DRAFT"
    down = FakeShopify().script(
        "CasebridgeProductContent", ShopifyUnavailableError("503", attempts=3)
    )
    error = result(await ContentHolder(down).hold(content_case(contentHold="draft")))
    assert error["holdError"].startswith("content hold: ShopifyUnavailableError")
    bad = content_case(contentHold="restore", approvedContent="[1]")
    assert "holdError" in result(await ContentHolder(FakeShopify()).hold(bad))
    assert result(await ContentHolder(FakeShopify()).hold(content_case(contentHold="none"))) == {}
