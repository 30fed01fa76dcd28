"""Shopify's published sample of every subscribed topic, through the rules (issue 13)."""

from __future__ import annotations

import pytest

from streams.classify.rules import ClassificationError, ClassifyContext, classify_event
from streams.ingress.resource import resource_ref
from streams.policy import Policy
from tests.fixtures.shopify_samples import Sample, load_samples, subscribed_topics

from .conftest import NOW, make_event

SAMPLES = load_samples()


def test_there_is_a_sample_for_every_subscribed_topic() -> None:
    assert {sample.topic for sample in SAMPLES} == subscribed_topics()


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.topic for s in SAMPLES])
def test_each_sample_opens_the_right_case_or_none_or_is_refused(
    policy: Policy, sample: Sample
) -> None:
    # The event as ingress records it: resource and order ids from the payload,
    # the webhook id where the payload has none.
    ref = resource_ref(sample.topic, sample.payload)
    event = make_event(
        sample.topic,
        sample.payload,
        resource_id=ref.resource_id or "webhook-id",
        order_id=ref.order_id,
    )
    try:
        cases = classify_event(event, policy, ClassifyContext(), NOW)
        outcome = (
            {
                "result": "case",
                "case_type": cases[0].case_type.value,
                "subject": cases[0].subject_id,
            }
            if cases
            else {"result": "not_actionable"}
        )
        assert len(cases) <= 1
    except ClassificationError as exc:
        outcome = {"result": "dead_letter", "reason": str(exc)}
    assert any(_matches(outcome, option) for option in sample.options()), outcome
    if outcome["result"] == "case":
        assert outcome["subject"] != "webhook-id"


def _matches(outcome: dict[str, str], option: dict[str, str]) -> bool:
    if outcome["result"] != option["result"]:
        return False
    if option["result"] == "case":
        return (outcome["case_type"], outcome["subject"]) == (
            option["case_type"],
            option["subject_id"],
        )
    if option["result"] == "dead_letter":
        return option["reason"] in outcome["reason"]
    return True
