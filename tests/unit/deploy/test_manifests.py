"""The Kubernetes overlays render, validate and keep casebridge's invariants.

Rendering needs kustomize, built once from the Go module proxy into
``~/.cache/casebridge/go`` (about 35 s the first time): these tests are slow.
Each negative test breaks one rule in a copy of the rendered objects and
expects the check to name it.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from deploy.check import Report, check_kubernetes
from deploy.check.kustomize import ensure_kustomize, go_cache_dir
from deploy.check.manifests import invariant_findings, schema_findings
from deploy.check.runner import DEFAULT_KUBERNETES_VERSION
from tests.unit.deploy.application import APP

Doc = dict[str, Any]

# The first test may include building kustomize (go install) on a fresh machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[Doc]]:
    if shutil.which("go") is None and not (go_cache_dir() / "bin" / "kustomize").is_file():
        pytest.skip("go is not installed: kustomize cannot be built to render the overlays")
    ensure_kustomize()
    report = Report()
    docs = check_kubernetes(report, APP)
    assert report.ok, report.render()
    return docs


def _find(docs: list[Doc], kind: str, name: str) -> Doc:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def _worker(docs: list[Doc], name: str) -> Doc:
    container: Doc = _find(docs, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]
    return container


def _messages(docs: list[Doc]) -> list[str]:
    findings = [
        *schema_findings(docs, "test", DEFAULT_KUBERNETES_VERSION),
        *invariant_findings(APP, docs, "test"),
    ]
    return [f"{f.subject}: {f.message}" for f in findings if f.severity == "error"]


def test_every_overlay_renders_and_passes(rendered: dict[str, list[Doc]]) -> None:
    assert set(rendered) == {"dev", "prod"}
    for docs in rendered.values():
        assert _messages(docs) == []


def test_one_deployment_and_pdb_per_role(rendered: dict[str, list[Doc]]) -> None:
    for docs in rendered.values():
        deployments = {d["metadata"]["name"] for d in docs if d["kind"] == "Deployment"}
        pdbs = {d["metadata"]["name"] for d in docs if d["kind"] == "PodDisruptionBudget"}
        expected = {
            f"casebridge-{r}"
            for r in (
                "ingress",
                "processors",
                "sink",
                "writer",
                "decisions",
                "escalation",
                "monitor",
            )
        }
        assert deployments == expected
        assert pdbs == expected


def test_prod_scales_processors_to_its_partitions(rendered: dict[str, list[Doc]]) -> None:
    prod = rendered["prod"]
    scaled = _find(prod, "ScaledObject", "casebridge-processors")
    config = next(d for d in prod if d["kind"] == "ConfigMap")
    assert scaled["spec"]["maxReplicaCount"] == int(
        config["data"]["CASEBRIDGE_KAFKA__DEFAULT_PARTITIONS"]
    )
    assert scaled["spec"]["triggers"][0]["metadata"]["topic"] == "shopify.webhooks"
    assert config["data"]["CASEBRIDGE_KAFKA__SECURITY_PROTOCOL"] == "SASL_SSL"


def _break(
    rendered: dict[str, list[Doc]], overlay: str, change: Callable[[list[Doc]], None]
) -> list[str]:
    docs = copy.deepcopy(rendered[overlay])
    change(docs)
    return _messages(docs)


def _wrong_secret_key(docs: list[Doc]) -> None:
    for entry in _worker(docs, "casebridge-sink")["env"]:
        if entry["name"] == "CASEBRIDGE_OPENTEXT__CLIENT_SECRET":
            entry["valueFrom"]["secretKeyRef"]["key"] = "opentext-secret"


def _drop_probe(docs: list[Doc]) -> None:
    del _worker(docs, "casebridge-sink")["readinessProbe"]


def _literal_secret(docs: list[Doc]) -> None:
    env = _worker(docs, "casebridge-sink")["env"]
    env[:] = [e for e in env if e["name"] != "CASEBRIDGE_OPENTEXT__CLIENT_SECRET"]
    env.append({"name": "CASEBRIDGE_OPENTEXT__CLIENT_SECRET", "value": "hunter2"})


def _too_many_replicas(docs: list[Doc]) -> None:
    _find(docs, "ScaledObject", "casebridge-processors")["spec"]["maxReplicaCount"] = 7


def _wrong_group(docs: list[Doc]) -> None:
    trigger = _find(docs, "ScaledObject", "casebridge-processors")["spec"]["triggers"][0]
    trigger["metadata"]["consumerGroup"] = "casebridge"


def _no_pdb(docs: list[Doc]) -> None:
    docs.remove(_find(docs, "PodDisruptionBudget", "casebridge-writer"))


def _root(docs: list[Doc]) -> None:
    pod = _find(docs, "Deployment", "casebridge-monitor")["spec"]["template"]["spec"]
    pod["securityContext"]["runAsNonRoot"] = False


def _misspelt_setting(docs: list[Doc]) -> None:
    _worker(docs, "casebridge-sink")["env"].append(
        {"name": "CASEBRIDGE_KAFKA_BOOTSTRAP_SERVERS", "value": "kafka:9092"}
    )


def _bad_value(docs: list[Doc]) -> None:
    config = next(d for d in docs if d["kind"] == "ConfigMap")
    config["data"]["CASEBRIDGE_KAFKA__SECURITY_PROTOCOL"] = "TLS"


def _loopback(docs: list[Doc]) -> None:
    config = next(d for d in docs if d["kind"] == "ConfigMap")
    config["data"]["CASEBRIDGE_WEB_HOST"] = "127.0.0.1"


def _shared_group(docs: list[Doc]) -> None:
    for entry in _worker(docs, "casebridge-sink")["env"]:
        if entry["name"] == "CASEBRIDGE_APP_ID":
            entry["value"] = "casebridge-writer"


def _replicas_on_scaled(docs: list[Doc]) -> None:
    _find(docs, "Deployment", "casebridge-processors")["spec"]["replicas"] = 2


def _unknown_role(docs: list[Doc]) -> None:
    _worker(docs, "casebridge-sink")["args"] = ["worker", "--roles", "sinks"]


def _typo_in_trigger(docs: list[Doc]) -> None:
    meta = _find(docs, "ScaledObject", "casebridge-processors")["spec"]["triggers"][0]["metadata"]
    meta["lagTreshold"] = meta.pop("lagThreshold")


def _bool_in_trigger(docs: list[Doc]) -> None:
    meta = _find(docs, "ScaledObject", "casebridge-processors")["spec"]["triggers"][0]["metadata"]
    meta["allowIdleConsumers"] = False


def _string_replicas(docs: list[Doc]) -> None:
    _find(docs, "Deployment", "casebridge-sink")["spec"]["replicas"] = "one"


def _plaintext_keda_on_tls(docs: list[Doc]) -> None:
    meta = _find(docs, "ScaledObject", "casebridge-processors")["spec"]["triggers"][0]["metadata"]
    del meta["tls"]


@pytest.mark.parametrize(
    ("overlay", "change", "expected"),
    [
        ("dev", _drop_probe, "no readinessProbe"),
        ("dev", _wrong_secret_key, "has no key 'opentext-secret'"),
        ("dev", _literal_secret, "CASEBRIDGE_OPENTEXT__CLIENT_SECRET is a literal"),
        ("dev", _too_many_replicas, "maxReplicaCount 7 exceeds the 6 partitions"),
        ("dev", _wrong_group, "consumerGroup 'casebridge' is not the target's app id"),
        ("dev", _no_pdb, "no PodDisruptionBudget"),
        ("dev", _root, "runAsNonRoot must be true"),
        (
            "dev",
            _misspelt_setting,
            "CASEBRIDGE_KAFKA_BOOTSTRAP_SERVERS is not a casebridge setting",
        ),
        ("dev", _bad_value, "CASEBRIDGE_KAFKA__SECURITY_PROTOCOL"),
        ("dev", _loopback, "CASEBRIDGE_WEB_HOST must be 0.0.0.0"),
        ("dev", _shared_group, "app id 'casebridge-writer' also used"),
        ("dev", _replicas_on_scaled, "sets spec.replicas although a ScaledObject scales it"),
        ("dev", _unknown_role, "unknown role(s): sinks"),
        ("dev", _typo_in_trigger, "'lagTreshold' does not match"),
        ("dev", _bool_in_trigger, "False is not one of ['true', 'false']"),
        ("dev", _string_replicas, "spec.replicas: 'one' is not of type 'integer'"),
        ("prod", _plaintext_keda_on_tls, "tls must be enable for SASL_SSL"),
    ],
)
def test_a_broken_rule_is_reported(
    rendered: dict[str, list[Doc]],
    overlay: str,
    change: Callable[[list[Doc]], None],
    expected: str,
) -> None:
    messages = _break(rendered, overlay, change)

    assert any(expected in m for m in messages), messages


def test_every_overlay_ships_the_alert_rules_and_the_dashboard(
    rendered: dict[str, list[Doc]],
) -> None:
    deploy = Path(__file__).resolve().parents[3] / "deploy"
    files = {
        "casebridge-prometheus-rules": deploy / "prometheus" / "casebridge-rules.yaml",
        "casebridge-grafana-dashboard": deploy / "grafana" / "casebridge-dashboard.json",
    }
    for overlay, docs in rendered.items():
        for name, path in files.items():
            config = _find(docs, "ConfigMap", name)
            assert config["data"] == {path.name: path.read_text()}, overlay
        dashboard = _find(docs, "ConfigMap", "casebridge-grafana-dashboard")
        assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
