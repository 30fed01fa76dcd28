"""Benchmark (e): Shopify points per case, by case type. ``python -m bench.points``.

Runs the sandbox (``casebridge up``: its own Kafka and registry, both
emulators, one worker with every role, the scenario traffic with the OpenText
emulator deciding among all outcomes) for ``--duration`` seconds, then reads
every case's audit trail from the sandbox's own topics:

* ``cases.requests``: ``shopifyPointsRequested`` / ``shopifyPointsCharged``, the
  points the hold and the enrichment spent before the case opened (the largest
  value over a case's requests: a deferred enrichment adds to it);
* ``shopify.writebacks``: ``query_cost_requested`` / ``query_cost`` of every
  write-back of the case's decision.

It reports, per case type, how many cases were decided and the requested and
charged points per case (p50, mean, max) from the first read to the last
write. The same-run baseline is the floor a case cannot go under: the
mutations its writes needed at Shopify's 10 points each (one per APPLIED
write-back; a hold counts one per fulfillment order held), so the gap shows
what the reads cost on top. The ``ORDER_REVIEW`` approve path is held to 40
requested points (issue #12): the cases that took it are listed on their own.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import ROOT, describe_machine, free_port, load_average, table, write_section
from connectors.serde import AvroSerde, RegistryClient
from streams.settings import RegistrySettings
from streams.web.scan import end_offsets, partition_counts, reader, scan

MUTATION_POINTS = 10
TARGET_ORDER_REVIEW = 40


@dataclass
class CaseSpend:
    """What one case asked of and was charged by the store."""

    case_type: str
    before_requested: int = 0
    before_charged: int = 0
    write_requested: int = 0
    write_charged: int = 0
    holds: int = 0
    applied_writes: int = 0
    outcome: str | None = None
    decided: bool = False

    @property
    def requested(self) -> int:
        return self.before_requested + self.write_requested

    @property
    def charged(self) -> int:
        return self.before_charged + self.write_charged

    @property
    def floor(self) -> int:
        return MUTATION_POINTS * (self.holds + self.applied_writes)


@dataclass
class Report:
    cases: dict[str, CaseSpend] = field(default_factory=dict)

    def rows(self) -> list[list[object]]:
        by_type: dict[str, list[CaseSpend]] = defaultdict(list)
        for case in self.cases.values():
            if case.decided:
                by_type[case.case_type].append(case)
        rows: list[list[object]] = []
        for case_type in sorted(by_type):
            found = by_type[case_type]
            requested = [c.requested for c in found]
            rows.append(
                [
                    case_type,
                    len(found),
                    int(statistics.median(requested)),
                    f"{statistics.fmean(requested):.1f}",
                    max(requested),
                    f"{statistics.fmean(c.charged for c in found):.1f}",
                    f"{statistics.fmean(c.floor for c in found):.1f}",
                ]
            )
        return rows

    def approved_order_reviews(self) -> list[CaseSpend]:
        return [
            c
            for c in self.cases.values()
            if c.case_type == "ORDER_REVIEW"
            and c.decided
            and (c.outcome or "").startswith("approve")
        ]


def _variables(record: dict[str, Any]) -> dict[str, str]:
    return {v["name"]: v["value"] for v in record.get("variables") or []}


def _int(value: object) -> int:
    try:
        return int(float(str(value)))
    except (TypeError, ValueError):
        return 0


def collect(bootstrap: str, registry_url: str) -> Report:
    """Every case's spend from the sandbox's ``cases.requests`` and ``shopify.writebacks``."""
    config = {"bootstrap.servers": bootstrap}
    registry = RegistryClient.from_settings(RegistrySettings(url=registry_url))
    report = Report()
    topics = ["cases.requests", "shopify.writebacks", "cases.state"]
    with reader(config, 10.0) as consumer:
        counts = partition_counts(consumer, config, topics, 10.0)
        parts = [(t, p) for t, n in counts.items() for p in range(n)]
        ranges = end_offsets(consumer, config, parts, 10.0)
        messages = scan(consumer, ranges, lambda m: m.value() is not None, timeout_s=10.0)
    serdes = {topic: AvroSerde.for_topic(topic, registry) for topic in topics}
    for message in messages:
        topic, value = str(message.topic()), message.value()
        if value is not None:
            _fold(report, topic, serdes[topic].decode(value))
    return report


def _fold(report: Report, topic: str, record: dict[str, Any]) -> None:
    case_id = str(record["case_id"])
    if topic == "cases.requests":
        opened = report.cases.setdefault(case_id, CaseSpend(str(record["case_type"])))
        found = _variables(record)
        requested = _int(found.get("shopifyPointsRequested"))
        opened.before_requested = max(opened.before_requested, requested)
        charged = _int(found.get("shopifyPointsCharged"))
        opened.before_charged = max(opened.before_charged, charged)
        placed = found.get("holdsPlaced")
        if placed:
            opened.holds = max(opened.holds, len(json.loads(placed)))
        return
    case = report.cases.get(case_id)
    if case is None:
        return  # offline intakes open in OpenText, not on cases.requests
    if topic == "cases.state":
        if record.get("outcome"):
            case.outcome = str(record["outcome"]).lower()
        return
    case.decided = True
    case.write_requested += _int(record.get("query_cost_requested"))
    case.write_charged += _int(record.get("query_cost"))
    if str(record.get("status")) == "APPLIED" and str(record.get("action")) != "NONE":
        case.applied_writes += 1


def run(duration_s: float, rate: float) -> tuple[Report, dict[str, Any]]:
    """Run the sandbox for ``duration_s`` and read every case's spend before it stops."""
    # The sandbox's controller listens on the port after its Kafka port.
    ports = {name: free_port() for name in ("worker", "shopify", "opentext", "kafka", "registry")}
    logs = Path(tempfile.mkdtemp(prefix="casebridge-bench-points-"))
    args = [
        sys.executable,
        "-m",
        "streams.cli",
        "up",
        "--duration",
        str(int(duration_s) + 120),
        "--rate",
        str(rate),
        "--worker-port",
        str(ports["worker"]),
        "--shopify-port",
        str(ports["shopify"]),
        "--opentext-port",
        str(ports["opentext"]),
        "--kafka-port",
        str(ports["kafka"]),
        "--registry-port",
        str(ports["registry"]),
        "--logs",
        str(logs),
    ]
    sandbox = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    started = None
    assert sandbox.stdout is not None
    for line in sandbox.stdout:
        print(line, end="", flush=True)
        if "casebridge sandbox is up" in line:
            started = time.monotonic()
            break
    if started is None:
        raise SystemExit(f"the sandbox did not start; logs in {logs}")
    try:
        time.sleep(duration_s)
        bootstrap = f"127.0.0.1:{ports['kafka']}"
        registry = f"http://127.0.0.1:{ports['registry']}/apis/ccompat/v7"
        report = collect(bootstrap, registry)
    finally:
        sandbox.send_signal(signal.SIGINT)
        try:
            sandbox.wait(timeout=120)
        except subprocess.TimeoutExpired:
            sandbox.kill()
    return report, {"logs": str(logs), "duration_s": duration_s, "rate": rate}


