"""The fulfillment-service (3PL) state machine of a fulfillment order (no sockets)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from emulators.shopify import EmulatorConfig, FakeClock, generate
from emulators.shopify import ops_fulfillment as ful
from emulators.shopify import ops_fulfillment_service as service
from emulators.shopify import ops_orders as ops
from emulators.shopify.config import ShopConfig
from emulators.shopify.errors import UserErrorRaised
from emulators.shopify.models import FulfillmentOrder
from emulators.shopify.store import Store

REJECTED = "fulfillment_orders/fulfillment_request_rejected"
FAILED = "fulfillment_orders/fulfillment_service_failed_to_complete"


@pytest.fixture
def store() -> Store:
    return Store(EmulatorConfig(), FakeClock())


def _ctx(store: Store) -> ops.Ctx:
    return ops.Ctx(store.shop(), store.now(), store.clock.monotonic(), 0.0)


def _fo(store: Store, *, third_party: bool = True) -> FulfillmentOrder:
    with store.transaction(store.shop()):
        order = ops.create_order(
            _ctx(store),
            ops.OrderSpec(
                lines=[ops.LineSpec("Hat", 2, Decimal("15.00"))], fulfillment_service=third_party
            ),
        )
    (fo,) = store.shop().fulfillment_orders_of(order)
    return fo


def _events(store: Store) -> list[tuple[str, dict[str, Any]]]:
    seen: list[tuple[str, dict[str, Any]]] = []
    store.listeners.append(lambda _shop, topic, payload: seen.append((topic, payload)))
    return seen


def _run(store: Store, change: Any) -> Any:
    with store.transaction(store.shop()):
        return change(_ctx(store))


def test_a_rejection_opens_the_fulfillment_order_again_and_says_why(store: Store) -> None:
    fo = _fo(store)
    assert fo.location_name == "Emulated 3PL" and fo.request_status == "UNSUBMITTED"
    events = _events(store)
    _run(store, lambda ctx: service.submit(ctx, fo, "", None))
    _run(store, lambda ctx: service.reject(ctx, fo, "No stock", "INVENTORY_OUT_OF_STOCK", []))
    assert (fo.status, fo.request_status) == ("OPEN", "REJECTED")
    topics = [topic for topic, _ in events]
    assert topics == ["fulfillment_orders/fulfillment_request_submitted", REJECTED]
    body = events[-1][1]
    assert body["fulfillment_order"]["id"] == fo.id
    assert body["fulfillment_order"]["request_status"] == "rejected"
    assert (body["message"], body["reason"]) == ("No stock", "inventory_out_of_stock")
    # A rejected request may be submitted again.
    _run(store, lambda ctx: service.submit(ctx, fo, "", None))
    assert fo.request_status == "SUBMITTED"


def test_a_service_that_cannot_complete_leaves_it_incomplete(store: Store) -> None:
    fo = _fo(store)
    events = _events(store)
    _run(store, lambda ctx: service.submit(ctx, fo, "", None))
    _run(store, lambda ctx: service.accept(ctx, fo, ""))
    assert (fo.status, fo.request_status) == ("IN_PROGRESS", "ACCEPTED")
    _run(store, lambda ctx: service.close(ctx, fo, "Parcel damaged"))
    assert (fo.status, fo.request_status) == ("INCOMPLETE", "CLOSED")
    topic, body = events[-1]
    assert topic == FAILED and body["message"] == "Parcel damaged"
    assert body["fulfillment_order"]["status"] == "incomplete"
    # Shopify splits only fulfillment orders still open.
    line = fo.lines[0]
    with pytest.raises(UserErrorRaised, match="cannot be split"):
        _run(store, lambda ctx: ful.split(ctx, fo, [{"id": line.gid, "quantity": 1}], []))


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([], service.accept),  # nothing requested yet
        ([], service.close),
        (["submit"], service.close),  # requested, not accepted
        (["submit", "accept"], service.accept),  # accepted twice
        (["submit", "accept"], service.submit),  # in progress
        (["submit", "reject"], service.close),
        (["submit", "accept", "close"], service.close),
        (["submit", "accept", "close"], service.submit),  # incomplete: not OPEN
    ],
)
def test_invalid_transitions_are_refused_and_change_nothing(
    store: Store, steps: list[str], refused: Any
) -> None:
    fo = _fo(store)
    apply = {
        "submit": lambda ctx: service.submit(ctx, fo, "", None),
        "accept": lambda ctx: service.accept(ctx, fo, ""),
        "reject": lambda ctx: service.reject(ctx, fo, "", None, []),
        "close": lambda ctx: service.close(ctx, fo, ""),
    }
    for step in steps:
        _run(store, apply[step])
    before = (fo.status, fo.request_status)
    events = _events(store)
    args: tuple[Any, ...] = (None,) if refused is service.submit else ()
    with pytest.raises(UserErrorRaised):
        _run(store, lambda ctx: refused(ctx, fo, "", *args))
    assert (fo.status, fo.request_status) == before and events == []


def test_the_merchants_own_location_has_no_fulfillment_requests(store: Store) -> None:
    fo = _fo(store, third_party=False)
    with pytest.raises(UserErrorRaised, match="not assigned to a fulfillment service"):
        _run(store, lambda ctx: service.submit(ctx, fo, "", None))


def test_a_rejection_naming_another_fulfillment_orders_line_is_refused(store: Store) -> None:
    fo, other = _fo(store), _fo(store)
    _run(store, lambda ctx: service.submit(ctx, fo, "", None))
    foreign = [{"fulfillmentOrderLineItemId": other.lines[0].gid}]
    with pytest.raises(UserErrorRaised) as refused:
        _run(store, lambda ctx: service.reject(ctx, fo, "", None, foreign))
    assert refused.value.field == ["lineItems", "0"] and fo.request_status == "SUBMITTED"


def test_every_shop_has_its_own_fulfillment_service_token() -> None:
    config = EmulatorConfig(
        shops=[ShopConfig(), ShopConfig(domain="b.myshopify.com", access_token="t2")]
    )
    assert [s.service_token for s in config.shops] == ["shpat_emulator_token_3pl", "t2_3pl"]
    store = Store(config, FakeClock())
    service_shop = store.fulfillment_service_shop("t2_3pl")
    assert service_shop is not None and service_shop.domain == "b.myshopify.com"
    assert store.shop_for_token("t2_3pl") is None  # not the merchant's app
    with pytest.raises(ValueError, match="distinct access tokens"):
        EmulatorConfig(
            shops=[
                ShopConfig(),
                ShopConfig(domain="b.myshopify.com", access_token="shpat_emulator_token_3pl"),
            ]
        )


@pytest.mark.parametrize(
    ("kind", "topic"), [("fulfillment_rejected", REJECTED), ("fulfillment_incomplete", FAILED)]
)
def test_the_scenario_kinds_send_the_webhooks(store: Store, kind: str, topic: str) -> None:
    events = _events(store)
    (event,) = generate(store, 1, seed=5, kinds=[kind])
    assert event.kind == kind and event.order_id
    assert topic in [t for t, _ in events]
