"""Benchmark (b): pipeline throughput, ``shopify.webhooks`` -> OpenText process instances.

``python -m bench.pipeline [--records 5000]``

N ``orders/create`` ShopifyEvents for orders shipping to a restricted
destination (each one opens an ORDER_REVIEW case) are pre-encoded with the
project's Avro serde and produced to ``shopify.webhooks`` once a worker with
roles ``classify,sink`` (bench-unique app id, started at the end of its
topics) has joined its group. The clock runs from the first record produced
until the worker has emitted N ``CaseOpened`` records (the sink emits one
only after the process instance exists in the OpenText emulator; counted from
``cases.opened`` end offsets every 0.1 s); the OpenText emulator's
``/_emulator/state`` instance count is checked against N at the end.

Variants, all on the same broker in the same run:

1. casebridge ``classify,sink`` **with** Shopify enrichment and holds, against
   the Shopify emulator holding the N orders (its cost bucket lifted so the
   Standard plan's 100 points/s does not set the pace: enrichment reads cost
   ~200 points per case);
2. casebridge classify (``NoEnrichment``) + sink: there is no setting that
   turns enrichment off, so :mod:`bench.baselines` registers the classify
   stage without it;
3. baseline: a bare Faust passthrough agent (consume -> send) over the same bytes;
4. baseline: a raw confluent-kafka consume -> produce loop over the same bytes.

Targets: >= 1,000 cases/s per worker process and >= half the bare-Faust rate.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from confluent_kafka import Consumer, Producer, TopicPartition

from bench.common import (
    add_broker_arguments,
    cpu_seconds,
    describe_machine,
    kafka_broker,
    load_average,
    profiled,
    publish,
    python,
    running_worker,
    table,
)
from connectors.serde import AvroSerde, RegistryClient
from schemas.records import EventSource, ShopifyEvent
from streams.ingress.resource import resource_ref
from streams.topics import (
    CASES_OPENED,
    CASES_REQUESTS,
    SHOPIFY_WEBHOOKS,
    TopicSpec,
    ensure_topics,
    topic_specs,
)
from tests.integration.pipeline.harness import (
    Emulators,
    emulators,
)

SHOP = "casebridge-demo.myshopify.com"


@dataclass
class Result:
    """One variant's run."""

    name: str
    records: int
    done: int
    seconds: float
    note: str = ""

    @property
    def rate(self) -> float:
        """Records (cases) completed per second."""
        return self.done / self.seconds if self.seconds else 0.0


def end_offsets(consumer: Consumer, topic: str) -> int:
    """The sum of ``topic``'s end offsets."""
    metadata = consumer.list_topics(topic, timeout=10).topics[topic]
    return sum(
        consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10, cached=False)[1]
        for p in metadata.partitions
    )


def produce_all(bootstrap: str, topic: str, records: list[tuple[bytes, bytes]]) -> float:
    """Produce ``records`` (key, value) with acks=all; return the seconds it took."""
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "acks": "all",
            "enable.idempotence": True,
            "linger.ms": 5,
            "compression.type": "lz4",
            "partitioner": "murmur2_random",
        }
    )
    start = time.monotonic()
    for key, value in records:
        while True:
            try:
                producer.produce(topic, value, key)
                break
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
    producer.flush(60)
    return time.monotonic() - start


def measure(
    name: str,
    bootstrap: str,
    source: str,
    output: str,
    records: list[tuple[bytes, bytes]],
    timeout_s: float,
    *,
    after: Callable[[], str] = lambda: "",
    stage: str | None = None,
) -> Result:
    """Produce ``records`` to ``source`` and time until ``output`` grew by as many.

    With ``stage``, also note when that intermediate topic had grown by as many.
    """
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-probe-{uuid.uuid4()}"})
    try:
        before = end_offsets(consumer, output)
        stage_before = end_offsets(consumer, stage) if stage else 0
        stage_done_at: float | None = None
        start = time.monotonic()
        produced_in = produce_all(bootstrap, source, records)
        done = 0
        deadline = start + timeout_s
        last_report = start
        while time.monotonic() < deadline:
            done = end_offsets(consumer, output) - before
            if (
                stage
                and stage_done_at is None
                and end_offsets(consumer, stage) - stage_before >= len(records)
            ):
                stage_done_at = time.monotonic() - start
            if done >= len(records):
                break
            if time.monotonic() - last_report > 10:
                last_report = time.monotonic()
                print(
                    f"  {name}: {done}/{len(records)} after {last_report - start:.0f}s", flush=True
                )
            time.sleep(0.1)
        elapsed = time.monotonic() - start
    finally:
        consumer.close()
    note = f"produced in {produced_in:.1f}s"
    if stage:
        reached = f"{stage_done_at:.1f}s" if stage_done_at is not None else "not reached"
        note += f"; all N on {stage} at {reached}"
    if done < len(records):
        note += f"; TIMED OUT after {timeout_s:.0f}s"
    extra = after()
    result = Result(name, len(records), min(done, len(records)), elapsed, f"{note}{extra}")
    print(
        f"  {name}: {result.done}/{result.records} in {elapsed:.1f}s = {result.rate:.0f}/s "
        f"({result.note})",
        flush=True,
    )
    return result


