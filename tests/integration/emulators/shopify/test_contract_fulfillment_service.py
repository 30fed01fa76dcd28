"""Contract: the fulfillment-service (3PL) flow, its access scopes and its webhooks."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

import pytest

from emulators.shopify import EmulatorConfig
from emulators.shopify.config import DEFAULT_ACCESS_SCOPES, ShopConfig

from .conftest import Receiver, Running, Start
from .helpers import order_view, seed_order

pytestmark = pytest.mark.integration

SERVICE_TOKEN = "shpat_emulator_token_3pl"
SUBMIT = """mutation($id: ID!, $lines: [FulfillmentOrderLineItemInput!]) {
  fulfillmentOrderSubmitFulfillmentRequest(id: $id, message: "gift wrap",
      notifyCustomer: false, fulfillmentOrderLineItems: $lines) {
    originalFulfillmentOrder { id status requestStatus }
    submittedFulfillmentOrder { id status requestStatus }
    unsubmittedFulfillmentOrder { id status requestStatus }
    userErrors { field message } } }"""
ACCEPT = """mutation($id: ID!) {
  fulfillmentOrderAcceptFulfillmentRequest(id: $id, message: "on it") {
    fulfillmentOrder { id status requestStatus } userErrors { field message } } }"""
REJECT = """mutation($id: ID!, $lines: [IncomingRequestLineItemInput!]) {
  fulfillmentOrderRejectFulfillmentRequest(id: $id, message: "No stock",
      reason: INVENTORY_OUT_OF_STOCK, lineItems: $lines) {
    fulfillmentOrder { id status requestStatus } userErrors { field message } } }"""
CLOSE = """mutation($id: ID!) {
  fulfillmentOrderClose(id: $id, message: "Parcel damaged") {
    fulfillmentOrder { id status requestStatus } userErrors { field message } } }"""
FO = """query($id: ID!) { fulfillmentOrder(id: $id) {
  id status requestStatus assignedLocation { name } } }"""


async def _started(start: Start, receiver: Receiver | None = None) -> tuple[Running, Running]:
    """The merchant's app (allowed to request third-party fulfillment) and the 3PL's app."""
    shop = ShopConfig(
        access_scopes=[*DEFAULT_ACCESS_SCOPES, "write_third_party_fulfillment_orders"]
    )
    hooks = [{"topic": "*", "address": receiver.url}] if receiver is not None else []
    config = {
        "shops": [shop.model_dump()],
        "webhooks": hooks,
        "delivery": {"time_scale": 0.001},
    }
    merchant = await start(EmulatorConfig.model_validate(config))
    return merchant, replace(merchant, token=SERVICE_TOKEN)


async def _delivered(receiver: Receiver, topic: str) -> dict[str, Any]:
    """The one delivery of ``topic``, once it arrived (waits up to 10 s for it)."""
    for _ in range(500):
        found = [r for r in receiver.received if r["headers"]["X-Shopify-Topic"] == topic]
        if found:
            assert len(found) == 1 and found[0]["valid"]
            body: dict[str, Any] = json.loads(found[0]["body"])
            return body
        await asyncio.sleep(0.02)
    raise AssertionError(f"no {topic} delivery")


async def _service_fo(merchant: Running) -> str:
    order = await seed_order(merchant, fulfillment_service=True)
    fo: str = (await order_view(merchant, order))["fulfillmentOrders"]["nodes"][0]["id"]
    return fo


def _result(body: dict[str, Any], field: str) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"][field]
    return result


async def test_a_rejected_request_opens_the_fulfillment_order_again(
    start_emulator: Start, receiver: Receiver
) -> None:
    merchant, service = await _started(start_emulator, receiver)
    fo = await _service_fo(merchant)
    located = await service.data(FO, {"id": fo})
    assert located["fulfillmentOrder"]["assignedLocation"]["name"] == "Emulated 3PL"
    assert located["fulfillmentOrder"]["requestStatus"] == "UNSUBMITTED"

    submitted = _result(
        await merchant.gql(SUBMIT, {"id": fo}), "fulfillmentOrderSubmitFulfillmentRequest"
    )
    assert submitted["userErrors"] == []
    assert submitted["submittedFulfillmentOrder"]["requestStatus"] == "SUBMITTED"
    assert submitted["unsubmittedFulfillmentOrder"] is None

    # A line that is not the fulfillment order's is refused; nothing changes.
    bad = [{"fulfillmentOrderLineItemId": "gid://shopify/FulfillmentOrderLineItem/999999"}]
    refused = _result(
        await service.gql(REJECT, {"id": fo, "lines": bad}),
        "fulfillmentOrderRejectFulfillmentRequest",
    )
    assert refused["fulfillmentOrder"] is None and refused["userErrors"][0]["field"] == [
        "lineItems",
        "0",
    ]

    rejected = _result(
        await service.gql(REJECT, {"id": fo}), "fulfillmentOrderRejectFulfillmentRequest"
    )
    assert rejected["userErrors"] == []
    assert rejected["fulfillmentOrder"] == {"id": fo, "status": "OPEN", "requestStatus": "REJECTED"}
    # Rejected once: neither a second rejection nor an acceptance applies.
    again = _result(
        await service.gql(ACCEPT, {"id": fo}), "fulfillmentOrderAcceptFulfillmentRequest"
    )
    assert again["fulfillmentOrder"] is None and "REJECTED" in again["userErrors"][0]["message"]

    body = await _delivered(receiver, "fulfillment_orders/fulfillment_request_rejected")
    assert body["fulfillment_order"]["admin_graphql_api_id"] == fo
    assert body["fulfillment_order"]["status"] == "open"
    assert body["fulfillment_order"]["request_status"] == "rejected"
    assert body["message"] == "No stock" and body["reason"] == "inventory_out_of_stock"


async def test_a_service_closes_accepted_work_incomplete(
    start_emulator: Start, receiver: Receiver
) -> None:
    merchant, service = await _started(start_emulator, receiver)
    fo = await _service_fo(merchant)
    # Not accepted yet: it cannot be closed.
    early = _result(await service.gql(CLOSE, {"id": fo}), "fulfillmentOrderClose")
    assert early["fulfillmentOrder"] is None and early["userErrors"]
    _result(await merchant.gql(SUBMIT, {"id": fo}), "fulfillmentOrderSubmitFulfillmentRequest")
    accepted = _result(
        await service.gql(ACCEPT, {"id": fo}), "fulfillmentOrderAcceptFulfillmentRequest"
    )
    assert accepted["fulfillmentOrder"]["status"] == "IN_PROGRESS"
    assert accepted["fulfillmentOrder"]["requestStatus"] == "ACCEPTED"
    closed = _result(await service.gql(CLOSE, {"id": fo}), "fulfillmentOrderClose")
    assert closed["fulfillmentOrder"] == {
        "id": fo,
        "status": "INCOMPLETE",
        "requestStatus": "CLOSED",
    }
    twice = _result(await service.gql(CLOSE, {"id": fo}), "fulfillmentOrderClose")
    assert twice["fulfillmentOrder"] is None and twice["userErrors"]

    topic = "fulfillment_orders/fulfillment_service_failed_to_complete"
    body = await _delivered(receiver, topic)
    assert body["fulfillment_order"]["status"] == "incomplete"
    assert body["message"] == "Parcel damaged"


async def test_a_partial_request_splits_off_the_unsubmitted_lines(start_emulator: Start) -> None:
    merchant, _service = await _started(start_emulator)
    order = await seed_order(merchant, fulfillment_service=True)
    fo = (await order_view(merchant, order))["fulfillmentOrders"]["nodes"][0]
    sweater = next(x for x in fo["lineItems"]["nodes"] if x["remainingQuantity"] == 2)
    lines = [{"id": sweater["id"], "quantity": 2}]
    result = _result(
        await merchant.gql(SUBMIT, {"id": fo["id"], "lines": lines}),
        "fulfillmentOrderSubmitFulfillmentRequest",
    )
    assert result["userErrors"] == []
    assert result["submittedFulfillmentOrder"]["requestStatus"] == "SUBMITTED"
    assert result["unsubmittedFulfillmentOrder"]["requestStatus"] == "UNSUBMITTED"


async def test_who_may_call_what(start_emulator: Start) -> None:
    merchant, service = await _started(start_emulator)
    fo = await _service_fo(merchant)
    # The merchant's app has no write_assigned_fulfillment_orders: the service's mutations
    # are denied to it, whatever the fulfillment order.
    for mutation in (ACCEPT, REJECT, CLOSE):
        denied = await merchant.gql(mutation, {"id": fo})
        assert denied["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    # The service reaches only its fulfillment orders: no orders, no merchant mutations.
    assert (await service.gql(SUBMIT, {"id": fo}))["errors"][0]["extensions"][
        "code"
    ] == "ACCESS_DENIED"
    orders = await service.gql("{ orders(first: 1) { nodes { id } } }")
    assert orders["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    # casebridge's own install (the default scopes) may not request third-party fulfillment.
    plain = await start_emulator()
    other = await _service_fo(plain)
    assert (await plain.gql(SUBMIT, {"id": other}))["errors"][0]["extensions"][
        "code"
    ] == "ACCESS_DENIED"


async def test_the_flow_only_applies_to_a_fulfillment_service_location(
    start_emulator: Start,
) -> None:
    merchant, service = await _started(start_emulator)
    order = await seed_order(merchant)  # the merchant's own warehouse
    fo = (await order_view(merchant, order))["fulfillmentOrders"]["nodes"][0]["id"]
    refused = _result(
        await merchant.gql(SUBMIT, {"id": fo}), "fulfillmentOrderSubmitFulfillmentRequest"
    )
    assert refused["submittedFulfillmentOrder"] is None
    assert "not assigned to a fulfillment service" in refused["userErrors"][0]["message"]
    # Nor can the service see it.
    assert (await service.data(FO, {"id": fo}))["fulfillmentOrder"] is None
    missing = _result(
        await service.gql(ACCEPT, {"id": "gid://shopify/FulfillmentOrder/424242"}),
        "fulfillmentOrderAcceptFulfillmentRequest",
    )
    assert missing["userErrors"][0]["field"] == ["id"]
