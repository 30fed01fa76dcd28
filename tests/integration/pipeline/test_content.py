"""UC6 end to end: a product change under review is kept off the storefront, then applied.

Each test changes a product in the Shopify emulator the way a merchandiser does
(``productUpdate`` / ``productVariantsBulkUpdate`` in the admin, which send
``products/update``), lets the worker classify it, hold it (restore the
approved content or set the product to DRAFT) and open the case in the
OpenText emulator, decides the case like a reviewer and checks the product in
the emulator. casebridge's own write-backs must not open a case: the proof is
a later merchant edit of the same product, which (same record key, same
partition, so processed after every earlier event of the product) opens the
second case and compares with the content the first one approved.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from connectors.shopify.documents import operations as ops
from tests.integration.pipeline.conftest import Pipeline
from tests.integration.pipeline.harness import variables_of, wait_until
from tests.integration.pipeline.test_inbound import instances_for
from tests.integration.pipeline.test_outbound import (
    complete,
    effect,
    graphql,
    numeric_id,
    shop_pipeline,
    states,
    wait_instance,
)
from tests.integration.pipeline.test_outcomes import action_kinds, applied_once

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SHOP = f"content-{uuid.uuid4().hex[:8]}.myshopify.com"
MODEL = "casebridge.content_review"

PRODUCT = """query($id: ID!) { product(id: $id) { id title descriptionHtml status tags
  variants(first: 5) { nodes { id price } }
  metafield(namespace: "casebridge", key: "review_notes") { value type } } }"""


@pytest.fixture(scope="module")
def pipeline(
    bootstrap_servers: str, registry_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    """The shared pipeline of this module's own shop."""
    with shop_pipeline(bootstrap_servers, registry_url, tmp_path_factory, SHOP) as running:
        yield running


# --- helpers


def delivered(pipeline: Pipeline, topic: str, resource: str) -> bool:
    """Whether the emulator delivered a ``topic`` webhook of ``resource`` to the ingress."""
    response = httpx.get(
        f"{pipeline.emulators.shopify_url}/_emulator/webhooks/deliveries",
        params={"topic": topic, "shop": SHOP, "state": "delivered"},
        timeout=10,
    )
    wanted = int(numeric_id(resource))
    return any(d["payload"].get("id") == wanted for d in response.json()["deliveries"])


def seed_product(pipeline: Pipeline, **fields: Any) -> tuple[str, str]:
    """A product created in the admin (``products/create`` delivered); (gid, variant gid)."""
    spec = {"title": f"Herbal tea {uuid.uuid4().hex[:6]}", "variants": [{"price": "10.00"}]}
    created = pipeline.emulators.seed({"shop": SHOP, "products": [{**spec, **fields}]})
    product_id: str = created["products"][0]
    wait_until(lambda: delivered(pipeline, "products/create", product_id), 30, "products/create")
    variant = product(pipeline, product_id)["variants"]["nodes"][0]["id"]
    return product_id, variant


def product(pipeline: Pipeline, product_id: str) -> dict[str, Any]:
    return graphql(pipeline, PRODUCT, {"id": product_id})["product"]  # type: ignore[no-any-return]


def merchant_edit(pipeline: Pipeline, product_id: str, **fields: Any) -> None:
    data = graphql(pipeline, ops.PRODUCT_UPDATE, {"product": {"id": product_id, **fields}})
    assert data["productUpdate"]["userErrors"] == [], data


def merchant_price(pipeline: Pipeline, product_id: str, variant_id: str, price: str) -> None:
    variables = {"productId": product_id, "variants": [{"id": variant_id, "price": price}]}
    data = graphql(pipeline, ops.PRODUCT_VARIANTS_BULK_UPDATE, variables)
    assert data["productVariantsBulkUpdate"]["userErrors"] == [], data


def price(pipeline: Pipeline, product_id: str) -> str:
    return str(product(pipeline, product_id)["variants"]["nodes"][0]["price"])


def content_cases(pipeline: Pipeline, product_id: str) -> list[dict[str, Any]]:
    return instances_for(pipeline, MODEL, productId=numeric_id(product_id), shop=SHOP)


def case_vars(instance: dict[str, Any]) -> dict[str, Any]:
    return variables_of(instance)