def risky_events(emu: Emulators, count: int, registry_url: str) -> list[tuple[bytes, bytes]]:
    """Seed ``count`` orders to a restricted destination; their encoded ``orders/create`` events."""
    seeded = 0
    while seeded < count:
        n = min(1000, count - seeded)
        emu.seed({"scenario": {"n": n, "seed": seeded + 17, "kinds": ["restricted_destination"]}})
        seeded += n
    orders = emu.shopify_state()["shops"][0]["orders"]
    restricted = [
        o
        for o in orders
        if (o.get("shipping_address") or {}).get("country_code") in ("KP", "IR", "SY", "CU")
    ]
    if len(restricted) < count:
        raise RuntimeError(f"seeded {len(restricted)} restricted-destination orders, not {count}")
    serde = AvroSerde.for_topic(SHOPIFY_WEBHOOKS, RegistryClient(registry_url))
    out = []
    now = datetime.now(UTC)
    for order in restricted[:count]:
        body = json.dumps(order)
        webhook_id = str(uuid.uuid4())
        ref = resource_ref("orders/create", order)
        event = ShopifyEvent(
            event_id=str(uuid.uuid4()),
            webhook_id=webhook_id,
            shop=SHOP,
            topic="orders/create",
            api_version="2026-01",
            triggered_at=now,
            received_at=now,
            resource_id=ref.resource_id or webhook_id,
            order_id=ref.order_id,
            source=EventSource.WEBHOOK,
            payload=body,
        )
        out.append((ref.key(SHOP, webhook_id).encode(), serde.encode(event)))
    return out


def shopify_available(emu: Emulators) -> float:
    """The points available in the Shopify emulator's bucket now."""
    answer = httpx.post(f"{emu.shopify_url}/_emulator/faults", json={}, timeout=10).json()
    return float(answer["buckets"][SHOP]["currentlyAvailable"])


def lift_bucket(emu: Emulators) -> None:
    """Fill the Shopify bucket to 1e9 points, then have it restore only 0.001 point/s."""
    url = f"{emu.shopify_url}/_emulator/faults"
    httpx.post(url, json={"maximum_available": 1e9, "restore_rate": 1e9}, timeout=10)
    time.sleep(1.1)
    shopify_available(emu)  # a status read applies the refill
    httpx.post(url, json={"restore_rate": 0.001}, timeout=10).raise_for_status()


def opentext_instances(emu: Emulators) -> str:
    """How many process instances the OpenText emulator holds, and how many are enriched."""
    state = httpx.get(f"{emu.opentext_url}/_emulator/state", timeout=60).json()
    enriched = held = 0
    for instance in state["instances"]:
        values = {v["name"]: v.get("value") for v in instance.get("variables") or []}
        enriched += "customerOrdersCount" in values and "enrichmentError" not in values
        held += bool(values.get("holdsPlaced"))
    total = state["counts"]["instances"]
    return f"{total} ({enriched} enriched without error, {held} with holds placed)"


