"""UC3 COMPLAINT: submitted complaints and complaints found in order notes.

Routing: the first rule of ``complaints.routing`` whose given criteria
(issue type, customer segment, severity) all match decides the teams and,
if it names one, the priority; otherwise the teams are
``complaints.default_teams`` (or ``cases.COMPLAINT.teams``) and the priority
comes from ``complaints.severity_priority``. Then:

* issue types in ``escalate_issue_types`` (delayed shipment, damaged goods)
  raise the priority one step (reason ``ESCALATED_ISSUE_TYPE``);
* a customer with ``repeat.threshold`` complaints within ``repeat.window``
  (this one included) raises it ``repeat.priority_steps`` more
  (``REPEATED_COMPLAINT``). The count comes from the caller's
  :class:`ComplaintHistory`, which must not yet contain this complaint (a
  redelivery that is already recorded is ignored by id).

The SLA is the case type's SLA for the final priority, but never longer than
the severity's escalation window (``complaints.escalation_windows``).

Order notes (``orders/*``) are matched against ``order_notes.keywords``; one
complaint case per order (trigger ``order-note``), with the customer segment
taken from the customer's tags (``segment_tags``).
"""

from __future__ import annotations

from datetime import datetime

from schemas.records import (
    CaseRequest,
    CaseType,
    ComplaintChannel,
    ComplaintSubmitted,
    IssueType,
    Priority,
    Reason,
    Severity,
    SubjectType,
)
from streams.classify.rules.build import CaseDraft, Variables
from streams.classify.rules.caseid import case_id
from streams.classify.rules.errors import ClassificationError
from streams.classify.rules.orders import Order
from streams.classify.rules.payload import find_keywords, matching_tags
from streams.classify.rules.state import ClassifyContext, complaint_key
from streams.policy.model import Policy
from streams.policy.priority import raise_priority

_SEVERITY_ORDER = (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)


def complaint_draft(
    complaint: ComplaintSubmitted, policy: Policy, context: ClassifyContext, now: datetime
) -> CaseDraft:
    """The COMPLAINT case for a complaint from ``support.complaints``."""
    if not complaint.complaint_id.strip():
        raise ClassificationError("complaint_id: missing id")
    draft = _draft(
        shop=complaint.shop,
        subject_type=SubjectType.COMPLAINT,
        subject_id=complaint.complaint_id.strip(),
        trigger="complaint",
        issue=complaint.issue_type,
        severity=complaint.severity,
        segment=complaint.customer_segment,
        customer_id=complaint.customer_id,
        email=complaint.customer_email,
        order_id=complaint.order_id,
        policy=policy,
        context=context,
        now=now,
    )
    draft.variables.string("complaintId", complaint.complaint_id).string(
        "channel", complaint.channel.value
    ).string("subject", complaint.subject).string("message", complaint.message).date(
        "submittedAt", complaint.submitted_at
    )
    return draft


def order_note_draft(
    shop: str, order: Order, policy: Policy, context: ClassifyContext, now: datetime
) -> CaseDraft | None:
    """A COMPLAINT case when the order note reads like a complaint, else None."""
    rule = policy.complaints.order_notes
    note = order.note or ""
    if not rule.enabled or not note.strip():
        return None
    issue: IssueType | None = None
    matched: list[str] = []
    for issue_type, keywords in rule.keywords.items():
        found = find_keywords(note, keywords)
        if found:
            issue, matched = issue_type, found
            break
    severity = rule.severity
    for level, keywords in rule.severity_keywords.items():
        found = find_keywords(note, keywords)
        if found:
            matched += found
            severity = max(severity, level, key=_SEVERITY_ORDER.index)
            issue = issue or IssueType.OTHER
    if issue is None:
        return None
    segment = next(
        (
            name
            for name, tags in policy.complaints.segment_tags.items()
            if matching_tags(order.customer_tags, tags)
        ),
        None,
    )
    draft = _draft(
        shop=shop,
        subject_type=SubjectType.ORDER,
        subject_id=order.order_id,
        trigger="order-note",
        issue=issue,
        severity=severity,
        segment=segment,
        customer_id=order.customer_id,
        email=order.customer_email or order.email,
        order_id=order.order_id,
        policy=policy,
        context=context,
        now=now,
    )
    draft.variables.string("channel", ComplaintChannel.ORDER_NOTE.value).string(
        "orderName", order.name
    ).string("message", note).string("matchedKeywords", ", ".join(matched))
    return draft


def complaint_key_of(case: CaseRequest) -> str | None:
    """The complaint-history key to record ``case`` under (None when it names no customer).

    The agent calls :func:`streams.classify.rules.state.record_complaint` with the
    case id and ``requested_at`` for every COMPLAINT case it emits.
    """
    email = next(
        (variable.value for variable in case.variables if variable.name == "customerEmail"), None
    )
    return complaint_key(case.shop, case.customer_id, email)


def _draft(
    *,
    shop: str,
    subject_type: SubjectType,
    subject_id: str,
    trigger: str,
    issue: IssueType,
    severity: Severity,
    segment: str | None,
    customer_id: str | None,
    email: str | None,
    order_id: str | None,
    policy: Policy,
    context: ClassifyContext,
    now: datetime,
) -> CaseDraft:
    rules = policy.complaints
    segment_key = segment.strip().upper() if segment and segment.strip() else None
    teams = list(rules.default_teams or policy.cases.COMPLAINT.teams)
    priority: Priority = rules.severity_priority.of(severity)
    routed_by = "default routing"
    for index, rule in enumerate(rules.routing):
        if (
            (rule.issue_type is None or rule.issue_type == issue)
            and (rule.segment is None or rule.segment == segment_key)
            and (rule.severity is None or rule.severity == severity)
        ):
            teams = list(rule.teams)
            priority = rule.priority or priority
            routed_by = f"routing rule {index + 1}"
            break
    reasons = [
        Reason(
            code=f"ISSUE_{issue.value}",
            detail=f"{issue.value} complaint, severity {severity.value}"
            f"{f', segment {segment_key}' if segment_key else ''} ({routed_by})",
        )
    ]
    if issue in rules.escalate_issue_types:
        priority = raise_priority(priority)
        reasons.append(
            Reason(code="ESCALATED_ISSUE_TYPE", detail=f"{issue.value} complaints are escalated")
        )
    this_id = case_id(shop, CaseType.COMPLAINT, subject_type, subject_id, trigger)
    key = complaint_key(shop, customer_id, email)
    history = context.complaint_history.get(key) if key else None
    earlier = history.count_within(rules.repeat.window, now, exclude_id=this_id) if history else 0
    count = earlier + 1
    if count >= rules.repeat.threshold:
        priority = raise_priority(priority, rules.repeat.priority_steps)
        reasons.append(
            Reason(
                code="REPEATED_COMPLAINT",
                detail=f"complaint {count} from this customer within {rules.repeat.window}",
            )
        )
    variables = (
        Variables()
        .string("issueType", issue.value)
        .string("severity", severity.value)
        .string("customerSegment", segment_key)
        .string("customerId", customer_id)
        .string("customerEmail", email)
        .string("orderId", order_id)
        .integer("repeatCount", count)
    )
    return CaseDraft(
        case_type=CaseType.COMPLAINT,
        subject_type=subject_type,
        subject_id=subject_id,
        trigger=trigger,
        teams=teams,
        priority=priority,
        reasons=reasons,
        variables=variables,
        order_id=order_id,
        customer_id=customer_id,
        sla_cap=now + rules.escalation_windows.of(severity),
    )