def render(report: Report, meta: dict[str, Any], machine_md: str) -> str:
    approved = report.approved_order_reviews()
    requested = [c.requested for c in approved]
    over = [c for c in approved if c.requested > TARGET_ORDER_REVIEW]
    lines = [
        "## (e) Shopify points per case: `python -m bench.points`",
        "",
        f"The sandbox for {meta['duration_s']:.0f} s at {meta['rate']:g} Shopify events/s "
        "(its own broker and registry, both emulators, one worker with every role; the "
        "OpenText emulator decides among all outcomes). Points per decided case from its "
        "first read to its last write, from the case's own audit trail. Baseline: the floor "
        "of the same cases, their mutations alone at 10 points each.",
        "",
        machine_md,
        "",
        table(
            [
                "case type",
                "decided cases",
                "requested p50",
                "requested mean",
                "requested max",
                "charged mean",
                "floor mean (mutations)",
            ],
            report.rows(),
        ),
        "",
        f"ORDER_REVIEW approved (hold, enrichment, release and audit tag): {len(approved)} "
        f"cases, requested p50 "
        f"{int(statistics.median(requested)) if requested else 'n/a'}, max "
        f"{max(requested) if requested else 'n/a'} (target <= {TARGET_ORDER_REVIEW}: "
        f"{'met' if approved and not over else 'missed' if over else 'no case'}).",
    ]
    return "\n".join(lines)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of traffic")
    parser.add_argument("--rate", type=float, default=1.0, help="Shopify events per second")
    parser.add_argument("--no-report", action="store_true", help="do not write docs/benchmarks.md")
    options = parser.parse_args(list(argv) if argv is not None else None)
    machine = describe_machine()
    report, meta = run(options.duration, options.rate)
    machine.load_after = load_average()
    body = render(report, meta, machine.markdown())
    print(body)
    if not options.no_report:
        write_section("points", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