def main() -> None:
    """Run the pipeline benchmark and write its section of docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per variant")
    parser.add_argument(
        "--skip-enrichment", action="store_true", help="skip the with-enrichment variant"
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="py-spy the casebridge workers into this dir"
    )
    add_broker_arguments(parser)
    args = parser.parse_args()
    machine = describe_machine()
    tmp = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    results: list[Result] = []
    run = uuid.uuid4().hex[:8]
    with kafka_broker(tmp, args.bootstrap) as bootstrap:
        client = {"bootstrap.servers": bootstrap}
        ensure_topics(client, topic_specs(6))
        extra = {"webhooks": [], "seed_orders": 0}
        with emulators(tmp, "http://127.0.0.1:9/unused", shopify_extra=extra) as emu:
            # Lift the Shopify bucket: the point is the pipeline, not the plan's rate. A
            # huge bucket that refills at once, then (almost) never: nothing is ever
            # throttled, and what it lost is exactly the points the run was charged.
            lift_bucket(emu)
            print(f"seeding {args.records} orders and encoding their events", flush=True)
            records = risky_events(emu, args.records, args.registry)

            def casebridge(name: str, argv: list[str]) -> None:
                httpx.post(f"{emu.opentext_url}/_emulator/reset", timeout=30).raise_for_status()
                app_id = f"bench-pipeline-{run}-{len(results)}"
                with running_worker(
                    tmp, app_id, argv, bootstrap=bootstrap, registry=args.registry, emulators=emu
                ) as worker:
                    available = shopify_available(emu)

                    def check() -> str:
                        charged = available - shopify_available(emu)
                        cost = f"; Shopify points charged per case: {charged / len(records):.1f}"
                        return f"; OpenText instances: {opentext_instances(emu)}{cost}"

                    out = None
                    if args.profile:
                        args.profile.mkdir(parents=True, exist_ok=True)
                        out = args.profile / f"pipeline-{len(results)}.txt"
                    pids = {
                        "worker": worker.popen.pid,
                        "Shopify emulator": emu.processes[0].popen.pid,
                        "OpenText emulator": emu.processes[1].popen.pid,
                    }
                    cpu_before = {k: cpu_seconds(pid) for k, pid in pids.items()}
                    with profiled(worker.popen.pid, out):
                        result = measure(
                            name,
                            bootstrap,
                            SHOPIFY_WEBHOOKS,
                            CASES_OPENED,
                            records,
                            args.timeout,
                            after=check,
                            stage=CASES_REQUESTS,
                        )
                    used = {k: cpu_seconds(pid) - cpu_before[k] for k, pid in pids.items()}
                    result.note += "; CPU s: " + ", ".join(f"{k} {v:.1f}" for k, v in used.items())
                    results.append(result)

            if not args.skip_enrichment:
                casebridge(
                    "casebridge classify+sink, with enrichment + holds",
                    [python(), "-m", "streams.cli", "worker", "--roles", "classify,sink"],
                )
            casebridge(
                "casebridge classify+sink, NoEnrichment",
                [python(), "-m", "bench.baselines", "classify-no-enrich"],
            )

        for mode, name in (
            ("faust", "bare Faust passthrough agent"),
            ("raw", "raw confluent-kafka loop"),
        ):
            src, dst = f"bench.{run}.{mode}.src", f"bench.{run}.{mode}.dst"
            ensure_topics(client, [TopicSpec(src, 6), TopicSpec(dst, 6)])
            app_id = f"bench-{mode}-{run}"
            with running_worker(
                tmp,
                app_id,
                [python(), "-m", "bench.baselines", mode, src, dst],
                bootstrap=bootstrap,
                registry=args.registry,
                topics=[src],
                ready_timeout_s=120,
            ) as process:
                cpu_before = cpu_seconds(process.popen.pid)
                result = measure(name, bootstrap, src, dst, records, args.timeout)
                result.note += f"; CPU s: process {cpu_seconds(process.popen.pid) - cpu_before:.1f}"
                results.append(result)
    machine.load_after = load_average()
    write_report(args, machine, results)
    print(f"logs in {tmp}")


def write_report(args: argparse.Namespace, machine: Any, results: list[Result]) -> None:
    """Print the section and, unless ``--no-report``, write it."""
    faust_rate = next(r.rate for r in results if r.name.startswith("bare Faust"))
    raw_rate = next(r.rate for r in results if r.name.startswith("raw"))
    rows = [
        [
            r.name,
            r.done,
            f"{r.seconds:.1f}",
            f"{r.rate:.0f}",
            f"{r.rate / faust_rate:.2f}",
            f"{r.rate / raw_rate:.3f}",
            r.note,
        ]
        for r in results
    ]
    lines = []
    for r in results:
        if not r.name.startswith("casebridge"):
            continue
        met = r.rate >= 1000 and r.rate >= faust_rate / 2 and r.done == r.records
        lines.append(
            f"- {r.name}: >= 1,000 cases/s **{'met' if r.rate >= 1000 else 'missed'}**, "
            f">= half bare Faust **{'met' if r.rate >= faust_rate / 2 else 'missed'}** "
            f"({r.rate:.0f}/s vs {faust_rate:.0f}/s){' - all targets met' if met else ''}"
        )
    body = "\n\n".join(
        [
            "## (b) Pipeline throughput: `shopify.webhooks` -> OpenText process instances",
            machine.markdown(),
            f"Run: `python -m bench.pipeline --records {args.records}`; one worker process per "
            "variant (INFO logging), 6 partitions, the records produced as one burst after the "
            "worker joined its group; time = first record produced -> N `CaseOpened` on "
            "`cases.opened` (the sink emits it after the OpenText instance exists; the "
            "emulator's instance count is given in the notes). Each record is an `orders/create` "
            "ShopifyEvent (~1.3 KiB Avro) for an order shipping to a restricted destination, "
            "so every record opens one ORDER_REVIEW case. Baselines move the same bytes.",
            table(
                ["variant", "done", "seconds", "per s", "x bare Faust", "x raw loop", "notes"],
                rows,
            ),
            "\n".join(lines),
        ]
    )
    publish("pipeline", body, args)


if __name__ == "__main__":
    main()