def content_case(
    pipeline: Pipeline, product_id: str, *, after: str | None = None
) -> dict[str, Any]:
    """The product's content case (other than ``after``) once it carries this worker's hold.

    Workers of other runs on the shared broker classify this shop's events too and
    their (older) requests may open the instance first; this worker's request then
    sets its variables on it, so the case is read once ``contentHold`` is there.
    """

    def found() -> dict[str, Any] | None:
        for case in content_cases(pipeline, product_id):
            if case["businessKey"] != after and "contentHold" in case_vars(case):
                return case
        return None

    return wait_until(found, 60, f"the content case of {product_id} with its hold")


def reached(pipeline: Pipeline, case_id: str, status: str) -> None:
    """Wait until the case has had ``status`` on ``cases.state``.

    Not "is the latest": workers of other runs on the shared broker classify this
    shop's write-backs too and may publish a later REQUESTED for the same case id.
    """
    wait_until(
        lambda: any(
            str(getattr(s["status"], "value", s["status"])) == status
            for s in states(pipeline, case_id)
        ),
        60,
        f"case {case_id} to reach {status}",
    )


def as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


# --- restore while open, apply on approval


def test_a_price_change_is_restored_while_reviewed_and_applied_on_approval(
    pipeline: Pipeline,
) -> None:
    product_id, variant_id = seed_product(pipeline)
    merchant_price(pipeline, product_id, variant_id, "14.00")

    instance = content_case(pipeline, product_id)
    case_id = str(instance["businessKey"])
    values = case_vars(instance)
    assert values["contentHold"] == "restore"
    variant = numeric_id(variant_id)
    assert as_json(values["proposedContent"]) == {f"variant:{variant}:price": "14"}
    # Off the storefront while the case is open: the approved price is back.
    effect(pipeline, lambda: price(pipeline, product_id) == "10.00", "the approved price restored")

    complete(pipeline, case_id, "approved")
    effect(pipeline, lambda: price(pipeline, product_id) == "14.00", "the approved change applied")
    reached(pipeline, case_id, "APPLIED")
    decision = applied_once(pipeline, case_id)
    assert action_kinds(decision) == ["UPDATE_PRODUCT", "ADD_TAGS"]
    assert f"casebridge:approved:{case_id}" in product(pipeline, product_id)["tags"]

    # A later edit of the same product is processed after every write-back above:
    # it opens the second case, compared with the price the first case approved.
    merchant_price(pipeline, product_id, variant_id, "30.00")
    second = content_case(pipeline, product_id, after=case_id)
    assert len(content_cases(pipeline, product_id)) == 2
    assert as_json(case_vars(second)["approvedContent"]) == {f"variant:{variant}:price": "14"}
    effect(pipeline, lambda: price(pipeline, product_id) == "14.00", "the second change held back")


# --- draft a new product until approved


def test_a_new_active_regulated_product_is_a_draft_until_approved(pipeline: Pipeline) -> None:
    product_id, _ = seed_product(pipeline, product_type="Supplements", title="Vitamin D3 drops")
    instance = content_case(pipeline, product_id)
    case_id = str(instance["businessKey"])
    assert case_vars(instance)["contentHold"] == "draft"
    effect(pipeline, lambda: product(pipeline, product_id)["status"] == "DRAFT", "held as DRAFT")

    complete(pipeline, case_id, "approved")
    effect(pipeline, lambda: product(pipeline, product_id)["status"] == "ACTIVE", "ACTIVE again")
    reached(pipeline, case_id, "APPLIED")
    applied_once(pipeline, case_id)
    assert len(content_cases(pipeline, product_id)) == 1


# --- request revision: notes and tag, content kept back


def test_request_revision_leaves_notes_and_tag_and_keeps_the_change_back(
    pipeline: Pipeline,
) -> None:
    product_id, _ = seed_product(pipeline, title="Evening tea")
    merchant_edit(pipeline, product_id, title="Evening tea that cures insomnia")
    instance = content_case(pipeline, product_id)
    case_id = str(instance["businessKey"])
    assert case_vars(instance)["claimRegions"] == "US, UK"
    assert case_vars(instance)["contentHold"] == "restore"
    effect(
        pipeline,
        lambda: product(pipeline, product_id)["title"] == "Evening tea",
        "the approved title restored",
    )

    complete(pipeline, case_id, "revision_requested", reviewNotes="Drop the health claim.")
    effect(
        pipeline,
        lambda: "casebridge:revision-requested" in product(pipeline, product_id)["tags"],
        "the revision tag",
    )
    reached(pipeline, case_id, "APPLIED")
    applied_once(pipeline, case_id)
    after = product(pipeline, product_id)
    assert after["metafield"]["type"] == "multi_line_text_field"
    assert after["metafield"]["value"].endswith("Drop the health claim.")
    assert after["title"] == "Evening tea"  # still held back


