"""Contract: mutations change state like Shopify and refuse with userErrors."""

from __future__ import annotations

import pytest

from .conftest import Running
from .helpers import order_view, seed, seed_order

pytestmark = pytest.mark.integration

REFUND = """mutation($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { id totalRefundedSet { shopMoney { amount } } }
    order { id displayFinancialStatus }
    userErrors { field message }
  }
}"""
HOLD = """mutation($id: ID!, $handle: String) {
  fulfillmentOrderHold(id: $id, fulfillmentHold: {
      reason: HIGH_RISK_OF_FRAUD, reasonNotes: "case 42", handle: $handle}) {
    fulfillmentHold { id handle reason reasonNotes }
    fulfillmentOrder { id status }
    userErrors { field message code }
  }
}"""
RELEASE = """mutation($id: ID!, $holdIds: [ID!]) {
  fulfillmentOrderReleaseHold(id: $id, holdIds: $holdIds) {
    fulfillmentOrder { id status fulfillmentHolds { id } }
    userErrors { field message code }
  }
}"""
CANCEL = """mutation($id: ID!) {
  orderCancel(orderId: $id, reason: FRAUD, restock: true, notifyCustomer: false,
              refundMethod: {originalPaymentMethodsRefund: true}, staffNote: "fraud case") {
    job { id done }
    orderCancelUserErrors { field message code }
    userErrors { field message }
  }
}"""


def _transactions(order_id: str, amount: str) -> list[dict[str, str]]:
    return [{"orderId": order_id, "amount": amount, "gateway": "manual", "kind": "REFUND"}]


async def test_idempotent_refund_creates_one_refund(emulator: Running) -> None:
    order = await seed_order(emulator)
    variables = {
        "input": {
            "orderId": order,
            "note": "goodwill",
            "transactions": _transactions(order, "30.00"),
        },
        "key": "case-1-refund",
    }
    first = (await emulator.data(REFUND, variables))["refundCreate"]
    second = (await emulator.data(REFUND, variables))["refundCreate"]
    assert first["userErrors"] == [] and second["userErrors"] == []
    assert first["refund"]["id"] == second["refund"]["id"]
    view = await order_view(emulator, order)
    assert len(view["refunds"]) == 1
    assert view["totalRefundedSet"]["shopMoney"]["amount"] == "30.00"
    assert view["displayFinancialStatus"] == "PARTIALLY_REFUNDED"


async def test_refund_more_than_paid_is_user_error_and_changes_nothing(emulator: Running) -> None:
    order = await seed_order(emulator)
    variables = {
        "input": {"orderId": order, "transactions": _transactions(order, "500.00")},
        "key": "too-much",
    }
    payload = (await emulator.data(REFUND, variables))["refundCreate"]
    assert payload["refund"] is None
    assert payload["userErrors"] and "refundable" in payload["userErrors"][0]["message"]
    view = await order_view(emulator, order)
    assert view["refunds"] == [] and view["displayFinancialStatus"] == "PAID"


async def test_refund_lines_restock_and_limit_quantity(emulator: Running) -> None:
    order = await seed_order(emulator)
    line = (await order_view(emulator, order))["lineItems"]["nodes"][0]["id"]
    ok = await emulator.data(
        REFUND,
        {
            "input": {
                "orderId": order,
                "refundLineItems": [{"lineItemId": line, "quantity": 2, "restockType": "CANCEL"}],
            },
            "key": "k1",
        },
    )
    assert ok["refundCreate"]["refund"]["totalRefundedSet"]["shopMoney"]["amount"] == "100.00"
    again = await emulator.data(
        REFUND,
        {
            "input": {"orderId": order, "refundLineItems": [{"lineItemId": line, "quantity": 1}]},
            "key": "k2",
        },
    )
    assert again["refundCreate"]["userErrors"]


