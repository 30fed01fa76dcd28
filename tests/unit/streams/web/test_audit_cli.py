"""``casebridge case show``: timeline, JSON, and one clear line for an unknown case."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from streams import audit_cli
from streams.audit_cli import case
from streams.cli import main
from streams.web.audit import AuditEntry, CaseNotFoundError
from tests.unit.schemas.samples import T0

ENTRIES = [
    AuditEntry(T0, "requested", "cases.requests", 1, 4, "ORDER_REVIEW requested for order 1"),
    AuditEntry(
        T0 + timedelta(minutes=2),
        "decision",
        "cases.decisions",
        1,
        9,
        "decision approved by fraud: 2 actions",
        {"outcome": "approved", "shop": "us.myshopify.com"},
    ),
    AuditEntry(
        T0 + timedelta(minutes=3),
        "writeback",
        "shopify.writebacks",
        1,
        2,
        "writeback RELEASE_HOLD APPLIED",
    ),
]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def history(config: Any, registry: Any, case_id: str, **kwargs: Any) -> list[AuditEntry]:
        seen.append({"config": config, "case_id": case_id, **kwargs})
        if case_id == "unknown":
            raise CaseNotFoundError(f"no records for case {case_id!r} in cases.requests")
        return ENTRIES

    monkeypatch.setattr(audit_cli, "case_history", history)
    return seen


def test_timeline(calls: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(case, ["show", "ORDER_REVIEW-1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "case ORDER_REVIEW-1: 3 records"
    assert lines[1] == "2026-11-26T09:30:15.123Z  requested  ORDER_REVIEW requested for order 1"
    assert lines[2].endswith("decision   decision approved by fraud: 2 actions")
    assert lines[3].endswith("writeback  writeback RELEASE_HOLD APPLIED")
    assert calls[0]["lookback"] == timedelta(hours=24)
    assert calls[0]["scan_all_partitions"] is False


def test_json_and_options(calls: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(
        case,
        [
            "show",
            "X",
            "--json",
            "--bootstrap-servers",
            "10.0.0.1:9092",
            "--lookback-hours",
            "2",
            "--scan-all-partitions",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["case_id"] == "X"
    assert [e["stage"] for e in body["entries"]] == ["requested", "decision", "writeback"]
    assert body["entries"][1]["record"] == {"outcome": "approved", "shop": "us.myshopify.com"}
    assert calls[0]["config"]["bootstrap.servers"] == "10.0.0.1:9092"
    assert calls[0]["lookback"] == timedelta(hours=2) and calls[0]["scan_all_partitions"]


def test_unknown_case_is_one_line_and_exit_2(
    calls: list[dict[str, Any]], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Until the lead registers the subcommand, add it for this test only.
    from streams import cli

    monkeypatch.setitem(cli.SUBCOMMANDS, "case", "streams.audit_cli:case")
    with pytest.raises(SystemExit) as exited:
        main(["case", "show", "unknown"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err == "error: no records for case 'unknown' in cases.requests\n"


def test_the_shop_filter_shows_only_a_case_of_that_shop(calls: list[dict[str, Any]]) -> None:
    mine = CliRunner().invoke(case, ["show", "ORDER_REVIEW-1", "--shop", "US.myshopify.com"])
    other = CliRunner().invoke(case, ["show", "ORDER_REVIEW-1", "--shop", "eu.myshopify.com"])

    assert mine.exit_code == 0, mine.output
    assert isinstance(other.exception, CaseNotFoundError)
    assert str(other.exception) == (
        "case 'ORDER_REVIEW-1' is not a case of shop eu.myshopify.com (its shop: us.myshopify.com)"
    )
