"""``docs/use-cases.md`` against the code: the doc may not promise what the code does not do.

Per case type the doc has a section; this reads its tables and checks them
against the default policy file, the outcome mapping, the classify engine's
known topics, the client's GraphQL documents and Shopify's real schema.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from schemas.records import CaseType
from streams.classify.rules.engine import is_known_topic
from streams.policy.outcomes import WILDCARD, OutcomeMappingPolicy
from tests.unit.connectors.shopify.contracts import available_versions, real_schema

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "use-cases.md"
POLICY = ROOT / "deploy" / "policy" / "default.yaml"
OPERATIONS = ROOT / "connectors" / "shopify" / "operations.py"
#: Topics of producers outside Shopify that open cases (not webhooks).
KAFKA_TRIGGERS = {"support.complaints"}
CASE_TYPES = [t for t in CaseType if t is not CaseType.UNKNOWN]
_TICKED = re.compile(r"`([^`]+)`")


@cache
def sections() -> dict[CaseType, str]:
    """Each ``## ...(`CASE_TYPE`)`` section of the doc, by case type."""
    found: dict[CaseType, str] = {}
    for block in re.split(r"^## ", DOC.read_text(), flags=re.MULTILINE)[1:]:
        heading = block.splitlines()[0]
        named = [t for t in CASE_TYPES if f"(`{t.value}`)" in heading]
        assert len(named) == 1, f"heading {heading!r} names no single case type"
        assert named[0] not in found, f"{named[0].value} has two sections"
        found[named[0]] = block
    return found


def table(section: str, first_header: str) -> list[list[str]]:
    """The body rows (cells) of the first table whose header starts with ``first_header``."""
    lines = section.splitlines()
    for index, line in enumerate(lines):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first_header:
            rows = []
            for row in lines[index + 2 :]:
                if not row.startswith("|"):
                    break
                rows.append([c.strip() for c in row.strip().strip("|").split("|")])
            return rows
    raise AssertionError(f"no table with a {first_header!r} column")


def ticked(cell: str) -> list[str]:
    return _TICKED.findall(cell)


@cache
def default_policy() -> dict[str, Any]:
    loaded = yaml.safe_load(POLICY.read_text())
    assert isinstance(loaded, dict)
    return loaded


def policy_has(path: str) -> bool:
    node: Any = default_policy()
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def test_every_case_type_has_one_section() -> None:
    assert set(sections()) == set(CASE_TYPES)


@pytest.mark.parametrize("case_type", CASE_TYPES, ids=lambda t: t.value)
def test_triggers_are_topics_casebridge_classifies(case_type: CaseType) -> None:
    rows = table(sections()[case_type], "trigger")
    assert rows, "no trigger"
    for trigger, _rule, policy in rows:
        topic = ticked(trigger)
        if case_type is CaseType.OFFLINE_ORDER:
            assert trigger == "OpenText"  # the intake starts there, not in Shopify
        else:
            assert len(topic) == 1, trigger
            assert is_known_topic(topic[0]) or topic[0] in KAFKA_TRIGGERS, topic[0]
        keys = ticked(policy)
        assert keys, f"{trigger}: no policy key"
        for key in keys:
            assert policy_has(key), f"{key} is not in {POLICY.name}"


@pytest.mark.parametrize("case_type", CASE_TYPES, ids=lambda t: t.value)
def test_routing_is_the_default_policys(case_type: CaseType) -> None:
    section = sections()[case_type]
    found = re.search(r"^Routing: (.+?)(?:\n\n|\Z)", section, flags=re.MULTILINE | re.DOTALL)
    assert found, "no Routing: paragraph"
    teams_part, _, rest = found.group(1).partition(";")
    assert ticked(teams_part) == default_policy()["cases"][case_type.value]["teams"]
    for key in ticked(rest):
        assert policy_has(key), f"{key} is not in {POLICY.name}"


@pytest.mark.parametrize("case_type", CASE_TYPES, ids=lambda t: t.value)
def test_outcomes_are_the_mappings(case_type: CaseType) -> None:
    mapping = OutcomeMappingPolicy().table_for(case_type)
    documented: dict[str, list[str]] = {}
    for outcome, effects, _mutations in table(sections()[case_type], "outcome"):
        word = ticked(outcome)[0]
        documented[WILDCARD if word == "any" else word] = ticked(effects)
    assert documented == {outcome: list(effects) for outcome, effects in mapping.items()}


@pytest.mark.parametrize("case_type", CASE_TYPES, ids=lambda t: t.value)
def test_mutations_are_sent_by_the_client_and_exist_in_shopify(case_type: CaseType) -> None:
    sent = OPERATIONS.read_text()
    versions = available_versions()
    mutation_type = real_schema(versions[-1]).mutation_type if versions else None
    for _outcome, effects, mutations in table(sections()[case_type], "outcome"):
        names = ticked(mutations)
        assert bool(names) == bool(ticked(effects)), f"{effects}: mutations {mutations}"
        for name in names:
            assert re.search(rf"\b{name}\(", sent), f"the client never sends {name}"
            if mutation_type is not None:
                assert name in mutation_type.fields, f"Shopify has no mutation {name}"