async def test_refund_requires_idempotency_from_2026_04(emulator: Running) -> None:
    order = await seed_order(emulator)
    query = """mutation($input: RefundInput!) { refundCreate(input: $input) {
        refund { id } userErrors { field message } } }"""
    variables = {"input": {"orderId": order, "transactions": _transactions(order, "1.00")}}
    old = await emulator.gql(query, variables, version="2026-01")
    assert old["data"]["refundCreate"]["refund"]
    new = await emulator.gql(query, variables, version="2026-04")
    assert new["errors"] and "@idempotent" in new["errors"][0]["message"]


async def test_hold_release_and_missing_hold(emulator: Running) -> None:
    order = await seed_order(emulator)
    fo = (await order_view(emulator, order))["fulfillmentOrders"]["nodes"][0]["id"]
    held = (await emulator.data(HOLD, {"id": fo, "handle": "case-42"}))["fulfillmentOrderHold"]
    assert held["userErrors"] == []
    assert held["fulfillmentOrder"]["status"] == "ON_HOLD"
    assert held["fulfillmentHold"]["handle"] == "case-42"
    dup = (await emulator.data(HOLD, {"id": fo, "handle": "case-42"}))["fulfillmentOrderHold"]
    assert dup["userErrors"][0]["code"] == "DUPLICATE_FULFILLMENT_HOLD_HANDLE"

    missing = await emulator.data(
        RELEASE, {"id": fo, "holdIds": ["gid://shopify/FulfillmentHold/1"]}
    )
    assert missing["fulfillmentOrderReleaseHold"]["userErrors"]
    assert missing["fulfillmentOrderReleaseHold"]["fulfillmentOrder"] is None
    still = (await order_view(emulator, order))["fulfillmentOrders"]["nodes"][0]
    assert still["status"] == "ON_HOLD" and len(still["fulfillmentHolds"]) == 1

    released = await emulator.data(RELEASE, {"id": fo, "holdIds": [held["fulfillmentHold"]["id"]]})
    payload = released["fulfillmentOrderReleaseHold"]
    assert payload["userErrors"] == []
    assert payload["fulfillmentOrder"]["status"] == "OPEN"
    assert payload["fulfillmentOrder"]["fulfillmentHolds"] == []


async def test_at_most_ten_holds(emulator: Running) -> None:
    order = await seed_order(emulator)
    fo = (await order_view(emulator, order))["fulfillmentOrders"]["nodes"][0]["id"]
    for n in range(10):
        result = await emulator.data(HOLD, {"id": fo, "handle": f"h{n}"})
        assert result["fulfillmentOrderHold"]["userErrors"] == []
    over = await emulator.data(HOLD, {"id": fo, "handle": "h10"})
    assert (
        over["fulfillmentOrderHold"]["userErrors"][0]["code"]
        == "FULFILLMENT_ORDER_HOLD_LIMIT_REACHED"
    )


async def test_cancel_is_async_and_cancelling_twice_is_user_error(emulator: Running) -> None:
    order = await seed_order(emulator)
    first = (await emulator.data(CANCEL, {"id": order}))["orderCancel"]
    assert first["orderCancelUserErrors"] == [] and first["job"]["id"].startswith(
        "gid://shopify/Job/"
    )
    assert first["job"]["done"] is False
    view = await order_view(emulator, order)
    assert view["cancelledAt"] is not None
    assert view["displayFinancialStatus"] == "REFUNDED"
    assert view["fulfillmentOrders"]["nodes"][0]["status"] == "CANCELLED"
    second = (await emulator.data(CANCEL, {"id": order}))["orderCancel"]
    assert second["job"] is None
    assert second["orderCancelUserErrors"][0]["code"] == "INVALID"
    assert second["userErrors"]


