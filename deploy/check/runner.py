"""Run every deployment check and collect one :class:`Report`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

from deploy.check.application import Application
from deploy.check.compose import check_compose
from deploy.check.dockerfile import check_dockerfile
from deploy.check.kustomize import RenderError, ToolUnavailable, ensure_kustomize, render
from deploy.check.manifests import invariant_findings, schema_findings, secret_keys
from deploy.check.promtool import check_prometheus
from deploy.check.report import Finding, Report

DEPLOY_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = DEPLOY_DIR.parent
K8S_DIR = DEPLOY_DIR / "k8s"
PROMETHEUS_RULES = DEPLOY_DIR / "prometheus" / "casebridge-rules.yaml"
PROMETHEUS_RULE_TESTS = DEPLOY_DIR / "prometheus" / "casebridge-rules.test.yaml"
OVERLAYS = ("dev", "prod")
DEFAULT_KUBERNETES_VERSION = "1.33"


def check_kubernetes(
    report: Report,
    app: Application,
    *,
    overlays: Sequence[str] = OVERLAYS,
    kubernetes_version: str = DEFAULT_KUBERNETES_VERSION,
    k8s_dir: Path = K8S_DIR,
) -> dict[str, list[dict[str, object]]]:
    """Render and check each overlay; returns the rendered documents per overlay."""
    rendered: dict[str, list[dict[str, object]]] = {}
    documented: dict[str, set[str]] = {}
    example = k8s_dir / "base" / "secret.example.yaml"
    if example.is_file():
        docs = [d for d in yaml.safe_load_all(example.read_text(encoding="utf-8")) if d]
        report.extend(schema_findings(docs, "k8s/base/secret.example.yaml", kubernetes_version))
        documented = secret_keys(docs)
        report.checked.append("k8s secret example")
    try:
        kustomize = ensure_kustomize()
    except ToolUnavailable as exc:
        report.extend([Finding("k8s", "kustomize", str(exc), "skipped")])
        return rendered
    except RenderError as exc:
        report.extend([Finding("k8s", "kustomize", str(exc))])
        return rendered
    for overlay in overlays:
        artefact = f"k8s/{overlay}"
        try:
            docs = render(kustomize, k8s_dir / "overlays" / overlay)
        except RenderError as exc:
            report.extend([Finding(artefact, "kustomize build", str(exc))])
            continue
        rendered[overlay] = list(docs)
        report.extend(schema_findings(docs, artefact, kubernetes_version))
        report.extend(invariant_findings(app, docs, artefact, documented))
        report.checked.append(f"{artefact} ({len(docs)} objects)")
    return rendered


def check_all(
    app: Application,
    *,
    overlays: Sequence[str] = OVERLAYS,
    kubernetes_version: str = DEFAULT_KUBERNETES_VERSION,
    kubernetes: bool = True,
    prometheus: bool = True,
) -> Report:
    """The Dockerfile, the Compose file, the alert rules and the overlays (each unless False)."""
    report = Report()
    report.extend(check_dockerfile(app, DEPLOY_DIR / "docker" / "Dockerfile", REPO_ROOT))
    report.checked.append("Dockerfile")
    report.extend(check_compose(app, DEPLOY_DIR / "docker-compose.yml"))
    report.checked.append("compose")
    if prometheus:
        findings = check_prometheus(PROMETHEUS_RULES, "prometheus rules", PROMETHEUS_RULE_TESTS)
        report.extend(findings)
        if not any(f.severity == "skipped" for f in findings):
            report.checked.append("prometheus rules")
    if kubernetes:
        check_kubernetes(report, app, overlays=overlays, kubernetes_version=kubernetes_version)
    return report
