"""UC6 CONTENT_REVIEW of products: what needs review, and how it is held back while reviewed.

On ``products/update`` and ``products/create`` the rule reads ``id``, ``title``,
``body_html`` (HTML tags stripped before matching), ``product_type``,
``vendor``, ``status``, ``tags`` and ``variants[].price``/``compare_at_price``.
Shopify sends the whole product, not what changed, so two pieces of state are
passed in (kept per product by the classify agent, key :func:`content_key`):

* the last seen *fingerprint* of the watched fields
  (:attr:`ClassifyContext.content_fingerprints`): equal means nothing watched
  changed (inventory syncs, tag edits, our own status change) and no case opens;
* the product's :class:`~.approved.ProductContent`
  (:attr:`ClassifyContext.content_state`): the last approved content (seeded
  when the product is first seen), the change under review and its case.

A change is the product's content against its approved content; while a case
is open, fields put back at their approved values keep the pending proposal
(:func:`~.approved.merge_proposal`), so casebridge's own restore opens nothing.
Reasons (any of them opens one case per product, trigger ``content``):

* ``REGULATED_PRODUCT`` — product type in ``regulated_product_types`` or a tag
  in ``regulated_tags`` (``teams.regulated``);
* ``CLAIM_<REGION>`` — a claim phrase of ``claim_keywords[REGION]`` in the title
  or description that the approved text does not make (``teams.claims``);
* ``PRICE_CHANGED`` — a variant price moved ``price_change.min_percent`` or more
  from its approved price (``teams.price``);
* ``TEXT_CHANGED`` — title and description differ from the approved text by
  ``text_change.min_changed_chars`` characters or more (``teams.text``);
* ``WATCHED_FIELD_CHANGED`` — with ``review_all_watched_changes``, any other
  change of a watched field (``teams.change``).

With ``hold_changes`` the case says how the change is kept off the storefront
(``contentHold``: the strictest ``hold`` mode of the rules that fired,
``restore`` or ``draft``; ``draft`` for a product with no approved content;
``none`` when the product is not live or was first seen on an update) and
carries ``proposedContent``/``approvedContent`` of the changed fields and the
``restoreStatus`` of a drafted product. A ``products/update`` carrying the
approval tag (:func:`approval_tag`) of the pending case is casebridge's own
write of the approved change: it opens nothing and, once the product shows
the whole proposal, makes it the approved content.

Themes and shop policies: :mod:`.storefront`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from schemas.records import CaseType, Reason, ShopifyEvent, SubjectType
from streams.classify.rules.approved import (
    ProductContent,
    Snapshot,
    changed_characters,
    changed_fields,
    merge_proposal,
    price_changes,
    text_of,
    variant_field,
)
from streams.classify.rules.build import CaseDraft, Variables, merge_teams
from streams.classify.rules.errors import ClassificationError
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


@dataclass(frozen=True)
class ContentReview:
    """What a product event means: the case (zero or one) and the product's new content state."""

    drafts: list[CaseDraft]
    state: ProductContent | None
    """To store under :func:`content_key` (the agent sets ``pending_case`` to the case's id);
    None: nothing known to store."""


def product_drafts(
    event: ShopifyEvent, payload: Fields, policy: Policy, context: ClassifyContext
) -> list[CaseDraft]:
    """The CONTENT_REVIEW case (zero or one) for a product event."""
    return review_product(event, payload, policy, context).drafts


def approval_tag(policy: Policy, case_id: str) -> str:
    """The tag an approved change is written with (see :mod:`streams.decisions.effects.content`)."""
    return f"{policy.decisions.approval_tag_prefix}{case_id}"


def known_state(context: ClassifyContext, key: str) -> ProductContent | None:
    """The stored content state of a product, None when it was never seen."""
    raw = context.content_state.get(key)
    return ProductContent.model_validate_json(raw) if raw else None