async def test_cancel_job_becomes_done(start_emulator) -> None:  # type: ignore[no-untyped-def]
    from emulators.shopify import EmulatorConfig, FakeClock

    clock = FakeClock()
    running = await start_emulator(EmulatorConfig(job_duration_s=5), clock=clock)
    order = await seed_order(running)
    job = (await running.data(CANCEL, {"id": order}))["orderCancel"]["job"]
    query = "query($id: ID!) { job(id: $id) { id done } }"
    assert (await running.data(query, {"id": job["id"]}))["job"]["done"] is False
    clock.advance(5)
    assert (await running.data(query, {"id": job["id"]}))["job"]["done"] is True


EDIT = """
mutation begin($id: ID!) { orderEditBegin(id: $id) {
  calculatedOrder { id lineItems(first: 10) { nodes { id quantity editableQuantity sku } } }
  userErrors { field message } } }
mutation setQty($id: ID!, $line: ID!, $qty: Int!) {
  orderEditSetQuantity(id: $id, lineItemId: $line, quantity: $qty) {
    calculatedLineItem { id quantity } userErrors { field message } } }
mutation commit($id: ID!) { orderEditCommit(id: $id, staffNote: "edited") {
  order { id lineItems(first: 10) { nodes { sku currentQuantity } } }
  userErrors { field message } } }
"""


async def _run(running: Running, name: str, variables: dict[str, object]) -> dict[str, object]:
    response = await running.http.post(
        "/admin/api/2026-01/graphql.json",
        json={"query": EDIT, "operationName": name, "variables": variables},
        headers={"X-Shopify-Access-Token": running.token},
    )
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, object] = body["data"]
    return data


async def test_edit_fulfilled_line_is_user_error(emulator: Running) -> None:
    created = await seed(emulator, {"scenario": {"n": 1, "kinds": ["return_request"], "seed": 3}})
    order = created["scenario"][0]["order_id"]
    begin = await _run(emulator, "begin", {"id": order})
    calc = begin["orderEditBegin"]["calculatedOrder"]  # type: ignore[index]
    line = calc["lineItems"]["nodes"][0]
    result = await _run(emulator, "setQty", {"id": calc["id"], "line": line["id"], "qty": 0})
    assert result["orderEditSetQuantity"]["userErrors"]  # type: ignore[index]


async def test_edit_unfulfilled_line_commits(emulator: Running) -> None:
    order = await seed_order(emulator)
    calc = (await _run(emulator, "begin", {"id": order}))["orderEditBegin"]["calculatedOrder"]  # type: ignore[index]
    socks = next(x for x in calc["lineItems"]["nodes"] if x["sku"] == "SO-1")
    changed = await _run(emulator, "setQty", {"id": calc["id"], "line": socks["id"], "qty": 0})
    assert changed["orderEditSetQuantity"]["userErrors"] == []  # type: ignore[index]
    committed = await _run(emulator, "commit", {"id": calc["id"]})
    lines = committed["orderEditCommit"]["order"]["lineItems"]["nodes"]  # type: ignore[index]
    assert {x["sku"]: x["currentQuantity"] for x in lines} == {"SW-1": 2, "SO-1": 0}
    fo_lines = (await order_view(emulator, order))["fulfillmentOrders"]["nodes"][0]["lineItems"][
        "nodes"
    ]
    assert sorted(x["remainingQuantity"] for x in fo_lines) == [0, 2]


async def test_tags_add_dedups_and_order_update_overwrites(emulator: Running) -> None:
    order = await seed_order(emulator, tags=["existing"])
    add = """mutation($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) {
        node { id ... on Order { tags } } userErrors { field message } } }"""
    result = await emulator.data(add, {"id": order, "tags": ["casebridge:review", "existing"]})
    assert result["tagsAdd"]["node"]["tags"] == ["existing", "casebridge:review"]
    update = """mutation($input: OrderInput!) { orderUpdate(input: $input) {
        order { note tags shippingAddress { city countryCodeV2 zip } }
        userErrors { field message } } }"""
    result = await emulator.data(
        update,
        {
            "input": {
                "id": order,
                "note": "checked",
                "tags": ["ok"],
                "shippingAddress": {"city": "Berlin", "countryCode": "DE", "zip": "10115"},
            }
        },
    )
    assert result["orderUpdate"]["order"] == {
        "note": "checked",
        "tags": ["ok"],
        "shippingAddress": {"city": "Berlin", "countryCodeV2": "DE", "zip": "10115"},
    }


