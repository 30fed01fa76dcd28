"""Unit tests of the state transitions and transaction rollback (no sockets)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from emulators.shopify import EmulatorConfig, FakeClock
from emulators.shopify import ops_catalog as catalog
from emulators.shopify import ops_edits as edits
from emulators.shopify import ops_fulfillment as ful
from emulators.shopify import ops_orders as ops
from emulators.shopify.errors import UserErrorRaised
from emulators.shopify.store import ShopState, Store


@pytest.fixture
def store() -> Store:
    return Store(EmulatorConfig(), FakeClock())


def _ctx(store: Store) -> ops.Ctx:
    return ops.Ctx(store.shop(), store.now(), store.clock.monotonic(), 0.0)


def _order(store: Store) -> Any:
    with store.transaction(store.shop()):
        return ops.create_order(
            _ctx(store),
            ops.OrderSpec(
                lines=[
                    ops.LineSpec("Hat", 2, Decimal("15.00")),
                    ops.LineSpec("Cap", 1, Decimal("10.00")),
                ]
            ),
        )


def _events(store: Store) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    store.listeners.append(lambda shop, topic, _payload: seen.append((shop, topic)))
    return seen


def test_create_order_totals_and_events(store: Store) -> None:
    events = _events(store)
    order = _order(store)
    shop: ShopState = store.shop()
    assert shop.total(order) == Decimal("40.00") and order.paid == Decimal("40.00")
    assert [t for _, t in events] == ["orders/create", "orders/paid"]
    assert len(shop.fulfillment_orders_of(order)) == 1


def test_failed_snapshot_transaction_restores_everything(store: Store) -> None:
    order = _order(store)
    events = _events(store)
    shop = store.shop()
    fo = shop.fulfillment_orders_of(order)[0]
    with pytest.raises(UserErrorRaised), store.transaction(shop, snapshot=True):
        ful.hold(_ctx(store), fo, {"reason": "OTHER", "handle": "a"})
        ful.hold(_ctx(store), fo, {"reason": "OTHER", "handle": "a"})  # duplicate handle
    fo = shop.fulfillment_orders_of(order)[0]
    assert fo.holds == [] and fo.status == "OPEN"
    assert events == []


def test_refused_operations_change_nothing(store: Store) -> None:
    order = _order(store)
    events = _events(store)
    shop = store.shop()
    lines = shop.lines_of(order)
    before = [(li.refunded_quantity, li.current_quantity) for li in lines]
    with pytest.raises(UserErrorRaised), store.transaction(shop):
        ops.create_refund(
            _ctx(store),
            order,
            note="",
            lines=[
                {"lineItemId": lines[0].gid, "quantity": 2},
                {"lineItemId": lines[0].gid, "quantity": 1},  # 3 of 2: refused
            ],
            shipping=None,
            transactions=None,
        )
    assert [(li.refunded_quantity, li.current_quantity) for li in lines] == before
    with pytest.raises(UserErrorRaised), store.transaction(shop):
        ops.metafields_set(
            _ctx(store),
            [
                {"ownerId": order.gid, "key": "a", "type": "single_line_text_field", "value": "1"},
                {"ownerId": "gid://shopify/Order/1", "key": "b", "type": "x", "value": "2"},
            ],
        )
    assert shop.metafields == {} and shop.refunds == {} and events == []


def test_release_unknown_hold_and_all_holds(store: Store) -> None:
    order = _order(store)
    shop = store.shop()
    fo = shop.fulfillment_orders_of(order)[0]
    with store.transaction(shop):
        ful.hold(_ctx(store), fo, {"reason": "OTHER", "handle": "a"})
        ful.hold(_ctx(store), fo, {"reason": "OTHER", "handle": "b"})
    with pytest.raises(UserErrorRaised):
        ful.release_hold(_ctx(store), fo, ["gid://shopify/FulfillmentHold/9"])
    ful.release_hold(_ctx(store), fo, None)
    assert fo.status == "OPEN" and fo.holds == []


def test_cancel_twice_and_refund_limits(store: Store) -> None:
    order = _order(store)
    ctx = _ctx(store)
    with pytest.raises(UserErrorRaised, match="refundable"):
        ops.create_refund(
            ctx, order, note="", lines=[], shipping=None, transactions=[{"amount": "40.01"}]
        )
    ops.cancel_order(ctx, order, reason="FRAUD", restock=True, refund=True, staff_note="")
    assert order.financial_status == "REFUNDED" and order.refunded == Decimal("40.00")
    with pytest.raises(UserErrorRaised, match="already been cancelled"):
        ops.cancel_order(ctx, order, reason="FRAUD", restock=True, refund=True, staff_note="")


def test_edit_fulfilled_line_refused(store: Store) -> None:
    order = _order(store)
    ctx = _ctx(store)
    ful.fulfill(ctx, order, company="UPS", number="1Z")
    edit = edits.edit_begin(ctx, order)
    with pytest.raises(UserErrorRaised, match="fulfilled"):
        edits.edit_set_quantity(
            ctx, edit.gid, f"gid://shopify/CalculatedLineItem/{edit.lines[0].id}", 1
        )


def test_tags_add_dedups_case_insensitively(store: Store) -> None:
    order = _order(store)
    ops.tags_change(_ctx(store), order.gid, ["VIP", "vip", " new "], add=True)
    assert order.tags == ["VIP", "new"]
    ops.tags_change(_ctx(store), order.gid, ["vip"], add=False)
    assert order.tags == ["new"]


def test_out_of_stock_event(store: Store) -> None:
    shop = store.shop()
    events = _events(store)
    with store.transaction(shop):
        product = catalog.create_product(
            _ctx(store), title="Bag", variants=[("Tan", "B-1", Decimal("9"), 1)]
        )
        var_id = product.variant_ids[0]
        ops.create_order(
            _ctx(store),
            ops.OrderSpec(lines=[ops.LineSpec("Bag", 3, Decimal("9"), variant_id=var_id)]),
        )
    assert shop.variants[var_id].inventory_quantity == -2
    assert ("casebridge-demo.myshopify.com", "variants/out_of_stock") in events


def test_edit_commit_emits_order_edit_payload(store: Store) -> None:
    order = _order(store)
    seen: list[tuple[str, dict[str, Any]]] = []
    store.listeners.append(lambda _shop, topic, payload: seen.append((topic, payload)))
    shop = store.shop()
    with store.transaction(shop):
        ctx = _ctx(store)
        edit = edits.edit_begin(ctx, order)
        cap = edit.lines[1]
        edits.edit_set_quantity(ctx, edit.gid, f"gid://shopify/CalculatedLineItem/{cap.id}", 0)
        edits.edit_commit(ctx, edit.gid, "customer asked")
    edited = next(p for t, p in seen if t == "orders/edited")["order_edit"]
    assert edited["order_id"] == order.id and edited["staff_note"] == "customer asked"
    assert edited["line_items"] == {"additions": [], "removals": [{"id": cap.id, "delta": 1}]}
    assert order.note == ""  # the staff note is not written into the customer note
    assert shop.total(order) == Decimal("30.00")
