"""A shop's share of the backlog, read from the real broker (``casebridge lag --shop``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner

from streams.ops.lag import AdminOffsetsSource
from streams.ops.lag_cli import lag
from streams.ops.monitor import LagMonitor
from streams.ops.shop_lag import shop_backlog
from streams.settings import LagSettings
from tests.integration.streams.ops.conftest import consume, produce

pytestmark = pytest.mark.integration

US = b"us-store.myshopify.com/"
EU = b"eu-store.myshopify.com/"


async def test_the_waiting_records_of_one_shop_are_counted(
    bootstrap_servers: str, unique: str, make_topic: Callable[[str, int], str]
) -> None:
    topic = make_topic(f"it-shop-lag-{unique}", 2)
    group = f"casebridge-it-{unique}"
    produce(bootstrap_servers, topic, [(US + b"1", b"v", [])], partition=0)
    consume(bootstrap_servers, topic, group, 1)  # the group is past this one
    produce(bootstrap_servers, topic, [(EU + b"2", b"v", []), (US + b"3", b"v", [])], partition=0)
    produce(bootstrap_servers, topic, [(EU + b"4", b"v", [])] * 3, partition=1)
    settings = LagSettings(groups=[group], group_prefix="", window=2, interval_s=0.1)
    monitor = LagMonitor(
        AdminOffsetsSource({"bootstrap.servers": bootstrap_servers}, timeout_s=15),
        settings,
        prefix="",
    )
    await monitor.evaluate_once()
    await asyncio.sleep(0.1)
    report = await monitor.evaluate_once()
    config = {"bootstrap.servers": bootstrap_servers}

    eu = shop_backlog(config, report, "EU-store.myshopify.com", topics=[topic])
    us = shop_backlog(config, report, "us-store.myshopify.com", topics=[topic])
    cut = shop_backlog(config, report, "eu-store.myshopify.com", topics=[topic], limit=1)

    assert [(b.group, b.waiting, b.of_shop, b.complete) for b in eu] == [(group, 5, 4, True)]
    assert [(b.waiting, b.of_shop) for b in us] == [(5, 1)]
    assert [(b.waiting, b.complete) for b in cut] == [(2, False)]
    assert eu[0].line("eu-store.myshopify.com") == (
        f"shop eu-store.myshopify.com: 4 of 5 waiting records in {topic} for {group}"
    )


def test_lag_cli_reports_the_shop(bootstrap_servers: str, unique: str) -> None:
    result = CliRunner().invoke(
        lag,
        [
            "--group",
            f"casebridge-it-none-{unique}",
            "--samples",
            "1",
            "--bootstrap-servers",
            bootstrap_servers,
            "--json",
            "--shop",
            "eu-store.myshopify.com",
        ],
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["shop"]["domain"] == "eu-store.myshopify.com"
