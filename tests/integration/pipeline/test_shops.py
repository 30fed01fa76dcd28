"""Two stores in one deployment, end to end: a real worker, the broker, both emulators.

The Shopify emulator runs two stores; the worker serves both from a shop
registry file. One store is cut to a tiny budget: the other store's holds and
decisions still go through while the throttled store's are still waiting
(ordering, not timings). Decisions are written to their own store, also by a
restarted worker (the decision of a case opened before the restart). A signed
webhook of a shop that is not in the registry is refused with 403.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.pipeline.conftest import Pipeline, running_pipeline
from tests.integration.pipeline.harness import (
    start_worker,
    wait_until,
    webhook_headers,
)
from tests.integration.pipeline.test_inbound import instances_for
from tests.integration.pipeline.test_outbound import (
    complete,
    numeric_id,
    our_holds,
    states,
    worker_extra,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

RUN = uuid.uuid4().hex[:8]
FAST = f"fast-{RUN}.myshopify.com"
SLOW = f"slow-{RUN}.myshopify.com"
TOKENS = {FAST: f"shpat_fast_{RUN}", SLOW: f"shpat_slow_{RUN}"}
TIMEOUT_S = 120


@pytest.fixture(scope="module")
def pipeline(
    bootstrap_servers: str, registry_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    shops_dir = tmp_path_factory.mktemp("shops")
    (shops_dir / "slow-token").write_text(TOKENS[SLOW])
    registry = {
        "shops": [
            {"domain": FAST, "access_token": TOKENS[FAST], "currency": "USD"},
            {
                "domain": SLOW,
                "access_token_file": "slow-token",
                "currency": "EUR",
                "opentext": {"models": {"ORDER_REVIEW": "casebridge.order_review"}},
            },
        ]
    }
    path = shops_dir / "shops.yaml"
    path.write_text(yaml.safe_dump(registry))
    extra = {
        **worker_extra(FAST),
        "CASEBRIDGE_SHOPS_FILE": str(path),
        "CASEBRIDGE_SHOPS_RELOAD_S": "1",
    }
    with running_pipeline(
        bootstrap_servers,
        registry_url,
        tmp_path_factory,
        worker_extra=extra,
        shopify_extra={
            "shops": [
                {"domain": d, "access_token": t, "currency": "USD"} for d, t in TOKENS.items()
            ]
        },
    ) as running:
        yield running


def shop_state(pipeline: Pipeline, shop: str) -> dict[str, Any]:
    shops = pipeline.emulators.shopify_state()["shops"]
    return next(s for s in shops if s["domain"] == shop)


def fulfillment_orders_in(pipeline: Pipeline, shop: str, order_id: str) -> list[dict[str, Any]]:
    wanted = int(order_id)
    return [
        fo for fo in shop_state(pipeline, shop)["fulfillment_orders"] if fo["order_id"] == wanted
    ]


def held(pipeline: Pipeline, shop: str, order_id: str) -> bool:
    fos = fulfillment_orders_in(pipeline, shop, order_id)
    return bool(fos) and all(our_holds(fo) for fo in fos)


def seed_risky(pipeline: Pipeline, shop: str, n: int) -> list[str]:
    body = {
        "shop": shop,
        "scenario": {"n": n, "seed": int(RUN, 16) % 99991 + n, "kinds": ["restricted_destination"]},
    }
    created = pipeline.emulators.seed(body)["scenario"]
    return [numeric_id(entry["order_id"]) for entry in created]


def applied(pipeline: Pipeline, case_id: str) -> dict[str, Any]:
    """The case's APPLIED state (any, not the last: the broker is shared with other tests)."""

    def probe() -> dict[str, Any] | None:
        found = [s for s in states(pipeline, case_id) if str(s["status"]).endswith("APPLIED")]
        return found[-1] if found else None

    return wait_until(
        probe, TIMEOUT_S, f"case {case_id} APPLIED\n{pipeline.worker.process.log_tail(3000)}", 0.5
    )


