"""UC6 CONTENT_REVIEW: regulated products, region-specific claims, watched-field changes.

On ``products/update`` (and ``products/create``) the rule reads ``id``,
``title``, ``body_html`` (HTML tags stripped before matching), ``product_type``,
``vendor``, ``tags`` and ``variants[].price``/``compare_at_price``. Shopify
sends the whole product, not what changed, so change detection needs the
previous state: the caller passes the last *fingerprint* of the product's
watched fields (:func:`product_fingerprint`, kept per :func:`content_key`)
in :attr:`ClassifyContext.content_fingerprints`. When it equals the new one,
nothing watched changed and no case opens (price-only edits of an unwatched
field, inventory syncs and the like are the bulk of ``products/update``).

Reasons (any of them opens one case per product, trigger ``content``):

* ``REGULATED_PRODUCT`` — product type in ``regulated_product_types`` or a tag
  in ``regulated_tags`` (routed to ``teams.regulated``);
* ``CLAIM_<REGION>`` — a claim phrase of ``claim_keywords[REGION]`` in the title
  or description (``teams.claims``);
* ``WATCHED_FIELD_CHANGED`` — with ``review_all_watched_changes``, any product
  whose watched fields changed since the known fingerprint (``teams.change``).

Theme topics in ``content.theme_topics`` (default ``themes/publish``) open a
review of the published theme (subject type UNKNOWN: the record schema has
no THEME subject), routed to ``teams.theme``.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from schemas.records import CaseType, Reason, ShopifyEvent, SubjectType
from streams.classify.rules.build import CaseDraft, Variables, merge_teams
from streams.classify.rules.payload import (
    Fields,
    find_keywords,
    matching_tags,
    parse_json_object,
    to_json,
)
from streams.classify.rules.state import ClassifyContext
from streams.policy.model import ContentPolicy, Policy

PRODUCT_TOPICS = frozenset({"products/update", "products/create"})
_TAG = re.compile(r"<[^>]*>")


def content_key(shop: str, product_id: str) -> str:
    """The key of a product's fingerprint in :attr:`ClassifyContext.content_fingerprints`."""
    return f"{shop.lower()}|product:{product_id}"


def product_fingerprint(event: ShopifyEvent, policy: Policy) -> tuple[str, str] | None:
    """``(content_key, fingerprint)`` to store after classifying a product event, else None."""
    if event.topic not in PRODUCT_TOPICS:
        return None
    payload = parse_json_object(event.payload)
    product_id = payload.require_ident("id", "admin_graphql_api_id")
    return content_key(event.shop, product_id), _fingerprint(payload, policy.content)


def product_drafts(
    event: ShopifyEvent, payload: Fields, policy: Policy, context: ClassifyContext
) -> list[CaseDraft]:
    """The CONTENT_REVIEW case (zero or one) for a product event."""
    rules = policy.content
    product_id = payload.require_ident("id", "admin_graphql_api_id")
    previous = context.content_fingerprints.get(content_key(event.shop, product_id))
    changed = previous != _fingerprint(payload, rules)
    if not changed:
        return []
    title = payload.text("title") or ""
    body = _TAG.sub(" ", payload.text("body_html") or "")
    product_type = payload.text("product_type") or ""
    tags = payload.tags("tags")
    fired: list[tuple[list[str], Reason]] = []
    regulated_types = [
        t for t in rules.regulated_product_types if t.casefold() == product_type.casefold()
    ]
    regulated_tags = matching_tags(tags, rules.regulated_tags)
    if regulated_types or regulated_tags:
        what = ", ".join(
            [f"type {t}" for t in regulated_types] + [f"tag {t}" for t in regulated_tags]
        )
        fired.append((rules.teams.regulated, Reason(code="REGULATED_PRODUCT", detail=what)))
    claim_regions: list[str] = []
    for region, phrases in rules.claim_keywords.items():
        found = find_keywords(f"{title}\n{body}", phrases)
        if found:
            claim_regions.append(region)
            detail = f"claims not allowed in {region}: {', '.join(found)}"
            fired.append((rules.teams.claims, Reason(code=f"CLAIM_{region}", detail=detail)))
    if not fired and rules.review_all_watched_changes and previous is not None:
        detail = f"watched fields changed: {', '.join(rules.watched_fields)}"
        fired.append((rules.teams.change, Reason(code="WATCHED_FIELD_CHANGED", detail=detail)))
    if not fired:
        return []
    variables = (
        Variables()
        .string("productId", product_id)
        .string("productTitle", title or None)
        .string("productType", product_type or None)
        .string("vendor", payload.text("vendor"))
        .string("tags", ", ".join(tags) or None)
        .string("claimRegions", ", ".join(claim_regions) or None)
        .boolean("regulated", bool(regulated_types or regulated_tags))
        .boolean("firstSeen", previous is None)
        .json("variantPrices", _variant_prices(payload))
    )
    return [
        CaseDraft(
            case_type=CaseType.CONTENT_REVIEW,
            subject_type=SubjectType.PRODUCT,
            subject_id=product_id,
            trigger="content",
            teams=merge_teams(*(teams for teams, _ in fired)),
            priority=policy.cases.CONTENT_REVIEW.priority,
            reasons=[reason for _, reason in fired],
            variables=variables,
        )
    ]


def theme_drafts(event: ShopifyEvent, payload: Fields, policy: Policy) -> list[CaseDraft]:
    """The CONTENT_REVIEW case for a theme topic listed in ``content.theme_topics``."""
    rules = policy.content
    if event.topic not in rules.theme_topics:
        return []
    theme_id = payload.require_ident("id", "admin_graphql_api_id")
    name = payload.text("name")
    variables = (
        Variables()
        .string("themeId", theme_id)
        .string("themeName", name)
        .string("themeRole", payload.text("role"))
    )
    reason = Reason(code="THEME_CHANGED", detail=f"{event.topic}: theme {name or theme_id}")
    return [
        CaseDraft(
            case_type=CaseType.CONTENT_REVIEW,
            subject_type=SubjectType.UNKNOWN,
            subject_id=theme_id,
            trigger=f"theme:{event.topic}",
            teams=list(rules.teams.theme),
            priority=policy.cases.CONTENT_REVIEW.priority,
            reasons=[reason],
            variables=variables,
        )
    ]


def _variant_prices(payload: Fields) -> list[dict[str, Any]]:
    return [
        {
            "id": variant.ident("id"),
            "price": variant.text("price"),
            "compareAtPrice": variant.text("compare_at_price"),
        }
        for variant in payload.objects("variants")
    ]


def _fingerprint(payload: Fields, rules: ContentPolicy) -> str:
    watched: dict[str, Any] = {}
    for name in rules.watched_fields:
        if name == "variant_prices":
            watched[name] = _variant_prices(payload)
        elif name == "tags":
            watched[name] = sorted(payload.tags("tags"))
        else:
            watched[name] = payload.text(name)
    return hashlib.sha256(to_json(watched).encode("utf-8")).hexdigest()