async def test_metafields_set_compare_and_set(emulator: Running) -> None:
    order = await seed_order(emulator)
    mutation = """mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) {
        metafields { id value compareDigest } userErrors { field message code } } }"""
    base = {
        "ownerId": order,
        "namespace": "casebridge",
        "key": "chargeback",
        "type": "single_line_text_field",
    }
    created = await emulator.data(
        mutation, {"m": [{**base, "value": "open", "compareDigest": None}]}
    )
    digest = created["metafieldsSet"]["metafields"][0]["compareDigest"]
    updated = await emulator.data(
        mutation, {"m": [{**base, "value": "won", "compareDigest": digest}]}
    )
    assert updated["metafieldsSet"]["userErrors"] == []
    stale = await emulator.data(
        mutation, {"m": [{**base, "value": "lost", "compareDigest": digest}]}
    )
    assert stale["metafieldsSet"]["userErrors"][0]["code"] == "STALE_OBJECT"
    read = await emulator.data(
        "query($id: ID!) { order(id: $id) {"
        ' metafield(namespace: "casebridge", key: "chargeback") { value } } }',
        {"id": order},
    )
    assert read["order"]["metafield"]["value"] == "won"


async def test_split_and_reschedule(emulator: Running) -> None:
    order = await seed_order(emulator)
    fo = (await order_view(emulator, order))["fulfillmentOrders"]["nodes"][0]
    sweater = next(x for x in fo["lineItems"]["nodes"] if x["remainingQuantity"] == 2)
    split = """mutation($s: [FulfillmentOrderSplitInput!]!) {
        fulfillmentOrderSplit(fulfillmentOrderSplits: $s) {
        fulfillmentOrderSplits { fulfillmentOrder { id } remainingFulfillmentOrder { id
          lineItems(first: 5) { nodes { remainingQuantity } } } }
        userErrors { field message code } } }"""
    result = await emulator.data(
        split,
        {
            "s": [
                {
                    "fulfillmentOrderId": fo["id"],
                    "fulfillmentOrderLineItems": [{"id": sweater["id"], "quantity": 1}],
                }
            ]
        },
    )
    payload = result["fulfillmentOrderSplit"]
    assert payload["userErrors"] == []
    rest = payload["fulfillmentOrderSplits"][0]["remainingFulfillmentOrder"]
    assert sorted(x["remainingQuantity"] for x in rest["lineItems"]["nodes"]) == [1, 1]
    assert len((await order_view(emulator, order))["fulfillmentOrders"]["nodes"]) == 2

    reschedule = """mutation($id: ID!) {
        fulfillmentOrderReschedule(id: $id, fulfillAt: "2026-03-01T00:00:00Z") {
        fulfillmentOrder { fulfillAt } userErrors { field message } } }"""
    open_fo = await emulator.data(reschedule, {"id": fo["id"]})
    assert open_fo["fulfillmentOrderReschedule"]["userErrors"]  # only SCHEDULED ones move
    created = await seed(emulator, {"scenario": {"n": 1, "kinds": ["scheduled_order"]}})
    scheduled = (await order_view(emulator, created["scenario"][0]["order_id"]))[
        "fulfillmentOrders"
    ]["nodes"][0]
    moved = await emulator.data(reschedule, {"id": scheduled["id"]})
    assert (
        moved["fulfillmentOrderReschedule"]["fulfillmentOrder"]["fulfillAt"]
        == "2026-03-01T00:00:00Z"
    )


