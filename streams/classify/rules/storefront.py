"""UC6 for what is not a product: theme files (banners, announcements) and shop policies.

Shopify tells an app only *that* a theme or the shop changed (``themes/update``,
``themes/publish``, ``shop/update`` carry no content), so the classify agent
reads the text first (:mod:`streams.classify.enrich.storefront`, theme files through
``theme { files }`` and ``shop { shopPolicies }``) and passes it in
:attr:`ClassifyContext.storefront`; these rules stay pure:

* ``themes/publish`` (in ``content.theme_topics``): always a review of the theme
  now live (``THEME_CHANGED``), plus ``THEME_CLAIM_<REGION>`` for claim phrases
  in its ``content.theme_files``;
* ``themes/update`` of the live (``main``) theme: a review only when its files
  hold claim phrases not seen in them before (the claims found are remembered
  per theme, so saving the theme again opens nothing);
* ``shop/update`` with ``content.shop_policies``: ``LEGAL_TEXT_CHANGED`` for each
  policy whose text changed since last seen (the first sight only records
  them), plus ``CLAIM_<REGION>`` for claim phrases in a changed policy; routed
  to ``teams.legal_text``.

Text that could not be read (``StorefrontText.error``) opens the review with a
``TEXT_UNREADABLE`` reason rather than letting a change pass unseen. What an
app cannot do (hold a theme publish or a policy edit back) is in
``docs/use-cases.md``: these reviews happen after the change is live.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from schemas.records import CaseType, Reason, ShopifyEvent, SubjectType
from streams.classify.rules.build import CaseDraft, Variables, merge_teams
from streams.classify.rules.payload import Fields, find_keywords, parse_json_object
from streams.classify.rules.state import ClassifyContext
from streams.policy.model import Policy

THEME_PREFIX = "themes/"
SHOP_TOPIC = "shop/update"
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class StorefrontText:
    """Text read for a theme or shop event: theme files, shop policies, or why not."""

    files: list[tuple[str, str]] = field(default_factory=list)
    """(filename, text) of the theme files read."""
    policies: list[tuple[str, str, str]] = field(default_factory=list)
    """(type, title, body) of the shop's policies."""
    error: str | None = None
    missing: bool = False
    """The theme does not exist (deleted since, or a "Send test notification" sample)."""


def theme_key(shop: str, theme_id: str) -> str:
    """Key of a theme's remembered claims in the content fingerprints table."""
    return f"{shop.lower()}|theme:{theme_id}"


def policies_key(shop: str) -> str:
    """Key of the shop's policy fingerprints in the content fingerprints table."""
    return f"{shop.lower()}|shop-policies"


def needs_text(topic: str, policy: Policy) -> bool:
    """Whether the rules for ``topic`` need :class:`StorefrontText` read first."""
    if topic == SHOP_TOPIC:
        return policy.content.shop_policies
    return topic in policy.content.theme_topics