def review_case(pipeline: Pipeline, shop: str, order_id: str) -> str | None:
    found = instances_for(pipeline, "casebridge.order_review", shop=shop, orderId=order_id)
    return str(found[0]["businessKey"]) if found else None


def test_a_webhook_of_an_unregistered_shop_is_refused(pipeline: Pipeline) -> None:
    body = json.dumps({"id": 1, "name": "#1"}).encode()
    url = pipeline.worker.webhook_url

    refused = httpx.post(
        url,
        content=body,
        headers=webhook_headers("orders/create", body, shop="evil.myshopify.com"),
        timeout=10,
    )
    metrics = httpx.get(f"{pipeline.worker.web_url}/metrics", timeout=10).text

    assert refused.status_code == 403, refused.text
    assert "evil.myshopify.com is not registered" in refused.json()["detail"]
    assert 'casebridge_webhooks_rejected_total{reason="unknown_shop"}' in metrics


def test_a_store_added_to_the_registry_file_is_served_without_a_restart(
    pipeline: Pipeline,
) -> None:
    path = Path(pipeline.env["CASEBRIDGE_SHOPS_FILE"])
    late = f"late-{RUN}.myshopify.com"
    body = json.dumps({"id": 7, "name": "#7"}).encode()

    def deliver() -> int:
        headers = webhook_headers("orders/create", body, shop=late)
        return httpx.post(pipeline.worker.webhook_url, content=body, headers=headers).status_code

    assert deliver() == 403
    registry = yaml.safe_load(path.read_text())
    # A bad edit first: the worker keeps serving the two stores it has.
    path.write_text(yaml.safe_dump({"shops": [*registry["shops"], {"domain": late}]}))
    wait_until(
        lambda: (
            'casebridge_shop_registry_reloads_total{result="error"}'
            in httpx.get(f"{pipeline.worker.web_url}/metrics", timeout=10).text
        ),
        TIMEOUT_S,
        "the bad registry edit to be counted",
    )
    assert deliver() == 403
    late_entry = {"domain": late, "access_token": f"shpat_late_{RUN}"}
    path.write_text(yaml.safe_dump({"shops": [*registry["shops"], late_entry]}))

    wait_until(lambda: deliver() == 200, TIMEOUT_S, f"{late} to be accepted after the reload")
    path.write_text(yaml.safe_dump(registry))
    wait_until(lambda: deliver() == 403, TIMEOUT_S, f"{late} to be refused once removed")