def review_product(
    event: ShopifyEvent, payload: Fields, policy: Policy, context: ClassifyContext
) -> ContentReview:
    """Classify a product event against the product's approved content (module docstring)."""
    rules = policy.content
    product_id = payload.require_ident("id", "admin_graphql_api_id")
    key = content_key(event.shop, product_id)
    state = known_state(context, key)
    seen = snapshot(payload, rules)
    tags = payload.tags("tags")
    status = (payload.text("status") or "active").upper()
    if state is not None and state.pending_case is not None:
        marker = approval_tag(policy, state.pending_case).casefold()
        if any(tag.casefold() == marker for tag in tags):
            # casebridge's own write of an approved change: never a new case. Once the
            # product shows the whole proposal, it is the approved content.
            if seen == state.proposal:
                return ContentReview([], ProductContent(approved=seen))
            return ContentReview([], state)
    previous = context.content_fingerprints.get(key)
    if previous == _fingerprint(payload, rules):
        return ContentReview([], _live_again(state, status))
    pending = (
        state is not None
        and state.pending_case is not None
        and state.proposal is not None
        and state.pending_case not in context.ended_cases
    )
    if state is None:
        # First sight: a product created now has no approved content yet; one seen
        # first on an update was live before casebridge knew it and becomes the base.
        base = None if event.topic == "products/create" else seen
        proposal = seen
    else:
        base = state.approved
        if pending:
            assert state.proposal is not None
            proposal = merge_proposal(base, state.proposal, seen)
            if proposal == state.proposal:
                # Only fields put back at their approved values (casebridge's hold,
                # or a re-save): the change under review is unchanged.
                return ContentReview([], state)
        else:
            proposal = seen
    changed = changed_fields(base, proposal)
    known = state is not None or previous is not None
    if state is None and base is not None:
        # Seen first on an update: the regulated and claim rules read the content
        # itself (nothing to compare with); nothing can be put back.
        fired, claim_regions, regulated = _rules(payload, rules, known, None, proposal, changed)
    else:
        fired, claim_regions, regulated = _rules(payload, rules, known, base, proposal, changed)
    if not fired:
        return ContentReview([], ProductContent(approved=proposal))
    drafted_from = state.drafted_from if state is not None else None
    live_status = drafted_from or (status if status in LIVE_STATUSES else None)
    hold = _hold_mode(rules, fired, base, live_status, new=state is None and base is None)
    if state is None and base is not None:
        hold = "none"
    if hold == "draft" and drafted_from is None and status in LIVE_STATUSES:
        drafted_from = status
    title = payload.text("title") or ""
    product_type = payload.text("product_type") or ""
    variables = (
        Variables()
        .string("productId", product_id)
        .string("productTitle", title or None)
        .string("productType", product_type or None)
        .string("vendor", payload.text("vendor"))
        .string("tags", ", ".join(tags) or None)
        .string("claimRegions", ", ".join(claim_regions) or None)
        .boolean("regulated", regulated)
        .boolean("firstSeen", previous is None)
        .json("variantPrices", _variant_prices(payload))
        .string("productStatus", status)
    )
    if rules.hold_changes:
        # What the decision needs to apply, keep back or put back the change.
        variables.string("contentHold", hold).string(
            "restoreStatus", live_status if hold == "draft" else None
        ).json("changedFields", changed).json(
            "proposedContent", {name: proposal.get(name) for name in changed}
        ).json(
            "approvedContent",
            {name: base.get(name) for name in changed} if base is not None else None,
        )
    draft = CaseDraft(
        case_type=CaseType.CONTENT_REVIEW,
        subject_type=SubjectType.PRODUCT,
        subject_id=product_id,
        trigger="content",
        teams=merge_teams(*(teams for teams, _, _ in fired)),
        priority=policy.cases.CONTENT_REVIEW.priority,
        reasons=[reason for _, reason, _ in fired],
        variables=variables,
    )
    if hold == "none":
        # Reviewed after publishing (holding off, nothing live to hold, or first sight):
        # what is live is the next comparison's base.
        return ContentReview([draft], ProductContent(approved=proposal))
    new_state = ProductContent(
        approved=base, proposal=proposal, drafted_from=drafted_from if hold == "draft" else None
    )
    return ContentReview([draft], new_state)


#: Statuses in which a product is on the storefront (UNLISTED: by direct link).
LIVE_STATUSES = frozenset({"ACTIVE", "UNLISTED"})

Fired = tuple[list[str], Reason, str]
"""(teams, reason, rule name in ``content.hold``)."""


def _live_again(state: ProductContent | None, status: str) -> ProductContent | None:
    """``state``, forgetting casebridge's draft once the product is live again."""
    if state is not None and state.drafted_from is not None and status in LIVE_STATUSES:
        return state.model_copy(update={"drafted_from": None})
    return state


