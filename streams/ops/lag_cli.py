"""``casebridge lag``: consumer lag and Burrow-style status from the command line.

::

    casebridge lag                          # every casebridge* group, 3 samples 1 s apart
    casebridge lag --group casebridge --json
    casebridge lag --samples 1              # one look: OK, ERR or STOP only
    casebridge lag --shop eu-store.myshopify.com   # and that store's share of the backlog

A status needs a window of samples, so the command samples ``--samples``
times, ``--interval`` seconds apart, and judges the last window. With a
single sample only three verdicts are possible: OK (no lag, or someone
consuming), ERR (unmeasurable) and STOP (lag while no live member owns the
partition, or the group never committed it); STALL, REWIND and WARN need
movement between samples. ``--check`` exits 1 when any group is not OK,
or when a stage is refused by a remote service: below the table, each stage
with a health note (``streams.kafka.health``) gets a line, e.g. the sink
waiting because OpenText refuses its credentials (its lag grows meanwhile).
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import asdict
from typing import Any

import click

from streams.kafka.health import HealthNote, read_notes
from streams.kafka.watermark import KafkaWatermarkStore, WatermarkError
from streams.ops.burrow import Status
from streams.ops.lag import AdminOffsetsSource
from streams.ops.monitor import LagMonitor, LagReport
from streams.ops.shop_lag import shop_backlog

__all__ = ["lag", "render_table"]

_COLUMNS = ("GROUP", "TOPIC", "PARTITION", "COMMITTED", "END", "LAG", "STATUS")


def render_table(report: LagReport) -> str:
    """The report as an aligned text table plus one status line per group."""
    rows: list[tuple[str, ...]] = [_COLUMNS]
    for group in report.groups:
        for row in group.partitions:
            rows.append(
                (
                    group.group,
                    row.topic,
                    str(row.partition),
                    "-" if row.committed is None else str(row.committed),
                    "-" if row.end is None else str(row.end),
                    "-" if row.lag is None else str(row.lag),
                    row.status.value,
                )
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(_COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    lines.append("")
    for group in report.groups:
        detail = group.error or (
            f"state {group.state}, {group.members} member(s), "
            f"{len(group.partitions)} partition(s), lag {group.total_lag}"
        )
        lines.append(f"group {group.group}: {group.status.value} ({detail})")
    if not report.groups:
        lines.append("no consumer group to watch")
    return "\n".join(lines)


async def _sample(monitor: LagMonitor, samples: int, interval_s: float) -> LagReport:
    try:
        report = await monitor.evaluate_once()
        for _ in range(samples - 1):
            await asyncio.sleep(interval_s)
            report = await monitor.evaluate_once()
        return report
    finally:
        await monitor.aclose()


@click.command("lag")
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="GROUP",
    help="Watch only this group (repeatable); default: every group of the app.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--samples",
    type=click.IntRange(1, 1000),
    default=3,
    show_default=True,
    help="Offset samples to take; the status is judged on this window.",
)
@click.option(
    "--interval",
    "interval_s",
    type=click.FloatRange(0, 3600),
    default=1.0,
    show_default=True,
    help="Seconds between two samples.",
)
@click.option(
    "--bootstrap-servers",
    metavar="HOST:PORT",
    help="Kafka to ask (default: CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS).",
)
@click.option("--check", is_flag=True, help="Exit 1 when a group is not OK.")
@click.option(
    "--shop",
    metavar="DOMAIN",
    help="Also count how many waiting records of the shop-keyed topics are this shop's.",
)
def lag(
    groups: tuple[str, ...],
    as_json: bool,
    samples: int,
    interval_s: float,
    bootstrap_servers: str | None,
    check: bool,
    shop: str | None,
) -> None:
    """Show consumer lag per group, topic and partition, with a Burrow-style status."""
    from streams.settings import load_settings

    settings = load_settings()
    configured = settings.lag
    overrides: dict[str, object] = {"window": max(2, samples), "alert_url": None}
    if groups:
        # An empty prefix matches nothing, so only the named groups are watched.
        overrides.update(groups=list(groups), group_prefix="")
    lag_settings = configured.model_copy(update=overrides)
    config = settings.kafka.confluent_config()
    if bootstrap_servers:
        config["bootstrap.servers"] = bootstrap_servers
    source = AdminOffsetsSource(config, timeout_s=lag_settings.request_timeout_s)
    monitor = LagMonitor(source, lag_settings, prefix=lag_settings.prefix(settings.app_id))
    report = asyncio.run(_sample(monitor, samples, interval_s))
    notes, notes_error = _notes(config, settings.app_id)
    backlog = shop_backlog(config, report, shop) if shop else []
    if as_json:
        body = report.to_dict()
        body["remote"] = [asdict(n) for n in notes]
        body["remote_error"] = notes_error
        if shop:
            body["shop"] = {"domain": shop, "backlog": [b.to_dict() for b in backlog]}
        click.echo(json.dumps(body, indent=2))
    else:
        click.echo(render_table(report))
        for line in [n.line() for n in notes] + ([notes_error] if notes_error else []):
            click.echo(line)
        for part in backlog:
            click.echo(part.line(shop or ""))
    refused = any(n.failing for n in notes)
    if check and (report.status is not Status.OK or refused):
        sys.exit(1)


def _notes(config: dict[str, Any], app_id: str) -> tuple[list[HealthNote], str | None]:
    """The stages' health notes, or why they could not be read."""
    try:
        return read_notes(KafkaWatermarkStore(config, None, timeout_s=5.0), app_id), None
    except WatermarkError as exc:
        return [], f"health notes unreadable: {exc}"