def _claims(policy: Policy, texts: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Region -> ``"<where>: <phrase>"`` found in ``texts`` ((where, text) pairs)."""
    found: dict[str, list[str]] = {}
    for region, phrases in policy.content.claim_keywords.items():
        for where, text in texts:
            for phrase in find_keywords(_TAG.sub(" ", text), phrases):
                found.setdefault(region, []).append(f"{where}: {phrase}")
    return found


def theme_drafts(
    event: ShopifyEvent, payload: Fields, policy: Policy, context: ClassifyContext
) -> list[CaseDraft]:
    """The CONTENT_REVIEW case of a theme event listed in ``content.theme_topics``."""
    rules = policy.content
    if event.topic not in rules.theme_topics:
        return []
    theme_id = payload.require_ident("id", "admin_graphql_api_id")
    role = (payload.text("role") or "").lower()
    published = event.topic == "themes/publish"
    if not published and role != "main":
        return []  # an unpublished theme is not on the storefront; its publish is reviewed
    text = context.storefront
    if text is not None and text.missing and not published:
        return []  # no such theme: nothing on the storefront to review
    reasons: list[Reason] = []
    claims = _claims(policy, text.files) if text is not None else {}
    seen = sorted(f"{r}|{c}" for r, found in claims.items() for c in found)
    before = context.content_fingerprints.get(theme_key(event.shop, theme_id))
    new_claims = seen != json.loads(before) if before else bool(seen)
    name = payload.text("name")
    if published:
        reasons.append(
            Reason(code="THEME_CHANGED", detail=f"{event.topic}: theme {name or theme_id}")
        )
    if text is not None and text.error:
        reasons.append(Reason(code="TEXT_UNREADABLE", detail=text.error[:500]))
    if published or new_claims:
        for region, found in claims.items():
            detail = f"claims not allowed in {region}: {', '.join(found)}"[:500]
            reasons.append(Reason(code=f"THEME_CLAIM_{region}", detail=detail))
    if not reasons:
        return []
    variables = (
        Variables()
        .string("themeId", theme_id)
        .string("themeName", name)
        .string("themeRole", payload.text("role"))
        .json("themeFilesRead", [filename for filename, _ in text.files] if text else None)
        .string("claimRegions", ", ".join(claims) or None)
    )
    return [
        CaseDraft(
            case_type=CaseType.CONTENT_REVIEW,
            subject_type=SubjectType.UNKNOWN,
            subject_id=theme_id,
            trigger=f"theme:{event.topic}",
            teams=merge_teams(rules.teams.theme, rules.teams.claims if claims else []),
            priority=policy.cases.CONTENT_REVIEW.priority,
            reasons=reasons,
            variables=variables,
        )
    ]


def _policy_hashes(text: StorefrontText) -> dict[str, str]:
    return {
        kind: hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()
        for kind, title, body in text.policies
    }


def shop_policy_drafts(
    event: ShopifyEvent, payload: Fields, policy: Policy, context: ClassifyContext
) -> list[CaseDraft]:
    """The CONTENT_REVIEW case of ``shop/update`` when a shop policy's text changed."""
    rules = policy.content
    if not rules.shop_policies or context.storefront is None:
        return []
    text = context.storefront
    shop_id = payload.ident("id") or event.shop.lower()
    reasons: list[Reason] = []
    changed: list[str] = []
    if text.error:
        reasons.append(Reason(code="TEXT_UNREADABLE", detail=text.error[:500]))
    else:
        before_raw = context.content_fingerprints.get(policies_key(event.shop))
        if before_raw is None:
            return []  # first sight: the policies are recorded, nothing to compare with
        before: dict[str, str] = json.loads(before_raw)
        now = _policy_hashes(text)
        changed = sorted(kind for kind, digest in now.items() if before.get(kind) != digest)
        if changed:
            reasons.append(Reason(code="LEGAL_TEXT_CHANGED", detail=", ".join(changed)))
        bodies = [
            (kind, f"{title}\n{body}") for kind, title, body in text.policies if kind in changed
        ]
        for region, found in _claims(policy, bodies).items():
            detail = f"claims not allowed in {region}: {', '.join(found)}"[:500]
            reasons.append(Reason(code=f"CLAIM_{region}", detail=detail))
    if not reasons:
        return []
    variables = Variables().string("shopId", shop_id).json("changedPolicies", changed or None)
    return [
        CaseDraft(
            case_type=CaseType.CONTENT_REVIEW,
            subject_type=SubjectType.UNKNOWN,
            subject_id=shop_id,
            trigger="shop-policies",
            teams=list(rules.teams.legal_text),
            priority=policy.cases.CONTENT_REVIEW.priority,
            reasons=reasons,
            variables=variables,
        )
    ]


def storefront_fingerprint(
    event: ShopifyEvent, policy: Policy, context: ClassifyContext
) -> tuple[str, str] | None:
    """``(key, value)`` to remember after a theme or shop event, else None."""
    text = context.storefront
    if text is None or text.error or text.missing or not needs_text(event.topic, policy):
        return None
    if event.topic == SHOP_TOPIC:
        return policies_key(event.shop), json.dumps(_policy_hashes(text), sort_keys=True)
    payload = parse_json_object(event.payload)
    theme_id = payload.require_ident("id", "admin_graphql_api_id")
    claims = _claims(policy, text.files)
    seen = sorted(f"{r}|{c}" for r, found in claims.items() for c in found)
    return theme_key(event.shop, theme_id), json.dumps(seen)
