"""Render ``docs/reliability.md`` from the result rows of a reliability run.

    python -m tests.reliability.report <basetemp>/reliability-results.json [docs/reliability.md]

The conftest calls :func:`render_file` at the end of a session that ran every
scenario, so ``pytest -m reliability tests/reliability`` refreshes the page.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "reliability.md"
RESULTS_NAME = "reliability-results.json"

SCENARIOS: dict[int, str] = {
    1: "Worker killed (SIGKILL) mid-stream, restarted",
    2: "Broker stopped and restarted mid-run",
    3: "OpenText down for 60 s",
    4: "Shopify bucket cut to 10 points/s",
    5: "Poison bytes on every input topic",
    6: "Rebalance: two workers, a third joins, one leaves",
    7: "Webhooks duplicated, late and out of order",
    8: "Forged, replayed and oversized webhook flood",
}

_HEAD = """# Reliability

What casebridge does when things break, measured. `tests/reliability/` runs
each scenario below against real processes: both emulators (Shopify and
OpenText Workflow Service, over HTTP), `casebridge worker` processes, and a
Kafka broker + Apicurio registry of the suite's own (a `LocalStack` on free
ports with its own data directory, so the shared stack is never touched and
nothing else adds records or consumers). The OpenText emulator decides every
task itself (`decisions: auto`), so each trigger travels the whole loop:
signed webhook -> ingress -> classify/enrich (+ review hold) -> OpenText case
-> decision -> Shopify write-back. The workers run the bundled policy with
the order reviews' inventory check off: the workload's orders are restocked
before they are placed, so a mismatch there would only be the check's
documented eventual consistency (a restock's webhook classified after its
order), and that incidental review would be decided like the workload's own.

Each scenario injects its fault into a small fixed workload and then audits
the end state:

* **records**: the triggering inputs (scenario events whose webhooks reach
  ingress, or posted/produced records) that must each open one case;
* **lost**: a case with no process instance, a decision with no effect
  (hold not released, order not cancelled, no refund, return not approved;
  an approved return's one refund or, when the reviewer chose `resolution:
  replacement`, its one completed replacement order and no refund),
  a valid record not processed after poison, a valid webhook refused;
* **duplicated**: a second process instance for a businessKey or an order,
  a second refund, a second hold with one handle, an effect the decision did
  not ask for, a forged or replayed webhook that got into the pipeline.

Run it: `pytest -m reliability tests/reliability` (about 10 min on 2 cores,
plus ~40 s to start the private stack). Each scenario is bounded (a 300 s
test timeout, audits of at most 200 s). The page is re-rendered at the end of
a run of all eight scenarios, or by hand with
`python -m tests.reliability.report <basetemp>/reliability-results.json`.
When an audit fails, `diagnosis.json` next to the scenario's logs in the
basetemp lists the webhook deliveries, the OpenText instances and the
records (with `partition:offset`) of `shopify.webhooks`, `cases.requests`,
`cases.decisions`, `shopify.writebacks` and `cases.state`, and the group's
committed offsets.
"""


def render(rows: list[dict[str, Any]]) -> str:
    """The Markdown page for ``rows``."""
    lines = [
        _HEAD,
        f"## Results ({datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')})",
        "",
        "| # | scenario | injected | records | lost | duplicated | result | time |",
        "|---|---|---|---:|---:|---:|---|---:|",
    ]
    for row in sorted(rows, key=lambda r: r["scenario"]):
        lines.append(
            f"| {row['scenario']} | {row['name']} | {row['injected']} | {row['records']} "
            f"| {row['lost']} | {row['duplicated']} | **{row['result']}** "
            f"| {row['seconds']:.0f} s |"
        )
    total = sum(float(r["seconds"]) for r in rows)
    lines += ["", f"Total scenario time: {total / 60:.1f} min.", ""]
    notes = [(r["scenario"], n) for r in rows for n in r.get("notes") or []]
    if notes:
        lines += ["## Notes", ""]
        lines += [f"* scenario {n}: {text}" for n, text in notes]
        lines.append("")
    return "\n".join(lines)


def render_file(results: Path, doc: Path = DOC) -> Path:
    """Render ``doc`` from the JSON rows in ``results``."""
    rows = json.loads(results.read_text())
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(render(rows))
    return doc


def main(argv: list[str]) -> int:
    """CLI entry: ``report.py RESULTS [DOC]``."""
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    doc = render_file(Path(argv[0]), Path(argv[1]) if len(argv) > 1 else DOC)
    print(doc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
