"""A decision that failed: the case's FAILED state, and reading its DLQ record back on replay.

A decision that cannot be built (an unmapped or not-offered outcome, a
missing variable) goes to ``cases.decisions.dlq`` as the JSON of its
:class:`~streams.decisions.build.CompletedTask`, not as a ``CaseDecision``:
there is no decision to encode. The case's instance has ended in OpenText,
so the case is marked FAILED with the reason (:func:`failure_state`), or it
would read OPEN forever.

``casebridge dlq replay cases.decisions`` publishes that JSON back to
``cases.decisions``. The writer recognises it (:func:`replayed_task`),
builds the decision again (the policy or the code may have been fixed
since) and, when it now builds, publishes the ``CaseDecision`` and applies it
like any other, which moves the case on to APPLIED.
"""

from __future__ import annotations

from datetime import UTC, datetime

from schemas.records import CaseState, CaseStatus
from streams.decisions.build import CompletedTask, DecisionFailure

__all__ = ["failure_state", "replayed_task"]


def failure_state(
    failure: DecisionFailure, *, default_shop: str, now: datetime | None = None
) -> CaseState | None:
    """The FAILED ``CaseState`` of ``failure``'s case; None when its case type is unknown."""
    if failure.case_type is None:
        return None
    return CaseState(
        case_id=failure.case_id,
        case_type=failure.case_type,
        shop=failure.shop or default_shop,
        subject_id=failure.subject_id or failure.case_id,
        status=CaseStatus.FAILED,
        process_instance_id=failure.process_instance_id,
        detail=f"decision failed: {failure.reason}"[:500],
        updated_at=now or datetime.now(UTC),
    )


def replayed_task(value: object) -> CompletedTask | None:
    """The completed task a replayed ``cases.decisions.dlq`` record carries, else None.

    Avro records in the Confluent wire format start with a zero byte, JSON
    with ``{``: the two cannot be confused. Anything else that is not a valid
    task is left to the Avro decoder, which dead-letters it as undecodable.
    """
    if not isinstance(value, bytes) or not value.lstrip().startswith(b"{"):
        return None
    try:
        return CompletedTask.from_json(value)
    except (ValueError, KeyError, TypeError):
        return None
