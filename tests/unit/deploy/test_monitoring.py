"""The Grafana dashboard and the Prometheus alert rules: they read what /metrics exports.

* every metric an expression of the dashboard or the rules uses is in the
  worker's ``GET /metrics`` answer (a family with no series yet still shows
  its ``# TYPE`` line);
* the dashboard draws every figure of the operations page's charts;
* the rules hold the alerts the operations guide promises, and pass
  ``promtool check rules``, and their unit tests (``promtool test rules``)
  pass (promtool is built from the Go module proxy on first use; skipped,
  with the reason, only where Go is not installed);
* the Kubernetes overlays ship both files unchanged as ConfigMaps.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import faust
import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

from deploy.check.gotools import ToolUnavailable, go_cache_dir
from deploy.check.promtool import check_rules, ensure_promtool, run_rule_tests
from deploy.check.runner import DEPLOY_DIR, PROMETHEUS_RULE_TESTS, PROMETHEUS_RULES
from streams.ops.burrow import Status
from streams.ops.metrics import install_lag_collector
from streams.ops.monitor import GroupReport, LagReport, PartitionRow
from streams.ops.web import install_metrics_route
from streams.web.history import CHARTS

DASHBOARD = DEPLOY_DIR / "grafana" / "casebridge-dashboard.json"

#: PromQL words that are not metric names.
PROMQL_WORDS = {
    "sum", "max", "min", "avg", "count", "by", "without", "on", "ignoring", "group_left",
    "group_right", "rate", "irate", "increase", "delta", "time", "absent", "histogram_quantile",
    "and", "or", "unless", "offset", "bool", "vector", "scalar", "topk", "bottomk",
}  # fmt: skip

#: Suffixes Prometheus derives from one exported family.
FAMILY_SUFFIXES = ("_bucket", "_count", "_sum", "_created")


def metric_names(expr: str) -> set[str]:
    """The metric names an expression reads (labels, ranges, strings and keywords removed)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", r"\1", text)
    words = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", text))
    return {w for w in words if w not in PROMQL_WORDS and not w.startswith("__")}


def dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [t["expr"] for p in dashboard["panels"] for t in p["targets"]]


def rules() -> list[dict[str, Any]]:
    loaded = yaml.safe_load(PROMETHEUS_RULES.read_text())
    return [rule for group in loaded["groups"] for rule in group["rules"]]


def test_metric_names_are_found_in_expressions() -> None:
    expr = (
        "time() - max(casebridge_webhook_last_accepted_timestamp_seconds) > min(x_seconds) or "
        "sum by (shop, priority) "
        '(rate(casebridge_shopify_points_total{kind="actual"}[$__rate_interval]))'
    )
    assert metric_names(expr) == {
        "casebridge_webhook_last_accepted_timestamp_seconds",
        "x_seconds",
        "casebridge_shopify_points_total",
    }


@pytest.fixture
async def exported() -> AsyncIterator[set[str]]:
    """The metric names a worker's ``GET /metrics`` answers with, lag collector installed."""
    row = PartitionRow("shopify.webhooks", 0, 5, 9, 4, Status.OK, "consuming", lag_seconds=2.0)
    report = LagReport(at=0.0, groups=[GroupReport("casebridge", Status.OK, "STABLE", 1, [row])])
    install_lag_collector(lambda: report)
    app = faust.App("casebridge-unit-metrics", broker="kafka://127.0.0.1:1")
    install_metrics_route(app)
    web_app = app.web.web_app  # type: ignore[attr-defined]
    async with TestClient(TestServer(web_app)) as client:
        answer = await client.get("/metrics")
        assert answer.status == 200
        text = await answer.text()
    names = set(re.findall(r"^# TYPE (\S+) ", text, re.MULTILINE))
    names |= set(re.findall(r"^([A-Za-z_:][A-Za-z0-9_:]*)[{ ]", text, re.MULTILINE))
    yield names
    install_lag_collector(lambda: None)


def _missing(names: set[str], exported: set[str]) -> set[str]:
    def known(name: str) -> bool:
        if name in exported:
            return True
        return any(name.endswith(s) and name[: -len(s)] in exported for s in FAMILY_SUFFIXES)

    return {n for n in names if not known(n)}