async def test_return_approve_decline_transitions(emulator: Running) -> None:
    created = await seed(emulator, {"scenario": {"n": 2, "kinds": ["return_request"]}})
    returns = []
    for event in created["scenario"]:
        data = await emulator.data(
            "query($id: ID!) { order(id: $id) { returns(first: 5) { nodes { id status } } } }",
            {"id": event["order_id"]},
        )
        returns.append(data["order"]["returns"]["nodes"][0]["id"])
    approve = """mutation($id: ID!) { returnApproveRequest(input: {id: $id}) {
        return { status } userErrors { field message code } } }"""
    decline = """mutation($id: ID!) {
        returnDeclineRequest(input: {id: $id, declineReason: FINAL_SALE}) {
        return { status decline { reason } } userErrors { field message code } } }"""
    ok = await emulator.data(approve, {"id": returns[0]})
    assert ok["returnApproveRequest"]["return"]["status"] == "OPEN"
    again = await emulator.data(decline, {"id": returns[0]})
    assert again["returnDeclineRequest"]["userErrors"][0]["code"] == "INVALID_STATE"
    declined = await emulator.data(decline, {"id": returns[1]})
    assert declined["returnDeclineRequest"]["return"] == {
        "status": "DECLINED",
        "decline": {"reason": "FINAL_SALE"},
    }


async def test_draft_order_and_order_create(emulator: Running) -> None:
    draft = """mutation { draftOrderCreate(input: {email: "phone@example.com", note: "phone order",
        lineItems: [{title: "Custom engraving", quantity: 1,
                     originalUnitPriceWithCurrency: {amount: "25.00", currencyCode: USD}}]}) {
        draftOrder { id status totalPriceSet { shopMoney { amount } } }
        userErrors { field message } } }"""
    created = (await emulator.data(draft))["draftOrderCreate"]["draftOrder"]
    complete = """mutation($id: ID!) { draftOrderComplete(id: $id) {
        draftOrder { status order { id sourceName totalPriceSet { shopMoney { amount } } } }
        userErrors { field message } } }"""
    done = (await emulator.data(complete, {"id": created["id"]}))["draftOrderComplete"][
        "draftOrder"
    ]
    assert done["status"] == "COMPLETED"
    assert done["order"]["totalPriceSet"]["shopMoney"]["amount"] == "25.00"
    twice = await emulator.data(complete, {"id": created["id"]})
    assert twice["draftOrderComplete"]["userErrors"]

    order_create = """mutation($o: OrderCreateOrderInput!) { orderCreate(order: $o) {
        order { id name email displayFinancialStatus customer { email } }
        userErrors { field message code } } }"""
    result = await emulator.data(
        order_create,
        {
            "o": {
                "email": "offline@example.com",
                "financialStatus": "PAID",
                "currency": "EUR",
                "customer": {"toUpsert": {"email": "offline@example.com", "firstName": "Off"}},
                "lineItems": [
                    {
                        "title": "Wholesale pack",
                        "quantity": 10,
                        "priceSet": {"shopMoney": {"amount": "9.90", "currencyCode": "EUR"}},
                    }
                ],
            }
        },
    )
    order = result["orderCreate"]["order"]
    assert (
        order["displayFinancialStatus"] == "PAID"
        and order["customer"]["email"] == "offline@example.com"
    )
    empty = await emulator.data(order_create, {"o": {"lineItems": []}})
    assert empty["orderCreate"]["userErrors"]