def test_a_throttled_store_never_slows_the_other(pipeline: Pipeline) -> None:
    faults = f"{pipeline.emulators.shopify_url}/_emulator/faults"
    # The slow store restores half a point a second: a handful of holds drain it for minutes.
    httpx.post(
        faults, json={"shop": SLOW, "restore_rate": 0.5, "maximum_available": 30}, timeout=10
    ).raise_for_status()
    try:
        slow_orders = seed_risky(pipeline, SLOW, 6)
        fast_orders = seed_risky(pipeline, FAST, 3)

        # Every hold of the fast store goes on, and one of its decisions is written back...
        for order_id in fast_orders:
            wait_until(
                lambda order_id=order_id: held(pipeline, FAST, order_id),  # type: ignore[misc]
                TIMEOUT_S,
                f"our hold on {FAST} order {order_id}\n{pipeline.worker.process.log_tail(3000)}",
                0.5,
            )
        fast_case = wait_until(
            lambda: review_case(pipeline, FAST, fast_orders[0]),
            TIMEOUT_S,
            "the fast store's case",
            0.5,
        )
        complete(pipeline, fast_case, "approved", reason="fine")
        applied(pipeline, fast_case)
        assert not any(
            our_holds(fo) for fo in fulfillment_orders_in(pipeline, FAST, fast_orders[0])
        )
        # ...while the throttled store is still working through its own holds.
        waiting = [o for o in slow_orders if not held(pipeline, SLOW, o)]
        assert waiting, "every hold of the throttled store went on before the fast store's work"
        assert "shpat" not in pipeline.worker.process.log_tail(20000)
    finally:
        httpx.delete(faults, timeout=10).raise_for_status()

    # With its budget back, the slow store's holds all go on: it was only ever waiting.
    for order_id in slow_orders:
        wait_until(
            lambda order_id=order_id: held(pipeline, SLOW, order_id),  # type: ignore[misc]
            TIMEOUT_S,
            f"our hold on {SLOW} order {order_id}\n{pipeline.worker.process.log_tail(3000)}",
            0.5,
        )
    budget = httpx.get(f"{pipeline.worker.web_url}/metrics", timeout=10).text
    for shop in (FAST, SLOW):
        assert f'casebridge_shopify_restore_rate{{shop="{shop}"}}' in budget
    # Every per-shop series names its store: webhooks, remote calls, decisions.
    assert shop_total(budget, "casebridge_webhooks_accepted_total", FAST) >= len(fast_orders)
    assert shop_total(budget, "casebridge_webhooks_accepted_total", SLOW) >= len(slow_orders)
    for shop in (FAST, SLOW):
        calls = shop_total(budget, "casebridge_remote_call_seconds_count", shop, client="shopify")
        assert calls > 0, shop
    assert shop_total(budget, "casebridge_remote_call_seconds_count", FAST, client="opentext") > 0
    assert shop_total(budget, "casebridge_decisions_total", FAST, result="applied") == 1
    assert shop_total(budget, "casebridge_decisions_total", SLOW, result="applied") == 0


def shop_total(text: str, name: str, shop: str, **labels: str) -> float:
    """The sum of ``name``'s samples of ``shop`` (and ``labels``) in a /metrics text."""
    wanted = {"shop": shop, **labels}
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and wanted.items() <= sample.labels.items()
    )


def test_decisions_are_written_to_their_own_store_across_a_restart(pipeline: Pipeline) -> None:
    fast_order = seed_risky(pipeline, FAST, 1)[0]
    slow_order = seed_risky(pipeline, SLOW, 1)[0]
    cases = {}
    for shop, order_id in ((FAST, fast_order), (SLOW, slow_order)):
        wait_until(
            lambda shop=shop, order_id=order_id: held(pipeline, shop, order_id),
            TIMEOUT_S,
            f"hold on {shop} {order_id}",
            0.5,
        )  # type: ignore[misc]
        cases[shop] = wait_until(
            lambda shop=shop, order_id=order_id: review_case(pipeline, shop, order_id),
            TIMEOUT_S,
            f"case of {shop} {order_id}",
            0.5,
        )  # type: ignore[misc]

    # A new worker process (same group, committed offsets) takes over both shops' partitions.
    pipeline.worker.process.stop()
    pipeline.worker = start_worker(
        "worker-restarted", pipeline.env, pipeline.logs, reset_offsets=False
    )
    complete(pipeline, cases[SLOW], "approved", reason="ok")
    complete(pipeline, cases[FAST], "approved", reason="ok")

    for shop, order_id in ((FAST, fast_order), (SLOW, slow_order)):
        state = applied(pipeline, cases[shop])
        assert state["shop"] == shop
        assert not any(our_holds(fo) for fo in fulfillment_orders_in(pipeline, shop, order_id))
    # Each store's audit tag is on its own order only.
    for shop, order_id in ((FAST, fast_order), (SLOW, slow_order)):
        other = SLOW if shop == FAST else FAST
        mine = [o for o in shop_state(pipeline, shop)["orders"] if str(o["id"]) == order_id]
        assert mine and any(cases[shop] in tag for tag in _tags(mine[0])), mine
        assert not any(
            cases[shop] in tag for o in shop_state(pipeline, other)["orders"] for tag in _tags(o)
        )


def _tags(order: dict[str, Any]) -> list[str]:
    tags = order.get("tags") or []
    return [t.strip() for t in tags.split(",")] if isinstance(tags, str) else list(tags)
