"""Benchmark (c): the Shopify writer against the cost bucket. ``python -m bench.writer``.

A backlog of ``--decisions`` decisions (alternating ADD_TAGS and ADD_NOTE, each
with a new tag or note line so every one really writes) on ``--orders``
existing emulator orders is produced to ``cases.decisions`` after a worker
with only the ``writer`` role (bench-unique app id, started at the end of its
topics) joined its group. The Shopify emulator runs the Standard plan
(maximumAvailable 1000, restoreRate 100 points/s).

Measured:

* cost-point use, from the emulator's own bucket sampled every second
  (``POST /_emulator/faults`` with an empty body answers the bucket status):
  points used between two samples = (available before + restoreRate x dt,
  capped at the maximum) - available now. Reported over the whole run and
  over the **sustained** window (from when the initial full bucket has been
  drawn below half until the last result), as a % of restoreRate;
* the writer's own record: the sum of ``WritebackResult.query_cost``, the
  points Shopify charged (``actualQueryCost``) for each action's reads and
  mutation (see ``streams.writer.context.MeteredExecutor``); it should match
  the emulator's figure;
* THROTTLED answers: the emulator does not count them, the client logs each
  one at INFO (``shopify <op>: THROTTLED``), so they are counted in the
  worker's log.

Target: >= 90 % of the bucket's restore rate, sustained, with 0 THROTTLED.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from confluent_kafka import Consumer, TopicPartition

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
from bench.observe import read_models
from bench.pipeline import end_offsets, produce_all
from connectors.serde import AvroSerde, RegistryClient
from schemas.records import (
    Action,
    ActionKind,
    CaseDecision,
    CaseType,
    CaseVariable,
    DecisionSource,
    WritebackResult,
)
from streams.topics import CASES_DECISIONS, SHOPIFY_WRITEBACKS, ensure_topics, topic_specs
from tests.integration.pipeline.harness import emulators

SHOP = "casebridge-demo.myshopify.com"


@dataclass
class BucketSampler:
    """Samples the emulator's bucket every ``interval_s`` in a thread."""

    url: str
    interval_s: float = 1.0
    samples: list[tuple[float, float, float, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _status(self, client: httpx.Client) -> tuple[float, float, float, float]:
        answer = client.post(f"{self.url}/_emulator/faults", json={}, timeout=10).json()
        bucket = answer["buckets"][SHOP]
        return (
            time.monotonic(),
            float(bucket["currentlyAvailable"]),
            float(bucket["maximumAvailable"]),
            float(bucket["restoreRate"]),
        )

    def start(self) -> None:
        """Start sampling."""

        def loop() -> None:
            with httpx.Client() as client:
                while not self._stop.is_set():
                    with contextlib.suppress(httpx.HTTPError):
                        self.samples.append(self._status(client))
                    self._stop.wait(self.interval_s)

        self._thread = threading.Thread(target=loop, name="bucket-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(15)

    def usage(self, start: float, end: float) -> tuple[float, float]:
        """(points used, seconds covered) between ``start`` and ``end`` (monotonic)."""
        used = covered = 0.0
        window = [s for s in self.samples if start <= s[0] <= end]
        for (t0, a0, _, _), (t1, a1, maximum, rate) in itertools.pairwise(window):
            used += max(0.0, min(maximum, a0 + rate * (t1 - t0)) - a1)
            covered += t1 - t0
        return used, covered


def decisions_for(orders: list[str], count: int, run: str) -> list[CaseDecision]:
    """``count`` single-action decisions spread round-robin over ``orders``."""
    out = []
    now = datetime.now(UTC)
    for i in range(count):
        order = orders[i % len(orders)]
        case_id = f"bench-{run}-{i}"
        params: dict[str, Any]
        if i % 2 == 0:
            kind, params = ActionKind.ADD_TAGS, {"tags": [f"bench-{run}-{i}"]}
        else:
            # Bracketed: ADD_NOTE skips a line the note already contains, and
            # "decision 1" is contained in "decision 1001".
            kind, params = ActionKind.ADD_NOTE, {"note": f"[bench {run} decision {i}]"}
        out.append(
            CaseDecision(
                decision_id=f"{case_id}-d",
                case_id=case_id,
                case_type=CaseType.CHARGEBACK,
                shop=SHOP,
                process_instance_id=f"pi-{case_id}",
                outcome="won",
                decided_at=now,
                variables=[
                    CaseVariable(name="orderId", value=order),
                    CaseVariable(name="subjectId", value=order),
                ],
                actions=[
                    Action(
                        kind=kind,
                        target_id=order,
                        params=json.dumps(params),
                        idempotency_key=f"{case_id}-0",
                    )
                ],
                source=DecisionSource.MANUAL,
            )
        )
    return out


def read_results(bootstrap: str, start: dict[int, int], run: str, registry: str) -> list[Any]:
    """The ``WritebackResult`` records of this run, from the offsets in ``start``."""
    return [
        r
        for r in read_models(bootstrap, SHOPIFY_WRITEBACKS, start, registry)
        if isinstance(r, WritebackResult) and r.case_id.startswith(f"bench-{run}-")
    ]


def main() -> None:
    """Run the writer benchmark and write its section of docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--decisions", type=int, default=1000)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=None, help="default: 0.3 s per decision")
    parser.add_argument(
        "--profile", type=Path, default=None, help="py-spy the worker into this dir"
    )
    add_broker_arguments(parser)
    args = parser.parse_args()
    timeout_s = args.timeout or max(120.0, args.decisions * 0.3)
    machine = describe_machine()
    tmp = Path(tempfile.mkdtemp(prefix="bench-writer-"))
    run = uuid.uuid4().hex[:8]
    with kafka_broker(tmp, args.bootstrap) as bootstrap:
        ensure_topics({"bootstrap.servers": bootstrap}, topic_specs(6))
        extra = {"webhooks": [], "seed_orders": 0}
        with emulators(tmp, "http://127.0.0.1:9/unused", shopify_extra=extra) as emu:
            emu.seed({"scenario": {"n": args.orders, "seed": 5, "kinds": ["normal"]}})
            state = emu.shopify_state()["shops"][0]
            orders = [
                o["admin_graphql_api_id"] for o in state["orders"] if not o.get("cancelled_at")
            ]
            orders = orders[: args.orders]
            print(f"{len(orders)} orders; bucket {state.get('bucket') or ''}", flush=True)
            serde = AvroSerde.for_topic(CASES_DECISIONS, RegistryClient(args.registry))
            records = [
                (d.case_id.encode(), serde.encode(d))
                for d in decisions_for(orders, args.decisions, run)
            ]
            app_id = f"bench-writer-{run}"
            sampler = BucketSampler(emu.shopify_url)
            with running_worker(
                tmp,
                app_id,
                [python(), "-m", "streams.cli", "worker", "--roles", "writer"],
                bootstrap=bootstrap,
                registry=args.registry,
                emulators=emu,
            ) as worker:
                probe = Consumer({"bootstrap.servers": bootstrap, "group.id": f"probe-{run}"})
                meta = probe.list_topics(SHOPIFY_WRITEBACKS, timeout=10).topics[SHOPIFY_WRITEBACKS]
                start_offsets = {
                    p: probe.get_watermark_offsets(TopicPartition(SHOPIFY_WRITEBACKS, p))[1]
                    for p in meta.partitions
                }
                before = sum(start_offsets.values())
                sampler.start()
                time.sleep(1.5)
                cpu_before = cpu_seconds(worker.popen.pid)
                out = args.profile / "writer.txt" if args.profile else None
                if args.profile:
                    args.profile.mkdir(parents=True, exist_ok=True)
                with profiled(worker.popen.pid, out):
                    t0 = time.monotonic()
                    produce_all(bootstrap, CASES_DECISIONS, records)
                    done = 0
                    last = t0
                    while time.monotonic() < t0 + timeout_s:
                        done = end_offsets(probe, SHOPIFY_WRITEBACKS) - before
                        if done >= len(records):
                            break
                        if time.monotonic() - last > 15:
                            last = time.monotonic()
                            print(f"  {done}/{len(records)} after {last - t0:.0f}s", flush=True)
                        time.sleep(0.2)
                    t1 = time.monotonic()
                worker_cpu = cpu_seconds(worker.popen.pid) - cpu_before
                time.sleep(1.5)
                probe.close()
                sampler.stop()
            log_text = worker.log_path.read_text(errors="replace")
            throttled = log_text.count(": THROTTLED")
            results = read_results(bootstrap, start_offsets, run, args.registry)
    machine.load_after = load_average()

    elapsed = t1 - t0
    total_used, covered = sampler.usage(t0, t1 + 1.0)
    restore = sampler.samples[-1][3] if sampler.samples else 100.0
    maximum = sampler.samples[-1][2] if sampler.samples else 1000.0
    # The sustained window starts once the initial full bucket has been drawn below
    # half (or 10 s in, if the writer never draws it that low).
    drained = next((s[0] for s in sampler.samples if s[0] >= t0 and s[1] < maximum / 2), t0 + 10.0)
    sus_used, sus_covered = sampler.usage(drained, t1)
    sustained_pct = 100 * sus_used / (restore * sus_covered) if sus_covered else float("nan")
    overall_pct = 100 * total_used / (restore * covered) if covered else float("nan")
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r.status.value] = statuses.get(r.status.value, 0) + 1
    mutation_cost = sum(r.query_cost or 0 for r in results)
    levels = [s[1] for s in sampler.samples if drained <= s[0] <= t1]
    complete = done >= len(records)
    met = complete and sustained_pct >= 90 and throttled == 0
    rows = [
        ["decisions produced / results", f"{len(records)} / {len(results)} ({statuses})"],
        [
            "wall time (first produced -> last result)",
            f"{elapsed:.1f} s" + ("" if complete else f" (TIMED OUT at {done} results)"),
        ],
        ["decisions/s", f"{min(done, len(records)) / elapsed:.2f}"],
        ["bucket (emulator)", f"maximumAvailable {maximum:g}, restoreRate {restore:g}/s"],
        [
            "points used, whole run (emulator)",
            f"{total_used:.0f} over {covered:.0f} s = "
            f"{total_used / covered if covered else 0:.1f}/s = {overall_pct:.1f}% of restoreRate"
            " (includes the initial full bucket)",
        ],
        [
            "points used, sustained (emulator)",
            f"{sus_used:.0f} over {sus_covered:.0f} s = "
            f"{sus_used / sus_covered if sus_covered else 0:.1f}/s = **{sustained_pct:.1f}%** "
            "of restoreRate",
        ],
        [
            "bucket available while sustained (min / median / max)",
            f"{min(levels):.0f} / {sorted(levels)[len(levels) // 2]:.0f} / {max(levels):.0f}"
            if levels
            else "n/a",
        ],
        [
            "sum of WritebackResult.query_cost",
            f"{mutation_cost} points = "
            f"{mutation_cost / elapsed:.1f}/s: what the emulator charged for each action's "
            "reads + mutation (actualQueryCost)",
        ],
        ["THROTTLED answers (worker log)", f"**{throttled}**"],
        ["worker CPU", f"{worker_cpu:.1f} s ({100 * worker_cpu / elapsed:.0f}% of one core)"],
    ]
    body = "\n\n".join(
        [
            "## (c) Writer: `cases.decisions` -> Shopify under the cost bucket",
            machine.markdown(),
            f"Run: `python -m bench.writer --decisions {args.decisions} --orders {args.orders}`; "
            "one worker with `--roles writer` (default `writer.concurrency` 16, INFO logging), "
            "the Shopify emulator on the Standard plan; decisions alternate ADD_TAGS (tag read + "
            "`tagsAdd`) and ADD_NOTE (order read + `orderUpdate`), every one a real write, "
            f"spread round-robin over {len(orders)} orders (one write in flight per order).",
            table(["measure", "value"], rows),
            f"- Target >= 90% of the bucket with 0 THROTTLED: **{'met' if met else 'missed'}** "
            f"(sustained {sustained_pct:.1f}%, {throttled} throttled"
            + ("" if complete else ", run incomplete")
            + ")",
        ]
    )
    publish("writer", body, args)
    print(f"logs in {tmp}")


if __name__ == "__main__":
    main()
