"""Rules that need what enrichment read: applied once a case has its Shopify context.

The rules of :mod:`streams.classify.rules.engine` decide from the event alone. Two
decisions need facts only the Admin API has, so the classify agent applies
:func:`after_enrichment` to a case after :mod:`streams.classify.enrich` read them (and
again when a deferred enrichment arrives):

* RETURN_REVIEW — the return window and the warranty. From ``orderDate`` and
  ``returnedProducts``: ``daysSinceOrder``; with ``returns.window_days``,
  ``returnWindowDays``, ``returnWindowEndsAt`` and ``withinReturnWindow``
  (reason ``RETURN_WINDOW_PASSED`` when outside); per returned line in
  ``warranty`` the months (the product's metafield, else
  ``returns.warranty.product_type_months`` for its type, else
  ``default_months``), where they came from, when the warranty ends and
  whether the request is within it; ``underWarranty`` when any line is
  (reason ``UNDER_WARRANTY``). Times count from the order date to the
  moment the case was requested, never to "now", so a replay gives the
  same answer.
* COMPLAINT — the customer's segment from their tags in Shopify
  (``customerTags``, matched against ``complaints.segment_tags``) when
  ``complaints.segment_from_tags`` is on: a match re-routes the complaint
  (teams, priority, SLA) as :func:`streams.classify.rules.complaints.route` would
  have with that segment, and adds reason ``SEGMENT_FROM_TAGS``. Such a
  complaint is never opened before its enrichment (:func:`routed_by_enrichment`).

Pure: no I/O, no clock. A case without the facts is returned unchanged.
"""

from __future__ import annotations

import calendar
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.records import CaseRequest, CaseType, CaseVariable, IssueType, Reason, Severity
from streams.classify.rules.build import Variables
from streams.classify.rules.complaints import route, segment_of_tags
from streams.policy.model import Policy

__all__ = [
    "add_months",
    "after_enrichment",
    "assess_return",
    "route_by_tags",
    "routed_by_enrichment",
]


def routed_by_enrichment(request: CaseRequest, policy: Policy) -> bool:
    """Whether enrichment can change who ``request`` goes to (its teams and priority).

    Such a case is enriched before it opens even when the store's budget is
    short: an OpenText task is routed when it starts, and a deferred update
    could no longer move a VIP complaint to the VIP team.
    """
    return request.case_type is CaseType.COMPLAINT and policy.complaints.segment_from_tags


def after_enrichment(request: CaseRequest, policy: Policy) -> CaseRequest:
    """``request`` with the rules that needed its enrichment applied."""
    if request.case_type is CaseType.RETURN_REVIEW:
        return assess_return(request, policy)
    if request.case_type is CaseType.COMPLAINT:
        return route_by_tags(request, policy)
    return request


# --- returns ---------------------------------------------------------------------------------


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus calendar months (the 31st becomes the month's last day)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def assess_return(request: CaseRequest, policy: Policy) -> CaseRequest:
    """The return window and each returned line's warranty (see the module docstring)."""
    values = _values(request)
    placed = _datetime(values.get("orderDate"))
    if placed is None:
        return request
    asked = _aware(request.requested_at)
    rules = policy.returns
    added = Variables().integer("daysSinceOrder", max((asked - placed).days, 0))
    reasons = list(request.reasons)
    if rules.window_days is not None:
        ends = placed + timedelta(days=rules.window_days)
        within = asked <= ends
        added.integer("returnWindowDays", rules.window_days).date("returnWindowEndsAt", ends)
        added.boolean("withinReturnWindow", within)
        if not within:
            reasons.append(
                Reason(
                    code="RETURN_WINDOW_PASSED",
                    detail=f"requested {(asked - placed).days} days after the order"
                    f" ({rules.window_days}-day return window)",
                )
            )
    lines = [_warranty(line, placed, asked, policy) for line in _products(values)]
    if lines:
        added.json("warranty", lines)
        known = [line["underWarranty"] for line in lines if line["underWarranty"] is not None]
        if known:
            added.boolean("underWarranty", any(known))
        if any(known):
            covered = sum(1 for value in known if value)
            reasons.append(
                Reason(code="UNDER_WARRANTY", detail=f"{covered} returned line(s) under warranty")
            )
    return request.model_copy(
        update={"variables": _replace(request.variables, added.items), "reasons": reasons}
    )


def _warranty(
    line: dict[str, Any], placed: datetime, asked: datetime, policy: Policy
) -> dict[str, Any]:
    rules = policy.returns.warranty
    months: int | None = None
    source = "none"
    metafield = line.get("warrantyMetafieldMonths")
    product_type = str(line.get("productType") or "")
    by_type = {name.casefold(): value for name, value in rules.product_type_months.items()}
    if isinstance(metafield, int) and not isinstance(metafield, bool):
        months, source = metafield, "metafield"
    elif product_type.casefold() in by_type:
        months, source = by_type[product_type.casefold()], "product_type"
    elif rules.default_months is not None:
        months, source = rules.default_months, "default"
    ends = add_months(placed, months) if months is not None else None
    return {
        "lineItemId": line.get("lineItemId"),
        "productType": product_type or None,
        "warrantyMonths": months,
        "warrantySource": source,
        "warrantyEndsAt": ends.isoformat().replace("+00:00", "Z") if ends else None,
        "underWarranty": (asked <= ends) if ends is not None and months else None,
    }


# --- complaints ------------------------------------------------------------------------------


def route_by_tags(request: CaseRequest, policy: Policy) -> CaseRequest:
    """The complaint routed by its customer's segment in Shopify, when the tags give one."""
    rules = policy.complaints
    values = _values(request)
    tags = _json(values.get("customerTags"))
    if not rules.segment_from_tags or not isinstance(tags, list):
        return request
    tagged = segment_of_tags([str(tag) for tag in tags], policy)
    given = values.get("customerSegment")
    if tagged is None or tagged[0] == given:
        return request
    segment, matched = tagged
    try:
        issue = IssueType(values.get("issueType") or "")
        severity = Severity(values.get("severity") or "")
        count = int(values.get("repeatCount") or 1)
    except ValueError:
        return request  # not a case the complaint rules built: leave its routing alone
    teams, priority, reasons = route(issue, severity, segment, count, policy)
    said = f"; the help desk said {given}" if given else ""
    reasons.append(
        Reason(
            code="SEGMENT_FROM_TAGS",
            detail=f"customer tagged {', '.join(matched)} in Shopify: segment {segment}{said}",
        )
    )
    asked = _aware(request.requested_at)
    due = min(
        asked + policy.cases.COMPLAINT.sla_for(priority),
        asked + rules.escalation_windows.of(severity),
    )
    segment_variable = Variables().string("customerSegment", segment)
    return request.model_copy(
        update={
            "teams": teams,
            "priority": priority,
            "reasons": reasons,
            "sla_due_at": due,
            "variables": _replace(request.variables, segment_variable.items),
        }
    )


# --- helpers ---------------------------------------------------------------------------------


def _values(request: CaseRequest) -> dict[str, str]:
    return {item.name: item.value for item in request.variables}


def _replace(existing: list[CaseVariable], added: list[CaseVariable]) -> list[CaseVariable]:
    new = {item.name: item for item in added}
    kept = [new.pop(item.name, item) for item in existing]
    return kept + list(new.values())


def _json(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _products(values: dict[str, str]) -> list[dict[str, Any]]:
    items = _json(values.get("returnedProducts"))
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _datetime(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None
