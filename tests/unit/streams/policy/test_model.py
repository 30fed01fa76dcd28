"""Policy value types: durations, country codes, normalisation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from schemas.records import Priority
from streams.policy import PolicyError, parse_duration, parse_policy


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("4h", timedelta(hours=4)),
        ("2d", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
        ("1d12h", timedelta(hours=36)),
        (" 2H ", timedelta(hours=2)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "4", "h", "4x", "-1h", "4h foo", "0h"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)


def test_country_codes_are_upper_cased_and_checked() -> None:
    policy = parse_policy(
        "orders:\n  review:\n    destination: {countries: [kp], regions: [us-hi]}\n"
    )
    assert policy.orders.review.destination.countries == ["KP"]
    assert policy.orders.review.destination.regions == ["US-HI"]
    with pytest.raises(PolicyError, match=r"destination\.countries\[0\]"):
        parse_policy("orders:\n  review:\n    destination: {countries: [USA]}\n")


def test_norway_survives_yaml_boolean() -> None:
    policy = parse_policy("orders:\n  review:\n    destination: {countries: [NO]}\n")
    assert policy.orders.review.destination.countries == ["NO"]


def test_priority_sla_and_statuses_normalised() -> None:
    policy = parse_policy(
        "cases:\n  ORDER_REVIEW: {teams: [f], sla: 4h, priority_sla: {URGENT: 30m}}\n"
        "fulfillment: {event_statuses: [FAILURE]}\n"
    )
    assert policy.cases.ORDER_REVIEW.sla_for(Priority.URGENT) == timedelta(minutes=30)
    assert policy.cases.ORDER_REVIEW.sla_for(Priority.NORMAL) == timedelta(hours=4)
    assert policy.fulfillment.event_statuses == ["failure"]


def test_empty_team_list_is_refused() -> None:
    with pytest.raises(PolicyError, match=r"cases\.ORDER_REVIEW\.teams"):
        parse_policy("cases:\n  ORDER_REVIEW: {teams: [], sla: 4h}\n")


def test_policy_is_immutable() -> None:
    policy = parse_policy("version: 1\n")
    with pytest.raises(ValueError, match="frozen"):
        policy.version = 1


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("orders: {review: {inventory: {mode: warehouse}}}", r"orders\.review\.inventory\.mode"),
        ("orders: {review: {inventory: {threshold: -1}}}", r"orders\.review\.inventory\.threshold"),
        (
            "orders: {review: {inventory: {on_unknown: ignore}}}",
            r"orders\.review\.inventory\.on_unknown",
        ),
        # The old toy fields (a line field Shopify never sends) are gone, not ignored.
        (
            "orders: {review: {inventory: {line_field: available_quantity}}}",
            r"orders\.review\.inventory\.line_field",
        ),
        ("fulfillment: {open_on_partial: maybe}", r"fulfillment\.open_on_partial"),
        ("fulfillment: {open_on_split: 2}", r"fulfillment\.open_on_split"),
        ("fulfillment: {teams: {partial: []}}", r"fulfillment\.teams\.partial"),
        (
            "fulfillment: {open_on_request_rejected: perhaps}",
            r"fulfillment\.open_on_request_rejected",
        ),
        ("fulfillment: {open_on_service_failed: [1]}", r"fulfillment\.open_on_service_failed"),
        ("fulfillment: {teams: {request_rejected: []}}", r"fulfillment\.teams\.request_rejected"),
        ("fulfillment: {teams: {service_failed: []}}", r"fulfillment\.teams\.service_failed"),
        ("fulfillment: {open_on_3pl_refusal: true}", r"fulfillment\.open_on_3pl_refusal"),
    ],
)
def test_bad_inventory_and_partial_shipment_rules_name_the_key(text: str, path: str) -> None:
    with pytest.raises(PolicyError, match=path):
        parse_policy(text)


def test_inventory_and_partial_shipment_rules_are_on_by_default() -> None:
    policy = parse_policy("version: 1\n")
    assert policy.orders.review.inventory.enabled
    assert policy.orders.review.inventory.mode == "total"
    assert policy.fulfillment.open_on_partial and policy.fulfillment.open_on_split
    assert policy.fulfillment.open_on_request_rejected and policy.fulfillment.open_on_service_failed


def test_the_default_policy_file_opens_fulfillment_service_refusals() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[4] / "deploy" / "policy" / "default.yaml").read_text()
    rules = parse_policy(text).fulfillment
    assert rules.open_on_request_rejected and rules.open_on_service_failed
    assert rules.teams.request_rejected and rules.teams.service_failed