async def test_dispute_evidence_and_query(emulator: Running) -> None:
    created = await seed(emulator, {"scenario": {"n": 1, "kinds": ["dispute_chargeback"]}})
    data = await emulator.data(
        "query($id: ID!) { order(id: $id) { disputes { id initiatedAs status } } }",
        {"id": created["scenario"][0]["order_id"]},
    )
    dispute = data["order"]["disputes"][0]
    assert dispute["initiatedAs"] == "CHARGEBACK" and dispute["status"] == "NEEDS_RESPONSE"
    update = """mutation($id: ID!) { disputeEvidenceUpdate(id: $id, input: {
        uncategorizedText: "Delivered with signature", submitEvidence: true}) {
        disputeEvidence { uncategorizedText submitted } userErrors { field message } } }"""
    result = await emulator.data(update, {"id": dispute["id"]})
    assert result["disputeEvidenceUpdate"]["disputeEvidence"]["submitted"] is True
    read = await emulator.data(
        "query($id: ID!) { dispute(id: $id) { status type amount { amount currencyCode }"
        " reasonDetails { reason } } }",
        {"id": dispute["id"]},
    )
    assert read["dispute"]["status"] == "UNDER_REVIEW" and read["dispute"]["type"] == "CHARGEBACK"


async def test_customer_orders_and_aggregates(emulator: Running) -> None:
    await seed_order(emulator)
    await seed_order(emulator)
    data = await emulator.data("""{ orders(first: 1) { nodes { customer { id } } } }""")
    customer = data["orders"]["nodes"][0]["customer"]["id"]
    result = await emulator.data(
        """query($id: ID!) { customer(id: $id) { email tags numberOfOrders amountSpent { amount }
            orders(first: 10) { edges { node { name } } pageInfo { hasNextPage } } } }""",
        {"id": customer},
    )
    cust = result["customer"]
    assert cust["numberOfOrders"] == "2" and cust["amountSpent"]["amount"] == "240.00"
    assert cust["tags"] == ["VIP"] and len(cust["orders"]["edges"]) == 2


async def test_disputes_root_connection(emulator: Running) -> None:
    await seed(emulator, {"scenario": {"n": 2, "kinds": ["dispute_chargeback", "dispute_inquiry"]}})
    data = await emulator.data("{ disputes(first: 5) { nodes { type status order { name } } } }")
    assert sorted(d["type"] for d in data["disputes"]["nodes"]) == ["CHARGEBACK", "INQUIRY"]


async def test_hold_of_some_lines_splits_off_the_rest(emulator: Running) -> None:
    order = await seed_order(emulator)
    fo = (await order_view(emulator, order))["fulfillmentOrders"]["nodes"][0]
    sweater = next(x for x in fo["lineItems"]["nodes"] if x["remainingQuantity"] == 2)
    mutation = """mutation($id: ID!, $line: ID!) {
      fulfillmentOrderHold(id: $id, fulfillmentHold: {reason: INVENTORY_OUT_OF_STOCK,
          handle: "oos", fulfillmentOrderLineItems: [{id: $line, quantity: 2}]}) {
        fulfillmentOrder { status lineItems(first: 5) { nodes { remainingQuantity } } }
        remainingFulfillmentOrder { status lineItems(first: 5) { nodes { remainingQuantity } } }
        userErrors { field message code } } }"""
    result = (await emulator.data(mutation, {"id": fo["id"], "line": sweater["id"]}))[
        "fulfillmentOrderHold"
    ]
    assert result["userErrors"] == []
    assert result["fulfillmentOrder"]["status"] == "ON_HOLD"
    assert [x["remainingQuantity"] for x in result["fulfillmentOrder"]["lineItems"]["nodes"]] == [2]
    rest = result["remainingFulfillmentOrder"]
    assert rest["status"] == "OPEN"
    assert [x["remainingQuantity"] for x in rest["lineItems"]["nodes"]] == [1]


_TAXED_ORDER = """mutation($o: OrderCreateOrderInput!) { orderCreate(order: $o) {
    order { id displayFinancialStatus taxesIncluded
      subtotalPriceSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } }
      totalShippingPriceSet { shopMoney { amount } } totalPriceSet { shopMoney { amount } }
      totalOutstandingSet { shopMoney { amount } }
      taxLines { title rate priceSet { shopMoney { amount } } } }
    userErrors { field message code } } }"""


def _usd(amount: str) -> dict[str, dict[str, str]]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


