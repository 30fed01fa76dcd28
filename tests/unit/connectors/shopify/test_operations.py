"""GraphQL documents and the typed helpers, against a fake executor."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse

from connectors.shopify import documents
from connectors.shopify import operations as ops
from connectors.shopify.cost import operation_name
from connectors.shopify.errors import ShopifyUserError


class FakeExecutor:
    """Answers each execute() from a list and records the calls."""

    def __init__(self, *answers: dict[str, Any]) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def execute(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        cost_estimate: float | None = None,
    ) -> dict[str, Any]:
        self.calls.append((document, dict(variables or {})))
        return self.answers.pop(0)


def test_every_document_parses_and_is_named_uniquely() -> None:
    assert len(documents.DOCUMENTS) == 70
    for name, document in documents.DOCUMENTS.items():
        parsed = parse(document)
        operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
        assert len(operations) == 1
        assert operation_name(document) == name


def test_refund_document_uses_the_idempotent_directive() -> None:
    assert "@idempotent(key: $idempotencyKey)" in documents.operations.REFUND_CREATE


async def test_hold_sends_shopify_input_and_returns_typed_hold() -> None:
    fake = FakeExecutor(
        {
            "fulfillmentOrderHold": {
                "fulfillmentHold": {
                    "id": "gid://shopify/FulfillmentHold/1",
                    "handle": "cb-1",
                    "reason": "OTHER",
                },
                "fulfillmentOrder": {"id": "gid://shopify/FulfillmentOrder/9", "status": "ON_HOLD"},
                "userErrors": [],
            }
        }
    )
    hold = await ops.fulfillment_order_hold(
        fake, "gid://shopify/FulfillmentOrder/9", reason="HIGH_RISK_OF_FRAUD", handle="cb-1"
    )
    assert hold.id == "gid://shopify/FulfillmentHold/1"
    assert hold.fulfillment_order_status == "ON_HOLD"
    _, variables = fake.calls[0]
    assert variables == {
        "id": "gid://shopify/FulfillmentOrder/9",
        "fulfillmentHold": {
            "reason": "HIGH_RISK_OF_FRAUD",
            "notifyMerchant": False,
            "handle": "cb-1",
        },
    }


async def test_hold_handle_length_is_checked() -> None:
    with pytest.raises(ValueError):
        await ops.fulfillment_order_hold(FakeExecutor(), "id", reason="OTHER", handle="x" * 65)


async def test_user_errors_raise_with_classification() -> None:
    fake = FakeExecutor(
        {
            "fulfillmentOrderHold": {
                "fulfillmentHold": None,
                "fulfillmentOrder": None,
                "userErrors": [
                    {
                        "field": ["id"],
                        "message": "Fulfillment order does not exist.",
                        "code": "FULFILLMENT_ORDER_NOT_FOUND",
                    }
                ],
            }
        }
    )
    with pytest.raises(ShopifyUserError) as info:
        await ops.fulfillment_order_hold(fake, "gid://x", reason="OTHER", handle="h")
    assert info.value.code == "FULFILLMENT_ORDER_NOT_FOUND"
    assert info.value.operation == "fulfillmentOrderHold"
    assert not info.value.transient


async def test_order_cancel_reads_order_cancel_user_errors() -> None:
    ok = FakeExecutor(
        {
            "orderCancel": {
                "job": {"id": "gid://shopify/Job/1", "done": False},
                "orderCancelUserErrors": [],
            }
        }
    )
    job = await ops.order_cancel(ok, "gid://shopify/Order/1", reason="FRAUD", restock=True)
    assert job == ops.Job(id="gid://shopify/Job/1", done=False)
    assert ok.calls[0][1]["refundMethod"] == {"originalPaymentMethodsRefund": True}
    assert "staffNote" not in ok.calls[0][1]

    failing = FakeExecutor(
        {
            "orderCancel": {
                "job": None,
                "orderCancelUserErrors": [
                    {
                        "field": ["orderId"],
                        "message": "Order is already cancelled",
                        "code": "INVALID",
                    }
                ],
            }
        }
    )
    with pytest.raises(ShopifyUserError, match="already cancelled"):
        await ops.order_cancel(failing, "gid://shopify/Order/1", reason="FRAUD", restock=True)


async def test_refund_create_passes_idempotency_key() -> None:
    fake = FakeExecutor(
        {
            "refundCreate": {
                "refund": {"id": "gid://shopify/Refund/5"},
                "order": {"id": "o"},
                "userErrors": [],
            }
        }
    )
    refund = await ops.refund_create(
        fake, {"orderId": "gid://shopify/Order/1"}, idempotency_key="case-1:refund"
    )
    assert refund == {"id": "gid://shopify/Refund/5"}
    document, variables = fake.calls[0]
    assert document is documents.operations.REFUND_CREATE
    assert variables["idempotencyKey"] == "case-1:refund"
    with pytest.raises(ValueError):
        await ops.refund_create(fake, {}, idempotency_key="")


async def test_orders_iterator_pages_with_cursors() -> None:
    fake = FakeExecutor(
        {
            "orders": {
                "edges": [
                    {"cursor": "c1", "node": {"id": "gid://shopify/Order/1"}},
                    {"cursor": "c2", "node": {"id": "gid://shopify/Order/2"}},
                ],
                "pageInfo": {"hasNextPage": True, "endCursor": "c2"},
            }
        },
        {
            "orders": {
                "edges": [{"cursor": "c3", "node": {"id": "gid://shopify/Order/3"}}],
                "pageInfo": {"hasNextPage": False, "endCursor": "c3"},
            }
        },
    )
    since = datetime(2026, 1, 1, tzinfo=UTC)
    items = [item async for item in ops.iter_orders_updated_since(fake, since, page_size=2)]
    assert [i.cursor for i in items] == ["c1", "c2", "c3"]
    assert items[2].node == {"id": "gid://shopify/Order/3"}
    assert fake.calls[0][1] == {
        "first": 2,
        "after": None,
        "query": "updated_at:>'2026-01-01T00:00:00+00:00'",
    }
    assert fake.calls[1][1]["after"] == "c2"


async def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        async for _ in ops.iter_orders_updated_since(FakeExecutor(), datetime(2026, 1, 1)):
            pass


async def test_queries_unwrap_and_handle_missing_order() -> None:
    fake = FakeExecutor(
        {"order": None},
        {"order": {"id": "o", "fulfillmentOrders": {"nodes": [{"id": "fo1"}]}}},
        {"order": {"id": "o", "fulfillments": [{"id": "f1", "trackingInfo": []}]}},
        {"order": {"id": "o", "refunds": []}},
        {"dispute": {"id": "d"}},
    )
    assert await ops.get_order_with_history(fake, "o") is None
    assert await ops.get_fulfillment_orders(fake, "o") == [{"id": "fo1"}]
    assert await ops.get_fulfillments(fake, "o") == [{"id": "f1", "trackingInfo": []}]
    assert await ops.get_refunds(fake, "o") == []
    assert await ops.get_dispute(fake, "d") == {"id": "d"}


async def test_metafields_limit() -> None:
    with pytest.raises(ValueError):
        await ops.metafields_set(FakeExecutor(), [])
    with pytest.raises(ValueError):
        await ops.metafields_set(FakeExecutor(), [{"key": str(i)} for i in range(26)])


async def test_order_edit_flow_helpers() -> None:
    fake = FakeExecutor(
        {
            "orderEditBegin": {
                "calculatedOrder": {"id": "gid://shopify/CalculatedOrder/1"},
                "userErrors": [],
            }
        },
        {
            "orderEditSetQuantity": {
                "calculatedOrder": {"id": "c"},
                "calculatedLineItem": None,
                "userErrors": [],
            }
        },
        {"orderEditCommit": {"order": {"id": "gid://shopify/Order/1"}, "userErrors": []}},
    )
    calculated = await ops.order_edit_begin(fake, "gid://shopify/Order/1")
    await ops.order_edit_set_quantity(
        fake, calculated["id"], "gid://shopify/CalculatedLineItem/2", 0
    )
    order = await ops.order_edit_commit(fake, calculated["id"], staff_note="casebridge")
    assert order == {"id": "gid://shopify/Order/1"}
    assert fake.calls[1][1]["quantity"] == 0
    assert "notifyCustomer" in fake.calls[2][1]


def test_documents_validate_against_the_emulator_schema() -> None:
    """The emulator serves a subset of Shopify's schema; our documents must fit in it."""
    sdl = pytest.importorskip("emulators.shopify.sdl")
    from graphql import build_schema, validate

    schema = build_schema(sdl.SDL + getattr(sdl, "MUTATION_SDL", ""))
    problems = {
        name: [error.message for error in validate(schema, parse(document))]
        for name, document in documents.DOCUMENTS.items()
    }
    assert {name: errs for name, errs in problems.items() if errs} == {}
