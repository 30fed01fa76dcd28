"""Check the Prometheus alert rules with promtool, built once from the Go module proxy.

``promtool check rules`` parses every expression with Prometheus' own PromQL
parser and validates the rule groups (names, durations, templates);
``promtool test rules`` runs the rules' unit tests (synthetic series, the
alerts expected at given times). The
binary comes from the module ``github.com/prometheus/prometheus/cmd/promtool``
at :data:`PROMTOOL_VERSION` (Prometheus v3.16's Go module version), built into
the same cache as kustomize (:mod:`deploy.check.gotools`);
``CASEBRIDGE_PROMTOOL`` names a binary to use instead.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from deploy.check.gotools import BuildError, ToolUnavailable, ensure_go_tool
from deploy.check.report import Finding

__all__ = [
    "PROMTOOL_MODULE",
    "PROMTOOL_VERSION",
    "check_prometheus",
    "check_rules",
    "ensure_promtool",
    "run_rule_tests",
]

PROMTOOL_MODULE = "github.com/prometheus/prometheus/cmd/promtool"
PROMTOOL_VERSION = "v0.316.0"


def ensure_promtool(cache: Path | None = None) -> Path:
    """The path of promtool, building it on first use.

    Raises:
        ToolUnavailable: no ``go`` on PATH (and no binary built before).
        BuildError: ``go install`` failed.
    """
    return ensure_go_tool(
        PROMTOOL_MODULE,
        PROMTOOL_VERSION,
        "promtool",
        override_env="CASEBRIDGE_PROMTOOL",
        cache=cache,
    )


def check_rules(promtool: Path, rules: Path, artefact: str) -> list[Finding]:
    """``promtool check rules rules``: one error finding with promtool's words if it fails."""
    return _promtool(promtool, ["check", "rules", str(rules)], artefact)


def run_rule_tests(promtool: Path, tests: Path, artefact: str) -> list[Finding]:
    """``promtool test rules tests``: the rules' unit tests (alerts fire when they should)."""
    return _promtool(promtool, ["test", "rules", str(tests)], artefact)


def _promtool(promtool: Path, args: list[str], artefact: str) -> list[Finding]:
    result = subprocess.run(
        [str(promtool), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode == 0:
        return []
    message = result.stderr.strip() or result.stdout.strip() or f"exit {result.returncode}"
    return [Finding(artefact, f"promtool {' '.join(args[:2])}", message)]


def check_prometheus(rules: Path, artefact: str, tests: Path | None = None) -> list[Finding]:
    """Build promtool if needed, check ``rules`` and run their ``tests``.

    A build failure is an error finding.

    Without Go (and no promtool built before) the check is reported as skipped.
    """
    try:
        promtool = ensure_promtool()
    except ToolUnavailable as exc:
        return [Finding(artefact, "promtool", str(exc), "skipped")]
    except BuildError as exc:
        return [Finding(artefact, "promtool", str(exc))]
    findings = check_rules(promtool, rules, artefact)
    if tests is not None and not findings:
        findings = run_rule_tests(promtool, tests, artefact)
    return findings
