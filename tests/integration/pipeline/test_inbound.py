"""Shopify -> Kafka -> OpenText, end to end (use cases 1-6 and 8).

Real broker, real registry, both emulators over HTTP, a real worker process.
"""

from __future__ import annotations

import random

import pytest

from tests.integration.pipeline.conftest import Pipeline
from tests.integration.pipeline.harness import variables_of, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _instances_for(pipeline: Pipeline, model: str) -> list[dict]:
    return [
        i
        for i in pipeline.emulators.instances()
        if i.get("processDefinitionKey") == model or model in str(i.get("processDefinitionId"))
    ]


def test_risky_order_opens_an_order_review(pipeline: Pipeline) -> None:
    seeded = pipeline.emulators.seed(
        {"scenario": {"n": 1, "seed": random.randrange(1 << 30), "kinds": ["risky_order"]}}
    )
    print(seeded)
    import httpx

    try:
        found = wait_until(
            lambda: _instances_for(pipeline, "casebridge.order_review"),
            60,
            "an ORDER_REVIEW instance",
        )
    except AssertionError:
        d = httpx.get(pipeline.emulators.shopify_url + "/_emulator/webhooks/deliveries").json()
        for x in d["deliveries"]:
            print(
                x["topic"],
                x["state"],
                x["event_id"],
                [(a["status"], a.get("error")) for a in x["attempts"]],
            )
        raise
    instance = found[0]
    variables = variables_of(instance)
    assert instance["businessKey"].startswith("ORDER_REVIEW-")
    assert variables["caseType"] == "ORDER_REVIEW"
    print(variables)