def _rules(
    payload: Fields,
    rules: ContentPolicy,
    known: bool,
    base: Snapshot | None,
    proposal: Snapshot,
    changed: list[str],
) -> tuple[list[Fired], list[str], bool]:
    """The rules that fire for ``proposal`` against ``base``: (fired, claim regions, regulated)."""
    if base is not None and not changed:
        return [], [], False
    product_type = payload.text("product_type") or ""
    fired: list[Fired] = []
    regulated_types = [
        t for t in rules.regulated_product_types if t.casefold() == product_type.casefold()
    ]
    regulated_tags = matching_tags(payload.tags("tags"), rules.regulated_tags)
    if regulated_types or regulated_tags:
        what = ", ".join(
            [f"type {t}" for t in regulated_types] + [f"tag {t}" for t in regulated_tags]
        )
        reason = Reason(code="REGULATED_PRODUCT", detail=what)
        fired.append((rules.teams.regulated, reason, "regulated"))
    claim_regions: list[str] = []
    text = text_of(proposal, _strip)
    before = text_of(base, _strip) if base is not None else ""
    for region, phrases in rules.claim_keywords.items():
        # Only claims the approved content did not make already need a review.
        found = [p for p in find_keywords(text, phrases) if not find_keywords(before, [p])]
        if found:
            claim_regions.append(region)
            detail = f"claims not allowed in {region}: {', '.join(found)}"
            fired.append(
                (rules.teams.claims, Reason(code=f"CLAIM_{region}", detail=detail), "claims")
            )
    if base is not None and rules.price_change.min_percent is not None:
        moved = price_changes(base, proposal, rules.price_change.min_percent)
        if moved:
            detail = "; ".join(
                f"variant {v}: {old} -> {new} ({pct}%)" for v, old, new, pct in moved
            )
            fired.append((rules.teams.price, Reason(code="PRICE_CHANGED", detail=detail), "price"))
    if base is not None and rules.text_change.min_changed_chars is not None:
        count = changed_characters(before, text)
        if count >= rules.text_change.min_changed_chars:
            detail = f"{count} characters of title and description changed"
            fired.append((rules.teams.text, Reason(code="TEXT_CHANGED", detail=detail), "text"))
    if not fired and rules.review_all_watched_changes and known:
        detail = f"watched fields changed: {', '.join(changed) or ', '.join(rules.watched_fields)}"
        reason = Reason(code="WATCHED_FIELD_CHANGED", detail=detail)
        fired.append((rules.teams.change, reason, "change"))
    return fired, claim_regions, bool(regulated_types or regulated_tags)


def _hold_mode(
    rules: ContentPolicy,
    fired: list[Fired],
    base: Snapshot | None,
    live_status: str | None,
    *,
    new: bool,
) -> str:
    """``restore``, ``draft`` or ``none`` for a change the ``fired`` rules review."""
    if not rules.hold_changes or live_status is None:
        return "none"  # holding is off, or nothing of the product is on the storefront
    if base is None:
        # Nothing approved to put back: a new product waits as a draft.
        return "draft" if rules.hold_new_products or not new else "none"
    modes = {getattr(rules.hold, name) for _, _, name in fired}
    return "draft" if "draft" in modes else "restore"


def _strip(html: str) -> str:
    return _TAG.sub(" ", html)


def snapshot(payload: Fields, rules: ContentPolicy) -> Snapshot:
    """The product's watched content as a flat snapshot (see :mod:`.approved`)."""
    out: Snapshot = {}
    for name in rules.watched_fields:
        if name == "variant_prices":
            for variant in payload.objects("variants"):
                variant_id = variant.ident("id")
                if variant_id is None:
                    continue
                out[variant_field(variant_id, "price")] = _money_text(variant.raw("price"))
                out[variant_field(variant_id, "compare_at_price")] = _money_text(
                    variant.raw("compare_at_price")
                )
        elif name != "tags":  # tags are not content: casebridge's own tags live there
            out[name] = payload.text(name)
    return out


def _money_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except InvalidOperation:
        raise ClassificationError(f"variants[].price: expected a decimal, got {value!r}") from None


def content_state_after(
    event: ShopifyEvent, policy: Policy, context: ClassifyContext
) -> tuple[str, ProductContent | None]:
    """``(content key, state)`` to store after classifying the product ``event``.

    Re-runs :func:`review_product` (pure, and the payload parse is cached);
    a bad payload was dead-lettered before this is called.
    """
    payload = parse_json_object(event.payload)
    product_id = payload.require_ident("id", "admin_graphql_api_id")
    review = review_product(event, payload, policy, context)
    return content_key(event.shop, product_id), review.state


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
