"""Unit tests of the scenario generator: deterministic and covering every trigger."""

from __future__ import annotations

from collections import Counter

from emulators.shopify import KINDS, EmulatorConfig, FakeClock, generate
from emulators.shopify.payloads import order
from emulators.shopify.store import Store


def _run(seed: int, n: int = 40) -> tuple[list[dict[str, object]], Counter[str], Store]:
    store = Store(EmulatorConfig(), FakeClock())
    topics: Counter[str] = Counter()
    store.listeners.append(lambda _shop, topic, _payload: topics.update([topic]))
    events = generate(store, n, seed=seed)
    return [e.as_dict() for e in events], topics, store


def test_same_seed_same_traffic() -> None:
    first, topics_a, store_a = _run(7)
    second, topics_b, store_b = _run(7)
    assert first == second and topics_a == topics_b
    shop_a, shop_b = store_a.shop(), store_b.shop()
    assert [order(shop_a, o) for o in shop_a.orders.values()] == [
        order(shop_b, o) for o in shop_b.orders.values()
    ]
    other, _, _ = _run(8)
    assert other != first


def test_every_kind_produces_its_trigger() -> None:
    store = Store(EmulatorConfig(), FakeClock())
    topics: Counter[str] = Counter()
    store.listeners.append(lambda _shop, topic, _payload: topics.update([topic]))
    events = generate(store, len(KINDS), seed=3, kinds=list(KINDS))
    assert [e.kind for e in events] == list(KINDS)
    for topic in (
        "orders/risk_assessment_changed",
        "returns/request",
        "fulfillment_events/create",
        "variants/out_of_stock",
        "products/update",
        "disputes/create",
        "orders/partially_fulfilled",
    ):
        assert topics[topic] >= 1, topic
    shop = store.shop()
    countries = {
        o.shipping_address.country_code for o in shop.orders.values() if o.shipping_address
    }
    assert countries & {"KP", "IR", "SY", "CU"}
    assert any(shop.total(o) > 3000 for o in shop.orders.values())
    assert any(o.note for o in shop.orders.values())
    assert {d.type for d in shop.disputes.values()} == {"chargeback", "inquiry"}
    customers = [shop.customers[o.customer_id] for o in shop.orders.values() if o.customer_id]
    assert any("VIP" in c.tags for c in customers) and any("wholesale" in c.tags for c in customers)


def test_random_mix_has_normal_majority() -> None:
    events, _, _ = _run(1, n=100)
    kinds = Counter(e["kind"] for e in events)
    assert kinds["normal"] > 20 and len(kinds) > 10
