"""``casebridge dlq``: look into dead-letter topics and replay them.

::

    casebridge dlq list shopify.webhooks [--limit 50] [--json]
    casebridge dlq replay shopify.webhooks --filter reason='*timeout*' --dry-run
    casebridge dlq replay cases.requests.dlq --filter error_class=HTTPStatusError --limit 10
    casebridge dlq replay shopify.webhooks --from-beginning --filter key='shop-1/*'

The topic may be given as the source topic or as its DLQ. Filters are
``field=pattern`` with shell wildcards: ``key`` is the record key, any other
field a ``casebridge.dlq.*`` header (reason, error_class, status,
source_topic...). ``replay`` remembers what it replayed (consumer group
``casebridge-dlq-replay-<dlq>``) so running it twice publishes nothing new;
see :mod:`streams.ops.dlq`.
"""

from __future__ import annotations

import json
from typing import Any

import click

from streams.ops.dlq import list_records, parse_filters, replay
from streams.ops.dlq_records import DlqRecord, ReplayResult

__all__ = ["dlq"]

_COLUMNS = ("PARTITION", "OFFSET", "TIMESTAMP", "KEY", "SIZE", "REASON", "ERROR", "ATTEMPTS")
_MAX_CELL = 60


def _client_config(bootstrap_servers: str | None) -> dict[str, Any]:
    from streams.settings import load_settings

    config = load_settings().kafka.confluent_config()
    if bootstrap_servers:
        config["bootstrap.servers"] = bootstrap_servers
    return config


def _cell(value: object) -> str:
    text = "-" if value is None or value == "" else str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 3] + "..."


def _table(records: list[DlqRecord]) -> str:
    rows: list[tuple[str, ...]] = [_COLUMNS]
    for r in records:
        stamp = r.timestamp
        rows.append(
            tuple(
                _cell(v)
                for v in (
                    r.partition,
                    r.offset,
                    stamp.isoformat(timespec="seconds") if stamp else None,
                    r.key_text,
                    r.size,
                    r.dlq.get("reason"),
                    r.dlq.get("error_class"),
                    r.dlq.get("attempts"),
                )
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


_bootstrap_option = click.option(
    "--bootstrap-servers",
    metavar="HOST:PORT",
    help="Kafka to use (default: CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS).",
)
_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group("dlq")
def dlq() -> None:
    """List and replay dead-letter topics (<topic>.dlq)."""


@dlq.command("list")
@click.argument("topic")
@click.option("--limit", type=click.IntRange(1, 100000), default=100, show_default=True)
@_json_option
@_bootstrap_option
def list_command(topic: str, limit: int, as_json: bool, bootstrap_servers: str | None) -> None:
    """Show the records of TOPIC's DLQ (TOPIC may be the DLQ itself), oldest first."""
    records = list_records(_client_config(bootstrap_servers), topic, limit=limit)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in records], indent=2))
        return
    click.echo(_table(records))
    click.echo(f"\n{len(records)} record(s)")


def _summary(result: ReplayResult) -> str:
    verb = "would replay" if result.dry_run else "replayed"
    lines = [
        f"{result.dlq_topic}/{r.dlq_partition}/{r.dlq_offset} -> {r.topic}"
        + ("" if r.partition is None else f"[{r.partition}]@{r.offset}")
        + f" attempt {r.attempt}"
        for r in result.replayed
    ]
    lines += [f"skipped {result.dlq_topic}/{p}/{o}: {why}" for p, o, why in result.skipped]
    lines.append(
        f"{verb} {len(result.replayed)} record(s); {result.matched} matched, "
        f"{result.examined} examined in {result.dlq_topic}"
    )
    return "\n".join(lines)


@dlq.command("replay")
@click.argument("topic")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="FIELD=PATTERN",
    help="Replay only matching records (key=..., reason=..., error_class=...; repeatable).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be replayed; publish nothing.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Replay at most N records.")
@click.option(
    "--from-beginning", is_flag=True, help="Ignore what earlier replays already published."
)
@_json_option
@_bootstrap_option
def replay_command(
    topic: str,
    filters: tuple[str, ...],
    dry_run: bool,
    limit: int | None,
    from_beginning: bool,
    as_json: bool,
    bootstrap_servers: str | None,
) -> None:
    """Re-publish the original bytes of TOPIC's dead letters to their source topic."""
    result = replay(
        _client_config(bootstrap_servers),
        topic,
        filters=parse_filters(filters),
        dry_run=dry_run,
        limit=limit,
        from_beginning=from_beginning,
    )
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else _summary(result))