async def test_every_metric_of_the_dashboard_is_exported(exported: set[str]) -> None:
    used = set().union(*(metric_names(e) for e in dashboard_exprs()))
    assert "kafka_consumergroup_lag_sum" in used
    assert not _missing(used, exported), f"dashboard reads unexported metrics: {used - exported}"


async def test_every_metric_of_the_alert_rules_is_exported(exported: set[str]) -> None:
    used = set().union(*(metric_names(r["expr"]) for r in rules()))
    assert not _missing(used, exported), f"rules read unexported metrics: {used - exported}"


def test_the_dashboard_draws_every_figure_of_the_page() -> None:
    exprs = dashboard_exprs()
    for chart in CHARTS:
        for line in chart.lines:
            assert any(line.metric in e for e in exprs), f"no panel for {chart.id}: {line.metric}"


def test_the_promised_alerts_are_there() -> None:
    by_name = {r["alert"]: r for r in rules() if "alert" in r}
    assert {
        "CasebridgeConsumerLagNotOk",
        "CasebridgeDlqGrowing",
        "CasebridgeDecisionsFailing",
        "CasebridgeShopifyBudgetSaturated",
        "CasebridgeOpenTextAuthErrors",
        "CasebridgeNoWebhooks",
    } <= set(by_name)
    assert by_name["CasebridgeConsumerLagNotOk"]["for"] == "5m"
    assert "casebridge_consumergroup_status" in by_name["CasebridgeConsumerLagNotOk"]["expr"]
    # The silence is configured on the workers and read from their metrics.
    assert "casebridge_webhooks_quiet_alert_seconds" in by_name["CasebridgeNoWebhooks"]["expr"]


@pytest.fixture(scope="module")
def promtool() -> Iterator[Path]:
    if shutil.which("go") is None and not (go_cache_dir() / "bin" / "promtool").is_file():
        pytest.skip("go is not installed: promtool cannot be built to check the alert rules")
    try:
        yield ensure_promtool()
    except ToolUnavailable as exc:  # pragma: no cover - only without Go
        pytest.skip(str(exc))


@pytest.mark.slow
@pytest.mark.timeout(1900)
def test_promtool_accepts_the_rules(promtool: Path) -> None:
    assert check_rules(promtool, PROMETHEUS_RULES, "rules") == []


@pytest.mark.slow
@pytest.mark.timeout(1900)
def test_the_alerts_fire_when_they_should(promtool: Path) -> None:
    """deploy/prometheus/casebridge-rules.test.yaml: synthetic series, expected alerts."""
    assert run_rule_tests(promtool, PROMETHEUS_RULE_TESTS, "rules") == []


@pytest.mark.slow
@pytest.mark.timeout(1900)
def test_the_rule_tests_catch_an_alert_that_fires_too_soon(promtool: Path, tmp_path: Path) -> None:
    hasty = PROMETHEUS_RULES.read_text().replace("for: 5m", "for: 1m", 1)
    (tmp_path / PROMETHEUS_RULES.name).write_text(hasty)
    (tmp_path / PROMETHEUS_RULE_TESTS.name).write_text(PROMETHEUS_RULE_TESTS.read_text())
    (finding,) = run_rule_tests(promtool, tmp_path / PROMETHEUS_RULE_TESTS.name, "rules")
    assert "CasebridgeConsumerLagNotOk" in finding.message


@pytest.mark.slow
@pytest.mark.timeout(1900)
def test_promtool_rejects_a_broken_rule(promtool: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "groups:\n  - name: x\n    rules:\n"
        "      - alert: Broken\n        expr: sum by (topic (casebridge_dlq_records_total)\n"
    )
    (finding,) = check_rules(promtool, broken, "rules")
    assert "parse error" in finding.message


def test_the_base_kustomization_ships_both_files() -> None:
    base = yaml.safe_load((DEPLOY_DIR / "k8s" / "base" / "kustomization.yaml").read_text())
    assert {"../../prometheus", "../../grafana"} <= set(base["resources"])
    for folder, name in (("prometheus", PROMETHEUS_RULES.name), ("grafana", DASHBOARD.name)):
        kustomization = yaml.safe_load((DEPLOY_DIR / folder / "kustomization.yaml").read_text())
        (generator,) = kustomization["configMapGenerator"]
        assert generator["files"] == [name]
