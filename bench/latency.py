"""Benchmark (d): end-to-end latency under the store's API budget. ``python -m bench.latency``.

Real processes: a dedicated Kafka broker (or ``--bootstrap``), the schema
registry, the Shopify and OpenText emulators and one casebridge worker with
every role. Per scenario, fresh emulators and a fresh worker:

* **(a) standard**: a Standard-plan store (bucket 1,000 points, 100/s)
  receiving 2 orders/s, every 5th one (20 %) shipping to a restricted
  country (``orders.review.destination`` of ``deploy/policy/default.yaml``);
* **(b) plus**: a Plus store (10,000 points, 1,000/s) receiving 20 orders/s,
  every 10th one (10 %) flagged.

Orders are created open-loop (order *i* at ``start + i / rate``) through the
Shopify emulator's ``POST /_emulator/seed``; the emulator emits the signed
``orders/create`` webhook, and the ``orders/updated``,
``fulfillment_orders/placed_on_hold`` ... webhooks that follow every change,
to the worker's ingress. The OpenText emulator decides each review task by
itself ``--decision-delay`` seconds after it was created (80 % approved,
15 % rejected, 5 % corrected) and pushes the decision to the worker's
callback endpoint (history polling stays on as the safety net).

Measured, per flagged order, from timestamps the services themselves record
(no polling delay in any figure):

* **webhook -> hold**: the ``orders/create`` ShopifyEvent's ``received_at``
  (ingress, read back from ``shopify.webhooks``) to the commit of the
  ``fulfillmentOrderHold`` in the Shopify emulator's mutation journal
  (``GET /_emulator/mutations``); also from the seed call (the order's
  creation, so including the emulator's webhook delivery);
* **webhook -> OpenText instance**: to the instance's ``startTime``;
* **decision -> effect**: the review task's ``endTime`` in OpenText to the
  commit of the release (``fulfillmentOrderReleaseHold``) or cancellation
  (``orderCancel``), and to the last write-back (the audit tag).

Also: consumer lag of the worker's groups every 10 s (start / middle / end of
the traffic, and whether it grows), THROTTLED answers counted by the
emulator, Shopify points requested / charged per case type and class (the
worker's ``casebridge_shopify_points_total``), enrichments deferred (the
``cases.requests`` records opened with ``enrichment_complete=false``), the
budget scheduler's queue and oldest wait per class (sampled from
``/metrics``) and the mean duration of each remote call.

Same-run floor: ``--floor N`` orders held directly by
:class:`~connectors.shopify.ShopifyAdminClient` (``CasebridgeHoldTargets``,
then ``fulfillmentOrderHold``) against the same emulator, one at a time,
once the worker is idle.

Targets: webhook -> hold p99 < 1 s, decision -> effect p99 < 2 s, lag not
growing, 0 THROTTLED, in both scenarios.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from bench.common import (
    Machine,
    add_broker_arguments,
    cpu_seconds,
    describe_machine,
    free_port,
    kafka_broker,
    load_average,
    publish,
    python,
    running_worker,
    table,
)
from bench.observe import (
    ORDER_REVIEW_MODEL,
    SHOP,
    fulfillment_order_owners,
    journal,
    opentext_view,
    partition_ends,
    read_models,
)
from bench.timing import (
    EFFECT_FIELDS,
    HOLD_FIELD,
    LagTrend,
    Summary,
    budget_extremes,
    deltas,
    gid_number,
    lag_tolerance,
    lag_trend,
    points_by_case_type,
    remote_calls,
    writes_by_order,
)
from connectors.shopify import ShopifyAdminClient, ShopifyClientConfig
from connectors.shopify import operations as ops
from schemas.records import CaseRequest, ShopifyEvent
from streams.classify.enrich.holds import HOLDABLE_STATUSES
from streams.ops.config import DEFAULT_TOPIC_EXCLUDES
from streams.ops.lag import AdminOffsetsSource, measure
from streams.topics import CASES_REQUESTS, SHOPIFY_WEBHOOKS, ensure_topics, topic_specs
from tests.integration.pipeline.harness import Emulators, emulators, wait_until

TOKEN = "shpat_emulator_token"
CALLBACK_SECRET = "bench-latency-callback-secret"
HOLD_TARGET_S = 1.0
EFFECT_TARGET_S = 2.0
SAMPLE_INTERVAL_S = 5.0
LAG_INTERVAL_S = 10.0


@dataclass(frozen=True)
class Scenario:
    """One store and its traffic."""

    key: str
    title: str
    plan: str
    rate: float
    flagged_every: int

    @property
    def flagged_share(self) -> float:
        """The share of orders shipping to a restricted country."""
        return 1 / self.flagged_every


SCENARIOS = {
    "standard": Scenario(
        "standard", "(a) Standard store, 2 orders/s, 20 % flagged", "standard", 2.0, 5
    ),
    "plus": Scenario("plus", "(b) Plus store, 20 orders/s, 10 % flagged", "plus", 20.0, 10),
}


@dataclass
class Seeded:
    """An order the load generator created."""

    order: str
    flagged: bool
    sent_at: float
    answered_at: float


@dataclass
class Samples:
    """What the sampler thread saw: worker metrics and consumer lag over time."""

    metrics: list[tuple[float, str]] = field(default_factory=list)
    lag: list[tuple[float, int]] = field(default_factory=list)
    lag_errors: list[str] = field(default_factory=list)


@dataclass
class ScenarioResult:
    """Everything one scenario measured."""

    scenario: Scenario
    duration_s: float
    seeded: list[Seeded]
    behind_s: float
    hold_from_webhook: Summary
    hold_from_create: Summary
    instance_from_webhook: Summary
    effect_from_decision: Summary
    last_write_from_decision: Summary
    floor_hold: Summary
    floor_round_trip: Summary
    missing: dict[str, int]
    lag: LagTrend | None
    lag_after_drain: dict[str, int]
    lag_tolerance: int
    throttled_emulator: int
    throttled_worker_log: int
    webhooks: Counter[str]
    cases: Counter[str]
    outcomes: Counter[str]
    points: dict[tuple[str, str], dict[str, float]]
    deferred: int
    deferred_completed: int
    budget_waits: dict[str, float]
    budget_depth: dict[str, float]
    remote_calls: list[tuple[str, str, int, float]]
    cpu: dict[str, float]
    notes: list[str] = field(default_factory=list)

    def met(self) -> dict[str, bool]:
        """Each target: met or not."""
        return {
            "hold p99 < 1 s": self.hold_from_webhook.meets(HOLD_TARGET_S)
            and not self.missing.get("hold"),
            "decision -> effect p99 < 2 s": self.effect_from_decision.meets(EFFECT_TARGET_S)
            and not self.missing.get("effect"),
            "lag not growing": self.lag is not None and not self.lag.growing,
            "0 THROTTLED": self.throttled_emulator == 0,
        }


# --- the processes ------------------------------------------------------------------------------


@contextlib.contextmanager
def scenario_processes(
    tmp: Path, scenario: Scenario, bootstrap: str, registry: str, decision_delay_s: float
) -> Iterator[tuple[Emulators, Any, str]]:
    """The emulators for ``scenario`` and one worker with every role; yields (emu, worker, url)."""
    port = free_port()
    worker_url = f"http://127.0.0.1:{port}"
    # Only order reviews are decided by the emulator: it cannot supply what other
    # outcomes need (a corrected address, the fulfillment order to split), and a
    # decision the worker must refuse for lack of data measures nothing.
    opentext_config = {
        "decisions": {
            "mode": "manual",
            "delay_seconds": decision_delay_s,
            "seed": 7,
            "policies": {
                ORDER_REVIEW_MODEL: {
                    "mode": "auto",
                    "weights": {"approved": 0.85, "rejected": 0.15},
                }
            },
        },
        "callback": {
            "url": f"{worker_url}/callbacks/opentext",
            "auth": "hmac",
            "hmac_secret": CALLBACK_SECRET,
            "events": "instance_end",
        },
    }
    shopify_extra = {"shops": [{"plan": scenario.plan}], "seed_orders": 0}
    work = tmp / scenario.key
    work.mkdir(parents=True, exist_ok=True)
    with emulators(
        work,
        f"{worker_url}/webhooks/shopify",
        shopify_extra=shopify_extra,
        opentext_config=opentext_config,
    ) as emu:
        extra_env = {
            "CASEBRIDGE_DECISIONS__CALLBACK_ENABLED": "true",
            "CASEBRIDGE_DECISIONS__CALLBACK_HMAC_SECRETS": json.dumps([CALLBACK_SECRET]),
        }
        app_id = f"bench-latency-{scenario.key}-{uuid.uuid4().hex[:6]}"
        with running_worker(
            work,
            app_id,
            [python(), "-m", "streams.cli", "worker"],
            bootstrap=bootstrap,
            registry=registry,
            emulators=emu,
            web_port=port,
            extra_env=extra_env,
        ) as worker:
            wait_until(
                lambda: httpx.get(f"{worker_url}/metrics", timeout=5).status_code == 200,
                60,
                "the worker's /metrics",
            )
            yield emu, worker, worker_url


# --- traffic ------------------------------------------------------------------------------------


async def drive(
    shopify_url: str, scenario: Scenario, duration_s: float, seed: int
) -> tuple[list[Seeded], float]:
    """Create ``rate x duration`` orders open-loop; returns them and how late the generator got."""
    count = round(scenario.rate * duration_s)
    out: list[Seeded] = []
    behind = 0.0
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
    async with httpx.AsyncClient(base_url=shopify_url, timeout=30, limits=limits) as client:

        async def one(index: int) -> None:
            flagged = index % scenario.flagged_every == 0
            kind = "restricted_destination" if flagged else "normal"
            sent = time.time()
            response = await client.post(
                "/_emulator/seed",
                json={"scenario": {"n": 1, "seed": seed + index, "kinds": [kind]}},
            )
            response.raise_for_status()
            order = gid_number(response.json()["scenario"][0]["order_id"])
            if order is None:
                raise RuntimeError(f"seed answered no order id: {response.text[:200]}")
            out.append(Seeded(order, flagged, sent, time.time()))

        start = time.monotonic()
        tasks = []
        for index in range(count):
            delay = start + index / scenario.rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                behind = max(behind, -delay)
            tasks.append(asyncio.create_task(one(index)))
        await asyncio.gather(*tasks)
    return out, behind


class Sampler:
    """Samples the worker's /metrics and its groups' consumer lag in a thread."""

    def __init__(
        self, worker_url: str, bootstrap: str, group_prefix: str, lag_interval_s: float
    ) -> None:
        self.samples = Samples()
        self._lag_interval = lag_interval_s
        self._url = worker_url
        self._bootstrap = bootstrap
        self._prefix = group_prefix
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def lag_by_topic(self) -> dict[str, int]:
        """Records the worker's groups are behind right now, per topic (summed over groups)."""
        source = AdminOffsetsSource({"bootstrap.servers": self._bootstrap})
        groups = [g for g in source.list_groups() if g.startswith(self._prefix)]
        out: dict[str, int] = {}
        # Faust's table changelogs are the worker's own output, not work it consumes:
        # left out like the worker's lag monitor leaves them out.
        for group in measure(source, groups, exclude_topics=DEFAULT_TOPIC_EXCLUDES).groups:
            for p in group.partitions:
                out[p.topic] = out.get(p.topic, 0) + (p.lag or 0)
        return out

    def lag_now(self) -> int:
        """Records the worker's groups are behind right now (summed over groups and topics)."""
        return sum(self.lag_by_topic().values())

    def start(self) -> None:
        """Start sampling."""

        def loop() -> None:
            next_lag = 0.0
            with httpx.Client(timeout=10) as client:
                while not self._stop.is_set():
                    now = time.monotonic()
                    with contextlib.suppress(httpx.HTTPError):
                        text = client.get(f"{self._url}/metrics").text
                        self.samples.metrics.append((now, text))
                    if now >= next_lag:
                        next_lag = now + self._lag_interval
                        try:
                            self.samples.lag.append((now, self.lag_now()))
                        except Exception as exc:  # a slow broker answer: note it, go on
                            self.samples.lag_errors.append(str(exc)[:200])
                    self._stop.wait(min(SAMPLE_INTERVAL_S, self._lag_interval))

        self._thread = threading.Thread(target=loop, name="latency-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)


# --- reading back what happened -------------------------------------------------------------


# --- the floor ------------------------------------------------------------------------------


def floor_orders(emu: Emulators, count: int) -> list[str]:
    """Create ``count`` ordinary orders for the floor (they open no case)."""
    created = emu.seed({"scenario": {"n": count, "seed": 991, "kinds": ["normal"]}})["scenario"]
    return [number for e in created if (number := gid_number(e["order_id"])) is not None]


async def floor(emu: Emulators, orders: list[str]) -> tuple[list[float], list[float]]:
    """Hold ``orders`` directly with the client, one at a time.

    Returns (seconds from the first request to the hold's commit in the
    journal, seconds of the client's whole read + mutation round trip).
    """
    config = ShopifyClientConfig(
        shop_domain=SHOP, access_token=SecretStr(TOKEN), base_url=emu.shopify_url
    )
    starts: list[tuple[float, str]] = []
    trips: list[float] = []
    async with ShopifyAdminClient(config) as client:
        for index, order in enumerate(orders):
            began, clock = time.time(), time.monotonic()
            found = await ops.get_hold_targets(client, f"gid://shopify/Order/{order}") or {}
            nodes = (found.get("fulfillmentOrders") or {}).get("nodes") or []
            for node in (n for n in nodes if n.get("status") in HOLDABLE_STATUSES):
                # "casebridge-": the worker's classifier ignores its own holds, so the
                # placed_on_hold webhook that follows opens no case.
                await ops.fulfillment_order_hold(
                    client,
                    str(node["id"]),
                    reason="HIGH_RISK_OF_FRAUD",
                    handle=f"casebridge-floor-{index}",
                )
            trips.append(time.monotonic() - clock)
            starts.append((began, order))
    entries, _ = journal(emu.shopify_url)
    owners = fulfillment_order_owners(emu.shopify_url, entries)
    writes = writes_by_order(entries, owners)
    holds: list[float] = []
    for began, order in starts:
        written = writes.get(order)
        at = written.first(HOLD_FIELD, after=began) if written else None
        if at is not None:
            holds.append(at - began)
    return holds, trips


# --- one scenario ---------------------------------------------------------------------------


def drained(emu: Emulators, flagged: set[str], owners: dict[str, str]) -> bool:
    """Whether every flagged order has been decided in OpenText and its effect written."""
    view = opentext_view(emu.opentext_url)
    if any(o not in view.decided for o in flagged):
        return False
    entries, _ = journal(emu.shopify_url)
    writes = writes_by_order(entries, fulfillment_order_owners(emu.shopify_url, entries, owners))
    return all(
        o in writes and writes[o].first(EFFECT_FIELDS, after=view.decided[o]) is not None
        for o in flagged
    )


def run_scenario(
    tmp: Path,
    scenario: Scenario,
    bootstrap: str,
    args: argparse.Namespace,
) -> ScenarioResult:
    """Run one scenario end to end and measure it."""
    print(f"== {scenario.title}: {args.duration:.0f} s", flush=True)
    with scenario_processes(tmp, scenario, bootstrap, args.registry, args.decision_delay) as (
        emu,
        worker,
        worker_url,
    ):
        # Warm up: the catalogue, the worker's connections and documents.
        emu.seed({"scenario": {"n": 3, "seed": 1, "kinds": ["normal"]}})
        time.sleep(3.0)
        webhooks_start = partition_ends(bootstrap, SHOPIFY_WEBHOOKS)
        requests_start = partition_ends(bootstrap, CASES_REQUESTS)
        # At least eight lag samples over the traffic, at most one every 10 s.
        lag_every = max(2.0, min(LAG_INTERVAL_S, args.duration / 8))
        sampler = Sampler(worker_url, bootstrap, worker.name, lag_every)
        pids = {
            "worker": worker.popen.pid,
            "Shopify emulator": emu.processes[0].popen.pid,
            "OpenText emulator": emu.processes[1].popen.pid,
        }
        cpu_before = {k: cpu_seconds(p) for k, p in pids.items()}
        sampler.start()
        began = time.monotonic()
        seeded, behind = asyncio.run(
            drive(emu.shopify_url, scenario, args.duration, seed=int(time.time()) % 100_000)
        )
        traffic_s = time.monotonic() - began
        traffic_lag = list(sampler.samples.lag)
        print(f"  {len(seeded)} orders in {traffic_s:.1f} s; draining", flush=True)
        flagged = {s.order for s in seeded if s.flagged}
        owners: dict[str, str] = {}
        deadline = time.monotonic() + args.decision_delay + args.drain
        while time.monotonic() < deadline:
            if drained(emu, flagged, owners):
                break
            time.sleep(3.0)
        time.sleep(2.0)
        lag_after = sampler.lag_by_topic()
        sampler.stop()
        cpu = {k: cpu_seconds(p) - cpu_before[k] for k, p in pids.items()}
        print(f"  floor: {args.floor} direct holds", flush=True)
        floor_holds, floor_trips = asyncio.run(floor(emu, floor_orders(emu, args.floor)))
        entries, throttled = journal(emu.shopify_url)
        fulfillment_order_owners(emu.shopify_url, entries, owners)
        view = opentext_view(emu.opentext_url)
        final_metrics = httpx.get(f"{worker_url}/metrics", timeout=10).text
    log_text = worker.log_path.read_text(errors="replace")
    events: list[ShopifyEvent] = read_models(
        bootstrap, SHOPIFY_WEBHOOKS, webhooks_start, args.registry
    )
    requests: list[CaseRequest] = read_models(
        bootstrap, CASES_REQUESTS, requests_start, args.registry
    )

    received: dict[str, float] = {}
    topics: Counter[str] = Counter()
    for event in events:
        topics[event.topic] += 1
        order = gid_number(event.order_id)
        if event.topic == "orders/create" and order is not None:
            received.setdefault(order, event.received_at.timestamp())
    incomplete = {r.case_id for r in requests if not r.enrichment_complete}
    completed = {r.case_id for r in requests if r.enrichment_complete and r.case_id in incomplete}

    writes = writes_by_order(entries, owners)
    flagged_orders = [s for s in seeded if s.flagged]
    hold_at = {
        s.order: (writes[s.order].first(HOLD_FIELD) if s.order in writes else None)
        for s in flagged_orders
    }
    from_webhook, missing_hold = deltas(
        {s.order: received[s.order] for s in flagged_orders if s.order in received}, hold_at
    )
    from_create, _ = deltas({s.order: s.sent_at for s in flagged_orders}, hold_at)
    to_instance, missing_instance = deltas(
        {s.order: received[s.order] for s in flagged_orders if s.order in received},
        {o: view.started.get(o) for o in flagged},
    )
    decided = {o: t for o, t in view.decided.items() if o in flagged}
    effect_at = {
        o: (writes[o].first(EFFECT_FIELDS, after=t) if o in writes else None)
        for o, t in decided.items()
    }
    last_at = {o: (writes[o].last(after=t) if o in writes else None) for o, t in decided.items()}
    to_effect, missing_effect = deltas(decided, effect_at)
    to_last, _ = deltas(decided, last_at)
    waits, depth = budget_extremes(text for _, text in sampler.samples.metrics)
    tolerance = lag_tolerance(scenario.rate)
    result = ScenarioResult(
        scenario=scenario,
        duration_s=traffic_s,
        seeded=seeded,
        behind_s=behind,
        hold_from_webhook=Summary.of(from_webhook),
        hold_from_create=Summary.of(from_create),
        instance_from_webhook=Summary.of(to_instance),
        effect_from_decision=Summary.of(to_effect),
        last_write_from_decision=Summary.of(to_last),
        floor_hold=Summary.of(floor_holds),
        floor_round_trip=Summary.of(floor_trips),
        missing={
            "webhook": len(flagged) - len([o for o in flagged if o in received]),
            "hold": len(missing_hold),
            "instance": len(missing_instance),
            "decision": len(flagged) - len(decided),
            "effect": len(missing_effect),
        },
        lag=lag_trend(traffic_lag, tolerance),
        lag_after_drain=lag_after,
        lag_tolerance=tolerance,
        throttled_emulator=throttled,
        throttled_worker_log=log_text.count(": THROTTLED"),
        webhooks=topics,
        cases=view.cases,
        outcomes=Counter(view.outcome[o] for o in flagged if o in view.outcome),
        points=points_by_case_type(final_metrics, SHOP),
        deferred=len(incomplete),
        deferred_completed=len(completed),
        budget_waits=waits,
        budget_depth=depth,
        remote_calls=remote_calls(final_metrics),
        cpu=cpu,
    )
    for order in sorted(missing_effect)[:5]:
        after = writes[order].writes if order in writes else []
        result.notes.append(
            f"order {order}: decided {view.outcome.get(order, '?')} at {decided[order]:.3f}, "
            f"no release/cancel after it; its writes: "
            + (", ".join(f"{f} at {at:.3f}" for at, f in after) or "none")
        )
    lookups = log_text.count("OpenText lookup before the hold failed")
    if lookups:
        result.notes.append(f"{lookups} OpenText lookups before a hold failed (worker log)")
    if sampler.samples.lag_errors:
        result.notes.append(f"{len(sampler.samples.lag_errors)} lag samples failed")
    print(f"  logs: {worker.log_path}", flush=True)
    return result


# --- the report -----------------------------------------------------------------------------


def scenario_markdown(result: ScenarioResult) -> str:
    """One scenario's tables and verdicts."""
    s = result.scenario
    n_flagged = sum(x.flagged for x in result.seeded)
    head = ["measure", "n", "p50 s", "p99 s", "max s", "target"]
    rows = [
        ["webhook received -> hold committed", *result.hold_from_webhook.cells(), "p99 < 1 s"],
        ["order created (seed call) -> hold", *result.hold_from_create.cells(), ""],
        ["webhook received -> OpenText instance", *result.instance_from_webhook.cells(), ""],
        [
            "decision -> effect (release / cancel)",
            *result.effect_from_decision.cells(),
            "p99 < 2 s",
        ],
        ["decision -> last write-back (audit tag)", *result.last_write_from_decision.cells(), ""],
        ["floor: client read + hold -> hold committed", *result.floor_hold.cells(), ""],
        ["floor: client round trip (read + mutation)", *result.floor_round_trip.cells(), ""],
    ]
    lag = result.lag
    lag_cell = (
        f"{lag.start} / {lag.middle} / {lag.end} records (peak {lag.peak}, "
        f"slope {lag.slope_per_min:+.1f}/min, tolerance {result.lag_tolerance}): "
        f"**{'growing' if lag.growing else 'not growing'}**; after the drain: "
        f"{sum(result.lag_after_drain.values())} ("
        + (", ".join(f"{t} {n}" for t, n in sorted(result.lag_after_drain.items()) if n) or "-")
        + ")"
        if lag
        else "not enough samples"
    )
    points_rows = []
    cases_by_type = Counter(
        {k.removeprefix("casebridge.").upper(): v for k, v in result.cases.items()}
    )
    for (case_type, priority), kinds in sorted(result.points.items()):
        cases = cases_by_type.get(case_type, 0)
        req, act = kinds.get("requested", 0.0), kinds.get("actual", 0.0)
        per = f"{req / cases:.1f} / {act / cases:.1f}" if cases else "n/a"
        points_rows.append([case_type or "-", priority, f"{req:.0f}", f"{act:.0f}", cases, per])
    info = [
        [
            "orders created / flagged",
            f"{len(result.seeded)} / {n_flagged} in {result.duration_s:.0f} s "
            f"(generator at most {result.behind_s:.2f} s behind)",
        ],
        [
            "webhooks through ingress",
            ", ".join(f"{t} {n}" for t, n in result.webhooks.most_common()),
        ],
        [
            "cases opened (OpenText instances)",
            ", ".join(f"{k} {v}" for k, v in result.cases.most_common()),
        ],
        [
            "review outcomes (flagged orders)",
            ", ".join(f"{k} {v}" for k, v in result.outcomes.most_common()) or "none",
        ],
        [
            "not measured (flagged orders)",
            ", ".join(f"no {k} {v}" for k, v in result.missing.items() if v) or "none",
        ],
        ["consumer lag start / middle / end of traffic", lag_cell],
        [
            "THROTTLED (emulator / worker log)",
            f"**{result.throttled_emulator}** / {result.throttled_worker_log}",
        ],
        [
            "enrichments deferred / completed later",
            f"{result.deferred} / {result.deferred_completed}",
        ],
        [
            "budget: worst oldest wait per class (s)",
            ", ".join(f"{k} {v:.2f}" for k, v in sorted(result.budget_waits.items())) or "n/a",
        ],
        [
            "budget: deepest queue per class",
            ", ".join(f"{k} {v:.0f}" for k, v in sorted(result.budget_depth.items())) or "n/a",
        ],
        ["CPU seconds", ", ".join(f"{k} {v:.1f}" for k, v in result.cpu.items())],
    ]
    calls = [[c, e, n, f"{1000 * mean:.1f}"] for c, e, n, mean in result.remote_calls]
    verdicts = ", ".join(f"{k} **{'met' if v else 'missed'}**" for k, v in result.met().items())
    parts = [
        f"### {s.title} ({s.plan} plan)",
        table(head, rows),
        table(["", "value"], info),
        "Shopify points per case type and class (worker `casebridge_shopify_points_total`; "
        "per case = over the OpenText instances of that type):",
        table(
            ["case type", "class", "requested", "charged", "cases", "per case req / charged"],
            points_rows,
        )
        if points_rows
        else "no points recorded",
        "Remote calls (worker `casebridge_remote_call_seconds`):",
        table(["client", "endpoint", "calls", "mean ms"], calls) if calls else "none",
        f"- Targets: {verdicts}",
    ]
    parts += [f"- {note}" for note in result.notes]
    return "\n\n".join(parts)


def report(args: argparse.Namespace, machine: Machine, results: list[ScenarioResult]) -> str:
    """The whole section."""
    flags = f" --duration {args.duration:g}" + (" --quick" if args.quick else "")
    body = [
        "## (d) Latency under the store's budget: webhook -> hold -> OpenText -> decision "
        "-> Shopify",
        machine.markdown(),
        f"Run: `python -m bench.latency{flags}` (decision delay {args.decision_delay:g} s, "
        f"floor {args.floor} orders). One worker with every role per scenario (INFO "
        "logging), fresh emulators per scenario on the dedicated broker; orders created "
        "open-loop through the Shopify emulator's `POST /_emulator/seed`, which delivers "
        "`orders/create` and every following webhook (`orders/updated`, "
        "`fulfillment_orders/placed_on_hold`, ...) to the worker's ingress. Times come from "
        "the services' own records: ingress `received_at` (read back from "
        "`shopify.webhooks`), the Shopify emulator's mutation journal (commit time of each "
        "write), OpenText `startTime` / task `endTime`. Decisions reach the worker through "
        "the OpenText callback (history polling on as well). The floor is the same hold "
        "sent directly by `ShopifyAdminClient` (hold-targets read + `fulfillmentOrderHold`), "
        "one at a time against the same emulator once the worker is idle.",
    ]
    body += [scenario_markdown(r) for r in results]
    return "\n\n".join(body)


def main() -> None:
    """Run the latency benchmark and write its section of docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of traffic")
    parser.add_argument("--quick", action="store_true", help="a ~20 s smoke run per scenario")
    parser.add_argument(
        "--scenarios", default="standard,plus", help="comma-separated: standard, plus"
    )
    parser.add_argument(
        "--decision-delay", type=float, default=5.0, help="OpenText auto-decides after this"
    )
    parser.add_argument(
        "--drain", type=float, default=60.0, help="max seconds to wait after traffic"
    )
    parser.add_argument("--floor", type=int, default=20, help="direct client holds (the floor)")
    add_broker_arguments(parser)
    args = parser.parse_args()
    if args.quick:
        args.duration, args.floor, args.drain = 20.0, 5, 30.0
    chosen = [SCENARIOS[k.strip()] for k in args.scenarios.split(",") if k.strip()]
    machine = describe_machine()
    tmp = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    results: list[ScenarioResult] = []
    with kafka_broker(tmp, args.bootstrap) as bootstrap:
        ensure_topics({"bootstrap.servers": bootstrap}, topic_specs(6))
        for scenario in chosen:
            results.append(run_scenario(tmp, scenario, bootstrap, args))
    machine.load_after = load_average()
    body = report(args, machine, results)
    publish("latency", body, args)
    print(f"logs in {tmp}")


if __name__ == "__main__":
    main()
