"""``casebridge case``: the audit trail of one case.

::

    casebridge case show ORDER_REVIEW-0123456789abcdef
    casebridge case show ORDER_REVIEW-0123456789abcdef --json
    casebridge case show OFFLINE_ORDER-42 --scan-all-partitions --lookback-hours 72
    casebridge case show ORDER_REVIEW-0123456789abcdef --shop eu-store.myshopify.com

Prints every record about the case, oldest first: the triggering webhook or
complaint, the case request, the opened process, decisions, write-backs and
states (see :mod:`streams.web.audit`). An unknown case id is one error line
and exit status 2; so is a case of another shop than ``--shop`` (case ids are
per shop, so the same id is never another store's case: the check guards a
lookup made in the wrong store's name).
"""

from __future__ import annotations

import json
from datetime import timedelta

import click

from streams.web.audit import AuditEntry, CaseNotFoundError, case_history

__all__ = ["case"]


def _timeline(entries: list[AuditEntry]) -> str:
    width = max(len(e.stage) for e in entries)
    lines = []
    for e in entries:
        stamp = e.at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        lines.append(f"{stamp}  {e.stage.ljust(width)}  {e.summary}")
    return "\n".join(lines)


def _check_shop(case_id: str, entries: list[AuditEntry], shop: str) -> None:
    shops = {str(e.record["shop"]).lower() for e in entries if e.record and e.record.get("shop")}
    if shop.strip().lower() not in shops:
        found = ", ".join(sorted(shops)) or "unknown"
        raise CaseNotFoundError(
            f"case {case_id!r} is not a case of shop {shop} (its shop: {found})"
        )


@click.group()
def case() -> None:
    """Look into workflow cases."""


@case.command("show")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON.")
@click.option(
    "--bootstrap-servers",
    metavar="HOST:PORT",
    help="Kafka to use (default: CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS).",
)
@click.option(
    "--lookback-hours",
    type=click.FloatRange(min=0),
    default=24.0,
    show_default=True,
    help="How far before the case request to search for its triggering events.",
)
@click.option(
    "--scan-all-partitions",
    is_flag=True,
    help="Read every partition of the case topics, not only the one the key hashes to.",
)
@click.option(
    "--shop",
    metavar="DOMAIN",
    help="Only a case of this shop (an error naming the case's shop otherwise).",
)
def show(
    case_id: str,
    as_json: bool,
    bootstrap_servers: str | None,
    lookback_hours: float,
    scan_all_partitions: bool,
    shop: str | None,
) -> None:
    """Print the audit trail of CASE_ID, oldest first."""
    from connectors.serde import RegistryClient
    from streams.settings import load_settings

    settings = load_settings()
    config = settings.kafka.confluent_config()
    if bootstrap_servers:
        config["bootstrap.servers"] = bootstrap_servers
    with RegistryClient.from_settings(settings.registry) as registry:
        entries = case_history(
            config,
            registry,
            case_id,
            lookback=timedelta(hours=lookback_hours),
            scan_all_partitions=scan_all_partitions,
        )
    if shop is not None:
        _check_shop(case_id, entries, shop)
    if as_json:
        click.echo(json.dumps({"case_id": case_id, "entries": [e.to_dict() for e in entries]}))
    else:
        click.echo(f"case {case_id}: {len(entries)} records")
        click.echo(_timeline(entries))
