"""ActionExecutor with a scripted GraphQL executor: skip paths, apply paths, failures."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from connectors.shopify.errors import (
    ShopifyAuthError,
    ShopifyGraphQLError,
    ShopifyThrottledError,
    ShopifyUnavailableError,
)
from schemas.records import ActionKind, WritebackResult, WritebackStatus
from streams.runtime.keys import hold_handle
from streams.settings import Retry, WriterSettings
from streams.writer import (
    HANDLERS,
    ActionExecutor,
    WriterAuthError,
    WriterUnavailableError,
    refund_marker,
)
from tests.unit.streams.writer.fakes import (
    CostedShopify,
    FakeShopify,
    action,
    decision,
    user_errors,
)

APPLIED = WritebackStatus.APPLIED
ALREADY = WritebackStatus.ALREADY_APPLIED
FAILED = WritebackStatus.FAILED
ORDER = "gid://shopify/Order/1"
FO = "gid://shopify/FulfillmentOrder/10"
HANDLE = hold_handle("case-1")

sleeps: list[float] = []


async def no_sleep(seconds: float) -> None:
    sleeps.append(seconds)


def executor(fake: FakeShopify, **config: Any) -> ActionExecutor:
    settings = {
        "retry": Retry(initial_s=0.01, attempts=3),
        "job_poll_interval_s": 0.1,
        "job_timeout_s": 0.3,
        **config,
    }
    return ActionExecutor(fake, config=WriterSettings(**settings), sleep=no_sleep)


async def run(fake: FakeShopify, kind: ActionKind, target: str, **params: Any) -> WritebackResult:
    act = action(kind, target, **params)
    return await executor(fake).apply(decision(act), 0, act)


def order_state(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": ORDER,
        "cancelledAt": None,
        "email": "ada@example.com",
        "note": "",
        "tags": [],
        "shippingAddress": None,
        "lineItems": {"nodes": []},
    }
    return {"order": {**base, **fields}}


def test_every_action_kind_has_a_handler() -> None:
    assert set(HANDLERS) == set(ActionKind)


# -- RELEASE_HOLD ---------------------------------------------------------------------


def fo_state(*holds: dict[str, str], status: str = "ON_HOLD") -> dict[str, Any]:
    return {
        "fulfillmentOrder": {
            "id": FO,
            "status": status,
            "fulfillAt": None,
            "fulfillmentHolds": list(holds),
            "lineItems": {"nodes": []},
        }
    }


async def test_release_hold_skips_when_no_hold_of_ours() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterFulfillmentOrderHolds", fo_state({"id": "h9", "handle": "other-app"})
    )
    result = await run(
        fake, ActionKind.RELEASE_HOLD, FO, orderId=ORDER, fulfillmentOrderId=FO, handle=HANDLE
    )
    assert result.status is ALREADY
    assert "CasebridgeFulfillmentOrderReleaseHold" not in fake.names


async def test_release_hold_releases_only_our_holds() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterFulfillmentOrderHolds",
        fo_state({"id": "h1", "handle": HANDLE}, {"id": "h2", "handle": "merchant"}),
    )
    fake.script(
        "CasebridgeFulfillmentOrderReleaseHold",
        {"fulfillmentOrderReleaseHold": {"fulfillmentOrder": {"id": FO}, "userErrors": []}},
    )
    result = await run(
        fake, ActionKind.RELEASE_HOLD, FO, orderId=ORDER, fulfillmentOrderId=FO, handle=HANDLE
    )
    assert result.status is APPLIED and result.result_id == FO
    assert fake.called("CasebridgeFulfillmentOrderReleaseHold") == [{"id": FO, "holdIds": ["h1"]}]
    assert result.mutation == "fulfillmentOrderReleaseHold" and result.attempts == 1


RELEASED = {"fulfillmentOrderReleaseHold": {"fulfillmentOrder": {"id": FO}, "userErrors": []}}


async def test_release_hold_with_recorded_ids_writes_without_reading_first() -> None:
    fake = FakeShopify().script("CasebridgeFulfillmentOrderReleaseHold", RELEASED)
    result = await run(
        fake,
        ActionKind.RELEASE_HOLD,
        FO,
        orderId=ORDER,
        fulfillmentOrderId=FO,
        handle=HANDLE,
        holdIds=["h1"],
    )
    assert result.status is APPLIED
    assert fake.names == ["CasebridgeFulfillmentOrderReleaseHold"]


async def test_a_replayed_release_with_recorded_ids_is_already_applied() -> None:
    gone = {
        "fulfillmentOrderReleaseHold": {
            "fulfillmentOrder": None,
            "userErrors": [
                {"field": ["holdIds", "0"], "message": "hold not found", "code": "INVALID_ACCESS"}
            ],
        }
    }
    fake = FakeShopify().script("CasebridgeFulfillmentOrderReleaseHold", gone)
    fake.script("CasebridgeWriterFulfillmentOrderHolds", fo_state(status="OPEN"))
    result = await run(
        fake,
        ActionKind.RELEASE_HOLD,
        FO,
        orderId=ORDER,
        fulfillmentOrderId=FO,
        handle=HANDLE,
        holdIds=["h1"],
    )
    assert result.status is ALREADY
    assert fake.names == [
        "CasebridgeFulfillmentOrderReleaseHold",
        "CasebridgeWriterFulfillmentOrderHolds",
    ]


async def test_release_hold_on_all_fulfillment_orders_finds_our_handle() -> None:
    nodes = [
        {"id": "fo-a", "fulfillmentHolds": []},
        {"id": "fo-b", "fulfillmentHolds": [{"id": "h3", "handle": HANDLE}]},
    ]
    fake = FakeShopify().script(
        "CasebridgeFulfillmentOrders",
        {"order": {"id": ORDER, "fulfillmentOrders": {"nodes": nodes}}},
    )
    fake.script("CasebridgeFulfillmentOrderReleaseHold", {"fulfillmentOrderReleaseHold": {}})
    result = await run(
        fake,
        ActionKind.RELEASE_HOLD,
        ORDER,
        orderId=ORDER,
        handle=HANDLE,
        allFulfillmentOrders=True,
    )
    assert result.status is APPLIED and result.result_id == "fo-b"
    assert fake.called("CasebridgeFulfillmentOrderReleaseHold") == [
        {"id": "fo-b", "holdIds": ["h3"]}
    ]


# -- CANCEL_ORDER ---------------------------------------------------------------------

CANCEL = {
    "orderId": ORDER,
    "reason": "FRAUD",
    "refund": True,
    "restock": True,
    "notifyCustomer": False,
    "staffNote": "casebridge: rejected",
}


async def test_cancel_skips_a_cancelled_order() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterOrderHead", order_state(cancelledAt="2026-11-26T00:00:00Z")
    )
    result = await run(fake, ActionKind.CANCEL_ORDER, ORDER, **CANCEL)
    assert result.status is ALREADY
    assert fake.names == ["CasebridgeWriterOrderHead"]


async def test_reads_are_paged_to_fit_a_small_cost_bucket() -> None:
    # A 100-point bucket never admits a 100-line read (about 2 points a line).
    fake = FakeShopify().script("CasebridgeWriterOrderState", order_state())
    fake.script("CasebridgeWriterFulfillmentOrder", fo_lines(("l1", 2)))
    fake.bucket = SimpleNamespace(maximum_available=100.0)  # type: ignore[attr-defined]
    await run(fake, ActionKind.EDIT_ORDER, ORDER, **EDIT)
    await run(fake, ActionKind.SPLIT_FULFILLMENT, FO, **SPLIT)
    (order_read,) = fake.called("CasebridgeWriterOrderState")
    (fo_read,) = fake.called("CasebridgeWriterFulfillmentOrder")
    assert order_read["linesFirst"] == 45  # (100 - 10) // 2
    assert fo_read["linesFirst"] == 90  # (100 - 10) // 1


async def test_only_edits_and_splits_read_line_items() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterOrderHead", order_state(cancelledAt="2026-11-26T00:00:00Z")
    )
    await run(fake, ActionKind.CANCEL_ORDER, ORDER, **CANCEL)
    assert fake.names == ["CasebridgeWriterOrderHead"]  # 2 points, not ~200 for 100 lines


async def test_cancel_waits_for_the_job_and_confirms() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterOrderHead",
        order_state(),
        order_state(cancelledAt="2026-11-26T00:00:00Z"),
    )
    fake.script(
        "CasebridgeOrderCancel",
        {"orderCancel": {"job": {"id": "gid://shopify/Job/7", "done": False}}},
    )
    fake.script(
        "CasebridgeWriterJob",
        {"job": {"id": "gid://shopify/Job/7", "done": False}},
        {"job": {"id": "gid://shopify/Job/7", "done": True}},
    )
    result = await run(fake, ActionKind.CANCEL_ORDER, ORDER, **CANCEL)
    assert result.status is APPLIED and result.result_id == "gid://shopify/Job/7"
    [sent] = fake.called("CasebridgeOrderCancel")
    assert sent["reason"] == "FRAUD" and sent["restock"] is True
    assert sent["refundMethod"] == {"originalPaymentMethodsRefund": True}
    assert sent["staffNote"] == "casebridge: rejected"
    assert len(fake.called("CasebridgeWriterJob")) == 2


async def test_cancel_job_never_done_is_unavailable_not_failed() -> None:
    fake = FakeShopify().script("CasebridgeWriterOrderHead", order_state())
    fake.script("CasebridgeOrderCancel", {"orderCancel": {"job": {"id": "j", "done": False}}})
    fake.script("CasebridgeWriterJob", {"job": {"id": "j", "done": False}})
    with pytest.raises(WriterUnavailableError, match="not done"):
        await run(fake, ActionKind.CANCEL_ORDER, ORDER, **CANCEL)


async def test_cancel_with_unknown_reason_fails_without_calling_shopify() -> None:
    fake = FakeShopify()
    result = await run(fake, ActionKind.CANCEL_ORDER, ORDER, **{**CANCEL, "reason": "BORED"})
    assert result.status is FAILED and result.error_code == "INVALID_PARAMS"
    assert fake.calls == []


async def test_cancel_of_missing_order_is_not_found() -> None:
    fake = FakeShopify().script("CasebridgeWriterOrderHead", {"order": None})
    result = await run(fake, ActionKind.CANCEL_ORDER, ORDER, **CANCEL)
    assert result.status is FAILED and result.error_code == "NOT_FOUND"


# -- UPDATE_ORDER / ADD_NOTE / ADD_TAGS / SET_METAFIELD --------------------------------------------

ADDRESS = {"address1": "1 Main St", "city": "Austin", "countryCode": "US", "zip": "73301"}
CURRENT_ADDRESS = {"address1": "1 Main St", "city": "Austin", "countryCodeV2": "US", "zip": "73301"}


async def test_update_order_skips_when_note_and_address_match() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterOrderHead", order_state(note="fixed", shippingAddress=CURRENT_ADDRESS)
    )
    result = await run(
        fake, ActionKind.UPDATE_ORDER, ORDER, id=ORDER, note="fixed", shippingAddress=ADDRESS
    )
    assert result.status is ALREADY and "CasebridgeOrderUpdate" not in fake.names


async def test_update_order_sends_only_what_differs() -> None:
    fake = FakeShopify().script("CasebridgeWriterOrderHead", order_state(note="fixed"))
    fake.script("CasebridgeOrderUpdate", {"orderUpdate": {"order": {"id": ORDER}}})
    result = await run(
        fake, ActionKind.UPDATE_ORDER, ORDER, id=ORDER, note="fixed", shippingAddress=ADDRESS
    )
    assert result.status is APPLIED
    assert fake.called("CasebridgeOrderUpdate") == [
        {"input": {"id": ORDER, "shippingAddress": ADDRESS}}
    ]


async def test_update_order_refuses_to_overwrite_tags() -> None:
    result = await run(FakeShopify(), ActionKind.UPDATE_ORDER, ORDER, id=ORDER, tags=["x"])
    assert result.status is FAILED and result.error_code == "INVALID_PARAMS"


async def test_add_note_skips_a_line_already_there() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterOrderHead", order_state(note="gift wrap\ncasebridge case-1: won")
    )
    result = await run(fake, ActionKind.ADD_NOTE, ORDER, note="casebridge case-1: won")
    assert result.status is ALREADY


async def test_add_note_appends_to_the_current_note() -> None:
    fake = FakeShopify().script("CasebridgeWriterOrderHead", order_state(note="gift wrap"))
    fake.script("CasebridgeOrderUpdate", {"orderUpdate": {"order": {"id": ORDER}}})
    result = await run(fake, ActionKind.ADD_NOTE, ORDER, note="casebridge case-1: won")
    assert result.status is APPLIED
    [sent] = fake.called("CasebridgeOrderUpdate")
    assert sent["input"]["note"] == "gift wrap\ncasebridge case-1: won"


async def test_add_tags_skips_when_all_present_case_insensitively() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterNodeTags", {"node": {"id": ORDER, "tags": ["VIP"]}}
    )
    result = await run(fake, ActionKind.ADD_TAGS, ORDER, tags=["vip"])
    assert result.status is ALREADY


async def test_add_tags_sends_only_the_missing_ones() -> None:
    fake = FakeShopify().script("CasebridgeWriterNodeTags", {"node": {"id": ORDER, "tags": ["a"]}})
    fake.script("CasebridgeTagsAdd", {"tagsAdd": {"node": {"id": ORDER}, "userErrors": []}})
    result = await run(fake, ActionKind.ADD_TAGS, ORDER, tags=["a", "b"])
    assert result.status is APPLIED and result.mutation == "tagsAdd"
    assert fake.called("CasebridgeTagsAdd") == [{"id": ORDER, "tags": ["b"]}]


METAFIELD = {
    "ownerId": ORDER,
    "namespace": "casebridge",
    "key": "dispute_5",
    "type": "json",
    "value": '{"outcome":"won","team":"finance"}',
}


async def test_set_metafield_skips_an_equal_json_value() -> None:
    current = {"id": "m1", "type": "json", "value": '{"team": "finance", "outcome": "won"}'}
    fake = FakeShopify().script(
        "CasebridgeWriterNodeMetafield", {"node": {"id": ORDER, "metafield": current}}
    )
    result = await run(fake, ActionKind.SET_METAFIELD, ORDER, **METAFIELD)
    assert result.status is ALREADY and result.result_id == "m1"


async def test_set_metafield_compare_and_set_retries_a_stale_digest() -> None:
    current = {"id": "m1", "type": "json", "value": "{}", "compareDigest": "d1"}
    fake = FakeShopify().script(
        "CasebridgeWriterNodeMetafield", {"node": {"id": ORDER, "metafield": current}}
    )
    stale = {
        "field": ["metafields", "0"],
        "message": "updated since loaded",
        "code": "STALE_OBJECT",
    }
    fake.script(
        "CasebridgeMetafieldsSet",
        user_errors("metafieldsSet", stale),
        {"metafieldsSet": {"metafields": [{"id": "m1"}], "userErrors": []}},
    )
    result = await run(fake, ActionKind.SET_METAFIELD, ORDER, **METAFIELD)
    assert result.status is APPLIED and result.attempts == 2 and result.result_id == "m1"
    sent = fake.called("CasebridgeMetafieldsSet")
    assert [s["metafields"][0]["compareDigest"] for s in sent] == ["d1", "d1"]
    # The state was read again before the second write.
    assert len(fake.called("CasebridgeWriterNodeMetafield")) == 2


async def test_set_metafield_new_value_requires_absence() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterNodeMetafield", {"node": {"id": ORDER, "metafield": None}}
    )
    fake.script("CasebridgeMetafieldsSet", {"metafieldsSet": {"metafields": [{"id": "m2"}]}})
    result = await run(fake, ActionKind.SET_METAFIELD, ORDER, **METAFIELD)
    assert result.status is APPLIED
    [sent] = fake.called("CasebridgeMetafieldsSet")
    assert sent["metafields"][0]["compareDigest"] is None


# -- returns and refunds ---------------------------------------------------------------------

RETURN = "gid://shopify/Return/3"


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        (ActionKind.APPROVE_RETURN, "OPEN", ALREADY),
        (ActionKind.APPROVE_RETURN, "CLOSED", ALREADY),
        (ActionKind.APPROVE_RETURN, "DECLINED", FAILED),
        (ActionKind.DECLINE_RETURN, "DECLINED", ALREADY),
        (ActionKind.DECLINE_RETURN, "OPEN", FAILED),
    ],
)
async def test_return_status_decides_without_mutating(
    kind: ActionKind, status: str, expected: WritebackStatus
) -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterReturn", {"return": {"id": RETURN, "status": status}}
    )
    result = await run(fake, kind, RETURN, id=RETURN)
    assert result.status is expected
    assert fake.names == ["CasebridgeWriterReturn"]
    if expected is FAILED:
        assert result.error_code == "CONFLICTING_STATE"


async def test_approve_requested_return() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterReturn", {"return": {"id": RETURN, "status": "REQUESTED"}}
    )
    fake.script(
        "CasebridgeReturnApproveRequest",
        {"returnApproveRequest": {"return": {"id": RETURN, "status": "OPEN"}}},
    )
    result = await run(fake, ActionKind.APPROVE_RETURN, RETURN, id=RETURN, notifyCustomer=True)
    assert result.status is APPLIED
    assert fake.called("CasebridgeReturnApproveRequest") == [
        {"input": {"id": RETURN, "notifyCustomer": True}}
    ]


async def test_decline_requested_return_with_reason() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterReturn", {"return": {"id": RETURN, "status": "REQUESTED"}}
    )
    fake.script("CasebridgeReturnDeclineRequest", {"returnDeclineRequest": {"return": {}}})
    result = await run(
        fake,
        ActionKind.DECLINE_RETURN,
        RETURN,
        id=RETURN,
        declineReason="FINAL_SALE",
        declineNote="final",
    )
    assert result.status is APPLIED
    [sent] = fake.called("CasebridgeReturnDeclineRequest")
    assert (
        sent["input"]["declineReason"] == "FINAL_SALE" and sent["input"]["declineNote"] == "final"
    )


REFUND: dict[str, Any] = {
    "orderId": ORDER,
    "returnId": RETURN,
    "notify": True,
    "note": "casebridge RETURN_REVIEW case-1",
    "refundLineItems": [
        {"lineItemId": "gid://shopify/LineItem/4", "quantity": 1, "restockType": "NO_RESTOCK"}
    ],
}


async def test_refund_found_by_its_key_marker_is_not_sent_again() -> None:
    act = action(ActionKind.REFUND, ORDER, **REFUND)
    marker = refund_marker(act.idempotency_key)
    fake = FakeShopify().script(
        "CasebridgeRefunds",
        {"order": {"refunds": [{"id": "gid://shopify/Refund/8", "note": f"x {marker}"}]}},
    )
    result = await executor(fake).apply(decision(act), 0, act)
    assert result.status is ALREADY and result.result_id == "gid://shopify/Refund/8"
    assert "CasebridgeRefundCreate" not in fake.names


async def test_refund_uses_the_idempotency_key_and_suggested_transactions() -> None:
    act = action(ActionKind.REFUND, ORDER, **REFUND)
    fake = FakeShopify().script("CasebridgeRefunds", {"order": {"refunds": []}})
    suggestion = {
        "amountSet": {"shopMoney": {"amount": "25.00", "currencyCode": "USD"}},
        "gateway": "shopify_payments",
        "parentTransaction": {"id": "gid://shopify/OrderTransaction/77"},
    }
    fake.script(
        "CasebridgeWriterSuggestedRefund",
        {"order": {"id": ORDER, "suggestedRefund": {"suggestedTransactions": [suggestion]}}},
    )
    fake.script(
        "CasebridgeRefundCreate", {"refundCreate": {"refund": {"id": "gid://shopify/Refund/9"}}}
    )
    result = await executor(fake).apply(decision(act), 0, act)
    assert result.status is APPLIED and result.result_id == "gid://shopify/Refund/9"
    [sent] = fake.called("CasebridgeRefundCreate")
    assert sent["idempotencyKey"] == act.idempotency_key
    assert sent["input"]["note"].endswith(refund_marker(act.idempotency_key))
    assert sent["input"]["refundLineItems"] == REFUND["refundLineItems"]
    assert sent["input"]["transactions"] == [
        {
            "orderId": ORDER,
            "amount": "25.00",
            "gateway": "shopify_payments",
            "kind": "REFUND",
            "parentId": "gid://shopify/OrderTransaction/77",
        }
    ]
    assert fake.called("CasebridgeWriterSuggestedRefund") == [
        {"id": ORDER, "lines": REFUND["refundLineItems"]}
    ]
    assert "@idempotent(key: $idempotencyKey)" in fake.documents[-1]


async def test_refund_without_transactions_when_configured() -> None:
    act = action(ActionKind.REFUND, ORDER, **REFUND)
    fake = FakeShopify().script("CasebridgeRefunds", {"order": {"refunds": []}})
    fake.script("CasebridgeRefundCreate", {"refundCreate": {"refund": {"id": "r"}}})
    result = await executor(fake, refund_transactions="omit").apply(decision(act), 0, act)
    assert result.status is APPLIED
    [sent] = fake.called("CasebridgeRefundCreate")
    assert "transactions" not in sent["input"]
    assert "CasebridgeWriterSuggestedRefund" not in fake.names


async def test_refund_without_idempotency_key_is_refused() -> None:
    act = action(ActionKind.REFUND, ORDER, **REFUND).model_copy(update={"idempotency_key": " "})
    fake = FakeShopify()
    result = await executor(fake).apply(decision(act), 0, act)
    assert result.status is FAILED and result.error_code == "INVALID_PARAMS"
    assert fake.calls == []


# -- fulfillment orders ---------------------------------------------------------------------


def fo_lines(
    *lines: tuple[str, int], fulfill_at: str | None = None, own_splits: str | None = None
) -> dict[str, Any]:
    nodes = [{"id": i, "totalQuantity": q, "remainingQuantity": q} for i, q in lines]
    marker = None if own_splits is None else {"value": own_splits, "compareDigest": "d1"}
    return {
        "fulfillmentOrder": {
            "id": FO,
            "status": "OPEN",
            "fulfillAt": fulfill_at,
            "fulfillmentHolds": [],
            "lineItems": {"nodes": nodes},
            "order": {"id": ORDER, "ownSplits": marker},
        }
    }


SPLIT = {"fulfillmentOrderId": FO, "fulfillmentOrderLineItems": [{"id": "l1", "quantity": 2}]}


async def test_split_skips_when_the_order_already_has_that_shape() -> None:
    fake = FakeShopify().script("CasebridgeWriterFulfillmentOrder", fo_lines(("l1", 2)))
    result = await run(fake, ActionKind.SPLIT_FULFILLMENT, FO, **SPLIT)
    assert result.status is ALREADY


async def test_split_applies_and_reports_the_new_order() -> None:
    fake = FakeShopify().script("CasebridgeWriterFulfillmentOrder", fo_lines(("l1", 2), ("l2", 3)))
    fake.script(
        "CasebridgeFulfillmentOrderSplit",
        {
            "fulfillmentOrderSplit": {
                "fulfillmentOrderSplits": [
                    {"fulfillmentOrder": {"id": FO}, "remainingFulfillmentOrder": {"id": "fo-new"}}
                ]
            }
        },
    )
    fake.script("CasebridgeMetafieldsSet", {"metafieldsSet": {"metafields": [{"id": "m1"}]}})
    result = await run(fake, ActionKind.SPLIT_FULFILLMENT, FO, **SPLIT)
    assert result.status is APPLIED and result.result_id == "fo-new"
    # Marked on the order before the split: its webhook must find the marker.
    assert fake.names[1:] == ["CasebridgeMetafieldsSet", "CasebridgeFulfillmentOrderSplit"]
    (marked,) = fake.called("CasebridgeMetafieldsSet")[0]["metafields"]
    assert marked["ownerId"] == ORDER and marked["compareDigest"] is None
    assert (marked["namespace"], marked["key"], marked["type"]) == (
        "casebridge",
        "own_splits",
        "json",
    )
    assert json.loads(marked["value"]) == [
        {"fulfillmentOrderId": "10", "moved": 3, "case": "case-1"}
    ]


def split_answer() -> dict[str, Any]:
    return {
        "fulfillmentOrderSplit": {
            "fulfillmentOrderSplits": [
                {"fulfillmentOrder": {"id": FO}, "remainingFulfillmentOrder": {"id": "fo-new"}}
            ]
        }
    }


async def test_split_keeps_the_markers_of_earlier_splits_and_sets_them_compare_and_set() -> None:
    earlier = '[{"fulfillmentOrderId":"7","moved":1,"case":"case-0"}]'
    fake = FakeShopify().script(
        "CasebridgeWriterFulfillmentOrder", fo_lines(("l1", 2), ("l2", 3), own_splits=earlier)
    )
    fake.script("CasebridgeMetafieldsSet", {"metafieldsSet": {"metafields": [{"id": "m1"}]}})
    fake.script("CasebridgeFulfillmentOrderSplit", split_answer())
    result = await run(fake, ActionKind.SPLIT_FULFILLMENT, FO, **SPLIT)
    assert result.status is APPLIED
    (marked,) = fake.called("CasebridgeMetafieldsSet")[0]["metafields"]
    assert marked["compareDigest"] == "d1"
    assert [m["case"] for m in json.loads(marked["value"])] == ["case-0", "case-1"]


async def test_a_retried_split_marks_once() -> None:
    # The marker was written, then the split's call failed: the retry splits only.
    ours = '[{"fulfillmentOrderId":"10","moved":3,"case":"case-1"}]'
    fake = FakeShopify().script(
        "CasebridgeWriterFulfillmentOrder", fo_lines(("l1", 2), ("l2", 3), own_splits=ours)
    )
    fake.script("CasebridgeFulfillmentOrderSplit", split_answer())
    result = await run(fake, ActionKind.SPLIT_FULFILLMENT, FO, **SPLIT)
    assert result.status is APPLIED
    assert "CasebridgeMetafieldsSet" not in fake.names


async def test_a_marker_value_someone_else_wrote_is_started_again() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterFulfillmentOrder", fo_lines(("l1", 2), ("l2", 3), own_splits="not json")
    )
    fake.script("CasebridgeMetafieldsSet", {"metafieldsSet": {"metafields": [{"id": "m1"}]}})
    fake.script("CasebridgeFulfillmentOrderSplit", split_answer())
    result = await run(fake, ActionKind.SPLIT_FULFILLMENT, FO, **SPLIT)
    assert result.status is APPLIED
    (marked,) = fake.called("CasebridgeMetafieldsSet")[0]["metafields"]
    assert [m["case"] for m in json.loads(marked["value"])] == ["case-1"]


async def test_a_split_of_lines_the_fulfillment_order_does_not_hold_says_which() -> None:
    # e.g. a case whose lines were read from another fulfillment order of the order
    fake = FakeShopify().script("CasebridgeWriterFulfillmentOrder", fo_lines(("l9", 5)))
    result = await run(fake, ActionKind.SPLIT_FULFILLMENT, FO, **SPLIT)
    assert result.status is FAILED and result.error_code == "LINES_NOT_ON_FULFILLMENT_ORDER"
    assert "has no unfulfilled line l1" in (result.error_message or "")
    assert fake.names == ["CasebridgeWriterFulfillmentOrder"]  # nothing written


async def test_split_of_a_fulfillment_order_cancelled_meanwhile_says_so() -> None:
    cancelled = fo_lines(("l1", 0), ("l2", 0))
    cancelled["fulfillmentOrder"]["status"] = "CANCELLED"
    fake = FakeShopify().script("CasebridgeWriterFulfillmentOrder", cancelled)
    result = await run(fake, ActionKind.SPLIT_FULFILLMENT, FO, **SPLIT)
    assert result.status is FAILED and result.error_code == "FULFILLMENT_ORDER_DONE"
    assert "is CANCELLED: nothing to split" in (result.error_message or "")


async def test_reschedule_skips_the_same_instant_in_another_notation() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterFulfillmentOrderHolds", fo_lines(fulfill_at="2030-01-15T09:00:00+00:00")
    )
    result = await run(
        fake, ActionKind.RESCHEDULE_FULFILLMENT, FO, id=FO, fulfillAt="2030-01-15T09:00:00Z"
    )
    assert result.status is ALREADY


async def test_reschedule_applies() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterFulfillmentOrderHolds", fo_lines(fulfill_at="2030-01-01T00:00:00Z")
    )
    fake.script("CasebridgeFulfillmentOrderReschedule", {"fulfillmentOrderReschedule": {}})
    result = await run(
        fake, ActionKind.RESCHEDULE_FULFILLMENT, FO, id=FO, fulfillAt="2030-01-15T09:00:00Z"
    )
    assert result.status is APPLIED
    assert fake.called("CasebridgeFulfillmentOrderReschedule") == [
        {"id": FO, "fulfillAt": "2030-01-15T09:00:00Z"}
    ]


# -- EDIT_ORDER ---------------------------------------------------------------------

OLD_LINE = "gid://shopify/LineItem/21"
NEW_VARIANT = "gid://shopify/ProductVariant/31"
EDIT = {
    "orderId": ORDER,
    "operations": [
        {"op": "setQuantity", "lineItemId": OLD_LINE, "quantity": 0, "restock": True},
        {"op": "addVariant", "variantId": NEW_VARIANT, "quantity": None},
    ],
    "notifyCustomer": True,
    "staffNote": "substitute",
}


def line(line_id: str, current: int, variant: str, ordered: int = 3) -> dict[str, Any]:
    return {
        "id": line_id,
        "quantity": ordered,
        "currentQuantity": current,
        "variant": {"id": variant},
    }


async def test_edit_skips_when_removed_and_substitute_present() -> None:
    lines = [line(OLD_LINE, 0, "gid://shopify/ProductVariant/30"), line("li-2", 3, NEW_VARIANT)]
    fake = FakeShopify().script(
        "CasebridgeWriterOrderState", order_state(lineItems={"nodes": lines})
    )
    result = await run(fake, ActionKind.EDIT_ORDER, ORDER, **EDIT)
    assert result.status is ALREADY and fake.names == ["CasebridgeWriterOrderState"]


async def test_edit_substitutes_keeping_the_removed_quantity() -> None:
    lines = [line(OLD_LINE, 3, "gid://shopify/ProductVariant/30")]
    fake = FakeShopify().script(
        "CasebridgeWriterOrderState", order_state(lineItems={"nodes": lines})
    )
    fake.script("CasebridgeOrderEditBegin", {"orderEditBegin": {"calculatedOrder": {"id": "co-1"}}})
    fake.script("CasebridgeOrderEditSetQuantity", {"orderEditSetQuantity": {}})
    fake.script("CasebridgeOrderEditAddVariant", {"orderEditAddVariant": {}})
    fake.script("CasebridgeOrderEditCommit", {"orderEditCommit": {"order": {"id": ORDER}}})
    result = await run(fake, ActionKind.EDIT_ORDER, ORDER, **EDIT)
    assert result.status is APPLIED and result.mutation == "orderEditCommit"
    assert fake.called("CasebridgeOrderEditSetQuantity") == [
        {
            "id": "co-1",
            "lineItemId": "gid://shopify/CalculatedLineItem/21",
            "quantity": 0,
            "restock": True,
        }
    ]
    [added] = fake.called("CasebridgeOrderEditAddVariant")
    assert added["variantId"] == NEW_VARIANT and added["quantity"] == 3
    [commit] = fake.called("CasebridgeOrderEditCommit")
    assert commit == {"id": "co-1", "notifyCustomer": True, "staffNote": "substitute"}


async def test_edit_of_an_unknown_line_is_not_found() -> None:
    fake = FakeShopify().script("CasebridgeWriterOrderState", order_state())
    result = await run(fake, ActionKind.EDIT_ORDER, ORDER, **EDIT)
    assert result.status is FAILED and result.error_code == "NOT_FOUND"


async def test_an_edit_of_an_order_cancelled_meanwhile_is_superseded_not_sent() -> None:
    lines = [line(OLD_LINE, 3, "gid://shopify/ProductVariant/30")]
    state = order_state(lineItems={"nodes": lines}, cancelledAt="2026-11-26T00:00:00Z")
    fake = FakeShopify().script("CasebridgeWriterOrderState", state)
    result = await run(fake, ActionKind.EDIT_ORDER, ORDER, **EDIT)
    assert result.status is FAILED and result.error_code == "ORDER_CANCELLED"
    assert "was cancelled at 2026-11-26T00:00:00Z: nothing to edit" in (result.error_message or "")
    assert fake.names == ["CasebridgeWriterOrderState"]  # Shopify would refuse orderEditBegin


# -- disputes, NONE, CREATE_ORDER ------------------------------------------------------------------

DISPUTE = "gid://shopify/ShopifyPaymentsDispute/5"


def dispute_state(**evidence: Any) -> dict[str, Any]:
    return {
        "dispute": {
            "id": DISPUTE,
            "status": "NEEDS_RESPONSE",
            "disputeEvidence": {"id": "gid://shopify/ShopifyPaymentsDisputeEvidence/6", **evidence},
        }
    }


@pytest.mark.parametrize("status", ["WON", "LOST", "ACCEPTED"])
async def test_dispute_evidence_for_an_ended_dispute_is_skipped_with_a_note(status: str) -> None:
    state = dispute_state(uncategorizedText="old")
    state["dispute"]["status"] = status
    fake = FakeShopify().script("CasebridgeWriterDisputeEvidence", state)
    result = await run(
        fake,
        ActionKind.UPDATE_DISPUTE_EVIDENCE,
        DISPUTE,
        disputeId=DISPUTE,
        evidence={"uncategorizedText": "new"},
    )
    # The card network ruled before the team decided: nothing to send, nothing to fix.
    assert result.status is ALREADY
    assert fake.names == ["CasebridgeWriterDisputeEvidence"]


async def test_dispute_evidence_skips_equal_text() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterDisputeEvidence", dispute_state(uncategorizedText="x")
    )
    result = await run(
        fake,
        ActionKind.UPDATE_DISPUTE_EVIDENCE,
        DISPUTE,
        disputeId=DISPUTE,
        evidence={"uncategorizedText": "x"},
    )
    assert result.status is ALREADY


async def test_dispute_evidence_sends_changes_to_the_evidence_id() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterDisputeEvidence", dispute_state(uncategorizedText="x")
    )
    fake.script("CasebridgeDisputeEvidenceUpdate", {"disputeEvidenceUpdate": {}})
    result = await run(
        fake,
        ActionKind.UPDATE_DISPUTE_EVIDENCE,
        DISPUTE,
        disputeId=DISPUTE,
        evidence={"uncategorizedText": "x", "cancellationRebuttal": "shipped"},
    )
    assert result.status is APPLIED
    assert fake.called("CasebridgeDisputeEvidenceUpdate") == [
        {
            "id": "gid://shopify/ShopifyPaymentsDisputeEvidence/6",
            "input": {"cancellationRebuttal": "shipped"},
        }
    ]


@pytest.mark.parametrize("kind", [ActionKind.NONE, ActionKind.CREATE_ORDER])
async def test_kinds_without_effect_write_nothing(kind: ActionKind) -> None:
    fake = FakeShopify()
    result = await run(fake, kind, "case-1", intakeCaseId="case-1")
    assert result.status is ALREADY and fake.calls == []
    if kind is ActionKind.CREATE_ORDER:
        assert result.error_message is not None and "orders.offline" in result.error_message
        assert result.error_code is None


# -- failure classification ---------------------------------------------------------------------

LOCKED = {"field": None, "message": "Order is currently being modified, try again", "code": None}
INVALID = {"field": ["id"], "message": "Tags are invalid", "code": "INVALID"}


def tags_fake(*mutation_answers: Any) -> FakeShopify:
    fake = FakeShopify().script("CasebridgeWriterNodeTags", {"node": {"id": ORDER, "tags": []}})
    return fake.script("CasebridgeTagsAdd", *mutation_answers)


async def test_transient_user_error_is_retried_then_succeeds() -> None:
    sleeps.clear()
    fake = tags_fake(user_errors("tagsAdd", LOCKED), {"tagsAdd": {"userErrors": []}})
    result = await run(fake, ActionKind.ADD_TAGS, ORDER, tags=["x"])
    assert result.status is APPLIED and result.attempts == 2
    assert len(sleeps) == 1


async def test_transient_user_error_exhausted_is_failed() -> None:
    fake = tags_fake(user_errors("tagsAdd", LOCKED))
    result = await run(fake, ActionKind.ADD_TAGS, ORDER, tags=["x"])
    assert result.status is FAILED and result.error_code == "TRANSIENT_EXHAUSTED"
    assert result.attempts == 3


async def test_permanent_user_error_is_failed_after_one_recheck() -> None:
    fake = tags_fake(user_errors("tagsAdd", INVALID))
    result = await run(fake, ActionKind.ADD_TAGS, ORDER, tags=["x"])
    assert result.status is FAILED and result.attempts == 2
    assert len(fake.called("CasebridgeWriterNodeTags")) == 2
    assert result.error_code == "INVALID" and result.mutation == "tagsAdd"
    assert result.error_message is not None and "Tags are invalid" in result.error_message
    assert result.writeback_id.startswith("wb-cb-add-tags-0-")


@pytest.mark.parametrize(
    "error", [ShopifyUnavailableError("503", attempts=8), ShopifyThrottledError("t", attempts=20)]
)
async def test_unavailable_shopify_raises_for_the_agent_to_retry(error: Exception) -> None:
    fake = tags_fake(error)
    with pytest.raises(WriterUnavailableError) as caught:
        await run(fake, ActionKind.ADD_TAGS, ORDER, tags=["x"])
    assert caught.value.transient and caught.value.__cause__ is error
    assert len(fake.called("CasebridgeTagsAdd")) == 3  # unavailable_retry's attempts


async def test_permanent_refusal_echoing_our_own_write_is_already_applied() -> None:
    # The client re-sent orderCancel after a lost answer: Shopify says "already
    # cancelled". The re-read shows the order cancelled: nothing failed.
    fake = FakeShopify().script(
        "CasebridgeWriterOrderHead",
        order_state(),
        order_state(cancelledAt="2026-11-26T00:00:00Z"),
    )
    already = {
        "field": ["orderId"],
        "message": "Order has already been cancelled.",
        "code": "INVALID",
    }
    fake.script("CasebridgeOrderCancel", user_errors("orderCancel", already))
    result = await run(fake, ActionKind.CANCEL_ORDER, ORDER, **CANCEL)
    assert result.status is ALREADY and result.attempts == 2
    assert len(fake.called("CasebridgeOrderCancel")) == 1


async def test_unavailable_then_reachable_re_reads_and_applies() -> None:
    fake = tags_fake(ShopifyUnavailableError("502", attempts=8), {"tagsAdd": {"userErrors": []}})
    result = await run(fake, ActionKind.ADD_TAGS, ORDER, tags=["x"])
    assert result.status is APPLIED and result.attempts == 2
    assert len(fake.called("CasebridgeWriterNodeTags")) == 2


async def test_auth_error_raises() -> None:
    fake = FakeShopify().script("CasebridgeWriterNodeTags", ShopifyAuthError("no", status=401))
    with pytest.raises(WriterAuthError):
        await run(fake, ActionKind.ADD_TAGS, ORDER, tags=["x"])


async def test_graphql_error_is_failed() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterNodeTags", ShopifyGraphQLError(["Field 'x' doesn't exist"], operation="q")
    )
    result = await run(fake, ActionKind.ADD_TAGS, ORDER, tags=["x"])
    assert result.status is FAILED and result.error_code == "GRAPHQL_ERROR"


async def test_query_cost_adds_up_the_calls_of_one_action() -> None:
    fake = CostedShopify(cost=11)
    fake.script("CasebridgeWriterNodeTags", {"node": {"id": ORDER, "tags": []}})
    fake.script("CasebridgeTagsAdd", {"tagsAdd": {"userErrors": []}})
    result = await run(fake, ActionKind.ADD_TAGS, ORDER, tags=["x"])
    assert result.query_cost == 22


async def test_apply_all_stops_at_the_first_failure() -> None:
    first = action(ActionKind.ADD_TAGS, ORDER, 0, tags=["x"])
    second = action(ActionKind.ADD_NOTE, ORDER, 1, note="n")
    fake = tags_fake(user_errors("tagsAdd", INVALID))
    results = await executor(fake).apply_all(decision(first, second))
    assert [r.status for r in results] == [FAILED]