# --- a theme file with a claim


def test_a_theme_file_with_a_claim_phrase_opens_a_content_review(pipeline: Pipeline) -> None:
    files = {"sections/announcement.json": json.dumps({"text": "Free shipping"})}
    created = pipeline.emulators.seed(
        {"shop": SHOP, "themes": [{"name": "Dawn", "role": "MAIN", "files": files}]}
    )
    theme = numeric_id(created["themes"][0])
    banner = {"sections/announcement.json": json.dumps({"text": "Our tea is FDA approved"})}
    response = httpx.post(
        f"{pipeline.emulators.shopify_url}/_emulator/themes/{theme}",
        json={"shop": SHOP, "files": banner},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    instance = wait_instance(pipeline, MODEL, themeId=theme)
    values = case_vars(instance)
    assert "sections/announcement.json" in as_json(values["themeFilesRead"])
    assert values["claimRegions"] == "US"


# --- reject: the approved content stays and the drafted product is live again


def test_a_rejected_change_of_a_drafted_product_restores_it_and_sets_it_active(
    pipeline: Pipeline,
) -> None:
    product_id, _ = seed_product(pipeline, product_type="Supplements", title="Zinc tablets")
    first = str(content_case(pipeline, product_id)["businessKey"])
    complete(pipeline, first, "approved")  # the new product goes live as created
    effect(pipeline, lambda: product(pipeline, product_id)["status"] == "ACTIVE", "ACTIVE")
    reached(pipeline, first, "APPLIED")

    merchant_edit(pipeline, product_id, title="Zinc tablets, doctor recommended")

    second = content_case(pipeline, product_id, after=first)
    case_id = str(second["businessKey"])
    values = case_vars(second)
    assert values["contentHold"] == "draft"  # a regulated product: drafted while reviewed
    assert as_json(values["approvedContent"]) == {"title": "Zinc tablets"}
    effect(pipeline, lambda: product(pipeline, product_id)["status"] == "DRAFT", "DRAFT")

    complete(pipeline, case_id, "rejected", reason="Medical claim")
    effect(
        pipeline,
        lambda: (
            (p := product(pipeline, product_id))["status"] == "ACTIVE"
            and p["title"] == "Zinc tablets"
        ),
        "the approved title back and the product ACTIVE",
    )
    reached(pipeline, case_id, "APPLIED")
    assert action_kinds(applied_once(pipeline, case_id)) == ["UPDATE_PRODUCT", "ADD_TAGS"]


# --- a shop policy's text changed


def test_a_changed_refund_policy_with_a_claim_opens_a_legal_review(pipeline: Pipeline) -> None:
    created = pipeline.emulators.seed(
        {"shop": SHOP, "shop_policies": [{"type": "REFUND_POLICY", "body": "Returns: 30 days."}]}
    )
    assert created["shop_policies"]

    def first_seen() -> bool:
        response = httpx.get(
            f"{pipeline.emulators.shopify_url}/_emulator/webhooks/deliveries",
            params={"topic": "shop/update", "shop": SHOP, "state": "delivered"},
            timeout=10,
        )
        return bool(response.json()["deliveries"])

    wait_until(first_seen, 30, "the first shop/update")  # recorded, nothing to compare yet
    response = httpx.post(
        f"{pipeline.emulators.shopify_url}/_emulator/shop_policies",
        json={"shop": SHOP, "type": "REFUND_POLICY", "body": "Our detox tea: 60 days."},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    instance = wait_instance(pipeline, MODEL, shopId="1")  # the emulator's shop id
    values = case_vars(instance)
    assert as_json(values["changedPolicies"]) == ["REFUND_POLICY"]
    assert {r["code"] for r in values["reasons"]} == {"LEGAL_TEXT_CHANGED", "CLAIM_EU"}
    assert values["teams"] == ["legal"]