def _taxed(shipping_price: str = "5.00") -> dict[str, object]:
    state_tax = {"title": "State tax", "rate": "0.08"}
    return {
        "currency": "USD",
        "financialStatus": "PENDING",
        "lineItems": [
            {
                "title": "Pack",
                "quantity": 2,
                "priceSet": _usd("10.00"),
                "taxLines": [{**state_tax, "priceSet": _usd("1.60")}],
            },
            # Without a priceSet the tax line is priced at its rate.
            {"title": "Cable", "quantity": 1, "priceSet": _usd("2.50"), "taxLines": [state_tax]},
        ],
        "shippingLines": [
            {"title": "Ground", "priceSet": _usd(shipping_price), "taxLines": [state_tax]}
        ],
    }


async def test_order_create_charges_the_tax_and_shipping_lines_it_is_given(
    emulator: Running,
) -> None:
    result = await emulator.data(_TAXED_ORDER, {"o": _taxed()})
    assert result["orderCreate"]["userErrors"] == []
    order = result["orderCreate"]["order"]

    def amount(name: str) -> str:
        return str(order[name]["shopMoney"]["amount"])

    # 1.60 + 0.20 (2.50 x 8 %) + 0.40 (5.00 x 8 %)
    assert amount("subtotalPriceSet") == "22.50" and amount("totalTaxSet") == "2.20"
    assert amount("totalShippingPriceSet") == "5.00" and amount("totalPriceSet") == "29.70"
    assert amount("totalOutstandingSet") == "29.70" and order["taxesIncluded"] is False
    [tax] = order["taxLines"]
    assert tax["title"] == "State tax" and tax["priceSet"]["shopMoney"]["amount"] == "2.20"
    refused = await emulator.data(_TAXED_ORDER, {"o": _taxed(shipping_price="-1.00")})
    [error] = refused["orderCreate"]["userErrors"]
    assert error["field"] == ["order", "shippingLines", "0", "priceSet"]
    assert refused["orderCreate"]["order"] is None


async def test_payment_terms_from_a_template_once_per_order(emulator: Running) -> None:
    templates = await emulator.data(
        "{ paymentTermsTemplates(paymentTermsType: NET) { id name dueInDays } }"
    )
    net30 = next(t for t in templates["paymentTermsTemplates"] if t["name"] == "Net 30")
    created = await emulator.data(_TAXED_ORDER, {"o": _taxed()})
    order_id = created["orderCreate"]["order"]["id"]
    create = """mutation($id: ID!, $a: PaymentTermsCreateInput!) {
        paymentTermsCreate(referenceId: $id, paymentTermsAttributes: $a) {
        paymentTerms { paymentTermsName paymentTermsType dueInDays }
        userErrors { code message } } }"""
    no_issue = {"paymentTermsTemplateId": net30["id"]}
    missing = await emulator.data(create, {"id": order_id, "a": no_issue})
    assert missing["paymentTermsCreate"]["userErrors"][0]["message"] == (
        "Net payment terms need issuedAt"
    )
    attributes = {**no_issue, "paymentSchedules": [{"issuedAt": "2026-11-26T08:00:00Z"}]}
    made = await emulator.data(create, {"id": order_id, "a": attributes})
    assert made["paymentTermsCreate"]["paymentTerms"] == {
        "paymentTermsName": "Net 30",
        "paymentTermsType": "NET",
        "dueInDays": 30,
    }
    read = await emulator.data(
        "query($id: ID!) { order(id: $id) { paymentTerms { paymentTermsName } } }",
        {"id": order_id},
    )
    assert read["order"]["paymentTerms"]["paymentTermsName"] == "Net 30"
    twice = await emulator.data(create, {"id": order_id, "a": attributes})
    assert twice["paymentTermsCreate"]["userErrors"][0]["code"] == (
        "PAYMENT_TERMS_CREATION_UNSUCCESSFUL"
    )
