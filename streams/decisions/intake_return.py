"""An offline intake that could not become an order goes back to the sales desk in OpenText.

The approved intake's instance has ended, so casebridge cannot reopen it: it
starts a *returned intake*, a new instance of the same model that carries the
original's variables (the customer, the lines, and what the reviewer's form
added) plus:

==================  ===========================================================
``returnReason``    why casebridge could not create the order (every problem,
                    as on the FAILED case state and the DLQ record)
``returnedFrom``    the instance that was approved
``returnedCaseId``  the intake's case id
==================  ===========================================================

The desk fixes what the reason names and approves again (the returned intake
is then an intake of its own: its order is tagged with its own case id), or
rejects it. Its business key is derived from the failed instance
(:func:`returned_key`) and it is started with
:meth:`~connectors.opentext.OpenTextClient.ensure_process_instance`, so a
FAILED state delivered again (or published again on a redelivery) finds the
instance instead of starting a second one.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from connectors.opentext import Variable
from connectors.opentext.client import OpenTextClient
from connectors.opentext.models import HistoricProcessInstance
from schemas.records import CaseState, CaseStatus, CaseType

__all__ = ["RETURN_VARIABLES", "IntakeReturner", "Returned", "needs_return", "returned_key"]

log = logging.getLogger(__name__)

RETURN_VARIABLES = ("returnReason", "returnedFrom", "returnedCaseId")


def needs_return(state: CaseState) -> bool:
    """Whether ``state`` is an approved intake that failed (and says where and why)."""
    return (
        state.case_type is CaseType.OFFLINE_ORDER
        and state.status is CaseStatus.FAILED
        and bool(state.process_instance_id)
        and bool(state.detail)
    )


def returned_key(case_id: str, failed_instance_id: str) -> str:
    """The business key of the returned intake of ``failed_instance_id`` (one per failure)."""
    digest = hashlib.sha256(failed_instance_id.encode()).hexdigest()[:10]
    return f"{case_id}-returned-{digest}"


@dataclass(frozen=True)
class Returned:
    """A returned intake: its instance and whether this call started it."""

    instance_id: str
    business_key: str
    created: bool


class IntakeReturner:
    """Starts returned intakes through one OpenText client.

    Args:
        client: the OpenText client.
        outcome_variables: variables that recorded the approval (e.g.
            ``approvalStatus``); not copied, so the returned intake starts undecided.
    """

    def __init__(self, client: OpenTextClient, outcome_variables: tuple[str, ...]) -> None:
        self._client = client
        self._dropped = {*outcome_variables, *RETURN_VARIABLES}

    async def send_back(self, state: CaseState) -> Returned | None:
        """Start (once) the returned intake of the failed ``state``; None if not applicable.

        Raises:
            OpenTextError: OpenText refused or could not be reached (the caller retries
                what is transient and dead-letters the rest).
        """
        if not needs_return(state):
            return None
        failed = str(state.process_instance_id)
        original = await self._original(state.case_id, failed)
        if original is None:
            log.warning(
                "intake %s: instance %s not in history; not returned", state.case_id, failed
            )
            return None
        variables = [v for v in original.variables if v.name not in self._dropped]
        variables += [
            Variable.of("returnReason", state.detail),
            Variable.of("returnedFrom", failed),
            Variable.of("returnedCaseId", state.case_id),
        ]
        key = returned_key(state.case_id, failed)
        instance, created = await self._client.ensure_process_instance(
            str(original.process_definition_key),
            key,
            variables,
            name=f"Returned intake {state.case_id}: fix and approve again",
        )
        if created:
            log.info("intake %s returned to OpenText as %s: %s", state.case_id, key, state.detail)
        return Returned(instance.id, key, created)

    async def _original(self, case_id: str, instance_id: str) -> HistoricProcessInstance | None:
        found = await self._client.find_historic_process_instances(
            business_key=case_id, include_process_variables=True
        )
        return next((i for i in found if i.id == instance_id), None)
