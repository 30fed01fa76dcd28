"""UC1 inventory mismatch from the stock kept from webhooks (no sockets, no API)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from schemas.records import CaseType
from streams.classify.rules import ClassificationError, ClassifyContext, classify_event
from streams.classify.rules.inventory import (
    KEPT_LEVELS,
    level_updates,
    merge_level,
    variant_entries,
)
from streams.policy import Policy
from streams.policy.model import InventoryRule, OrderReviewPolicy, OrdersPolicy

from .conftest import NOW, SHOP, make_event, make_order

PLACED = "2026-11-26T11:00:00Z"


class Stock:
    """The two inventory tables as the agent keeps them, fed by webhook events."""

    def __init__(self) -> None:
        self.variants: dict[str, Any] = {}
        self.levels: dict[str, Any] = {}

    def product(self, variants: list[dict[str, Any]], shop: str = SHOP) -> Stock:
        payload = {"id": 5, "title": "Mug", "updated_at": "2026-11-01T00:00:00Z"}
        event = make_event("products/update", {**payload, "variants": variants}, shop=shop)
        self.variants.update(variant_entries(event))
        return self

    def level(self, item: int, location: int, available: int | None, at: str) -> Stock:
        body = {
            "inventory_item_id": item,
            "location_id": location,
            "available": available,
            "updated_at": at,
        }
        for key, update in level_updates(make_event("inventory_levels/update", body)):
            self.levels[key] = merge_level(self.levels.get(key), update)
        return self

    def context(self) -> ClassifyContext:
        return ClassifyContext(inventory_variants=self.variants, inventory_levels=self.levels)


def _policy(base: Policy, **rule: Any) -> Policy:
    inventory = InventoryRule(**rule)
    review = OrderReviewPolicy(inventory=inventory)
    return base.model_copy(update={"orders": OrdersPolicy(review=review)})


def _order(quantity: int, created_at: str = PLACED) -> dict[str, Any]:
    line = {"id": 1, "variant_id": 11, "sku": "MUG-1", "title": "Mug", "quantity": quantity}
    return make_order(line_items=[line], created_at=created_at)


def _review(policy: Policy, order: dict[str, Any], stock: Stock) -> Any:
    cases = classify_event(make_event("orders/create", order), policy, stock.context(), NOW)
    found = [c for c in cases if c.case_type is CaseType.ORDER_REVIEW]
    return found[0] if found else None


def _vars(case: Any) -> dict[str, str]:
    return {v.name: v.value for v in case.variables}


def test_order_over_the_stock_before_it_opens_an_inventory_review(policy: Policy) -> None:
    stock = Stock().product([{"id": 11, "inventory_item_id": 901}])
    stock.level(901, 1, 3, "2026-11-26T10:00:00Z")
    # The order's own decrement comes after the order: never compared with.
    stock.level(901, 1, -2, "2026-11-26T11:00:00Z")
    case = _review(policy, _order(5), stock)
    assert case is not None
    assert [r.code for r in case.reasons] == ["INVENTORY_MISMATCH"]
    assert case.reasons[0].detail == "MUG-1: ordered 5, 3 available"
    assert case.teams == ["operations"]
    compared = [{"variantId": "11", "sku": "MUG-1", "quantity": 5, "available": 3}]
    assert json.loads(_vars(case)["inventoryAvailability"]) == compared
    assert json.loads(_vars(case)["inventoryShortLines"]) == compared
    assert _review(policy, _order(3), stock) is None


def test_total_sums_locations_and_location_mode_takes_the_best_one(policy: Policy) -> None:
    stock = Stock().product([{"id": 11, "inventory_item_id": 901}])
    stock.level(901, 1, 2, "2026-11-26T09:00:00Z").level(901, 2, 3, "2026-11-26T09:30:00Z")
    assert _review(policy, _order(5), stock) is None
    by_location = _policy(policy, mode="location")
    case = _review(by_location, _order(5), stock)
    assert case is not None and "ordered 5, 3 available" in case.reasons[0].detail


def test_threshold_keeps_units_back(policy: Policy) -> None:
    stock = Stock().product([{"id": 11, "inventory_item_id": 901}])
    stock.level(901, 1, 5, "2026-11-26T09:00:00Z")
    assert _review(policy, _order(4), stock) is None
    case = _review(_policy(policy, threshold=2), _order(4), stock)
    assert case is not None and "(2 kept back)" in case.reasons[0].detail


def test_late_older_level_takes_its_place_in_time_order(policy: Policy) -> None:
    stock = Stock().product([{"id": 11, "inventory_item_id": 901}])
    stock.level(901, 1, 9, "2026-11-26T10:30:00Z")
    stock.level(901, 1, 1, "2026-11-26T10:00:00Z")  # delivered late
    case = _review(policy, _order(4), stock)
    assert case is None  # 9 was the level just before the order
    early = _review(policy, _order(4, "2026-11-26T10:10:00Z"), stock)
    assert early is not None and "1 available" in early.reasons[0].detail


def test_variant_quantity_from_product_webhook_when_no_level_is_known(policy: Policy) -> None:
    variant = {"id": 11, "inventory_item_id": None, "inventory_quantity": 1}
    stock = Stock().product([variant])
    case = _review(policy, _order(2), stock)
    assert case is not None and "1 available" in case.reasons[0].detail


def test_unknown_variant_is_said_and_reviewed_only_when_asked(policy: Policy) -> None:
    stock = Stock()
    # Another reason opens the review: it says plainly that the stock is unknown.
    risky = {**_order(2), "risk_level": "HIGH"}
    case = _review(policy, risky, stock)
    assert [r.code for r in case.reasons] == ["RISK_HIGH"]
    assert json.loads(_vars(case)["inventoryUnknownLines"]) == [
        {"variantId": "11", "sku": "MUG-1", "quantity": 2}
    ]
    assert _review(policy, _order(2), stock) is None
    case = _review(_policy(policy, on_unknown="review"), _order(2), stock)
    assert [r.code for r in case.reasons] == ["INVENTORY_UNKNOWN"]
    assert "MUG-1" in case.reasons[0].detail


def test_levels_are_per_shop(policy: Policy) -> None:
    stock = Stock().product([{"id": 11, "inventory_item_id": 901}], shop="other.myshopify.com")
    stock.level(901, 1, 0, "2026-11-26T09:00:00Z")
    case = _review(policy, {**_order(2), "risk_level": "HIGH"}, stock)
    assert "inventoryUnknownLines" in _vars(case)


def test_disabled_rule_reads_nothing(policy: Policy) -> None:
    stock = Stock().product([{"id": 11, "inventory_item_id": 901}])
    stock.level(901, 1, 0, "2026-11-26T09:00:00Z")
    assert _review(_policy(policy, enabled=False), _order(2), stock) is None


def test_merge_is_idempotent_and_bounded() -> None:
    stock = Stock()
    for minute in range(KEPT_LEVELS + 3):
        stock.level(901, 1, minute, f"2026-11-26T09:{minute:02d}:00Z")
    stock.level(901, 1, 0, "2026-11-26T09:00:00Z")  # a redelivery of an old one
    (entry,) = stock.levels.values()
    samples = entry["locations"]["1"]
    assert len(samples) == KEPT_LEVELS
    assert [s[1] for s in samples] == list(range(3, KEPT_LEVELS + 3))


def test_bad_inventory_level_names_the_field() -> None:
    event = make_event("inventory_levels/update", {"inventory_item_id": 1, "available": 2})
    with pytest.raises(ClassificationError, match="location_id: missing id"):
        level_updates(event)


def test_a_level_of_the_orders_own_second_may_be_before_it_so_the_highest_counts(
    policy: Policy,
) -> None:
    stock = Stock().product([{"id": 11, "inventory_item_id": 901}])
    stock.level(901, 1, 1, "2026-11-26T10:00:00Z")
    # Same second as the order (Shopify stamps whole seconds): a restock, maybe before it.
    stock.level(901, 1, 50, "2026-11-26T11:00:00Z")
    assert _review(policy, _order(5), stock) is None


def test_levels_of_one_second_arrive_in_no_known_order(policy: Policy) -> None:
    stock = Stock().product([{"id": 11, "inventory_item_id": 901}])
    stock.level(901, 1, 40, "2026-11-26T10:00:00Z")  # the restock, delivered first
    stock.level(901, 1, 0, "2026-11-26T10:00:00Z")  # the sale before it, delivered late
    assert _review(policy, _order(5), stock) is None


def test_only_levels_of_the_orders_own_second_are_unknown_availability(policy: Policy) -> None:
    stock = Stock().product([{"id": 11, "inventory_item_id": 901}])
    stock.level(901, 1, -2, PLACED)  # the order's own decrement: not what was there before
    case = _review(_policy(policy, on_unknown="review"), _order(5), stock)
    assert [r.code for r in case.reasons] == ["INVENTORY_UNKNOWN"]
