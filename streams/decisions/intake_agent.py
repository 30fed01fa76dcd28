"""Failed offline intakes back to OpenText: an OFFLINE_ORDER FAILED state -> a returned intake.

Runs with the decisions stage (it talks to OpenText). For each FAILED state of
an approved intake (the decision source could not read the intake, or the
writer could not create the order), :class:`~streams.decisions.intake_return.IntakeReturner`
starts the returned intake with the reason, once per failed instance. The
DLQ record and the FAILED state are written where the failure happened; this
stage only brings the reason to the people who can fix it.

* OpenText unavailable, or refusing our credentials: the state waits and is
  tried again (an outage delays the return, never drops it).
* A permanent refusal: the state goes to ``cases.state.dlq`` with the reason.
* ``casebridge_intakes_returned_total{result}`` counts returned / already / failed.
"""

from __future__ import annotations

import logging
from typing import Any

import faust
from prometheus_client import Counter

from connectors.opentext import OpenTextAuthError, OpenTextError, OpenTextUnavailableError
from schemas.records import CaseState
from streams.decisions.intake_return import IntakeReturner, needs_return
from streams.ops.metrics import REGISTRY
from streams.runtime.outage import OutageWait
from streams.runtime.records import dead_letter, decode_or_dead_letter
from streams.services import Services
from streams.settings import Backoff
from streams.topics import CASES_STATE

log = logging.getLogger(__name__)

AGENT = "intake-returns"

RETURNS = Counter(
    "casebridge_intakes_returned",
    "Failed offline intakes sent back to OpenText, by result (returned, already, failed).",
    ["result"],
    registry=REGISTRY,
)


class IntakeReturns:
    """The agent sending failed intakes back, with its retry policy."""

    def __init__(self, app: faust.App, services: Services) -> None:
        self.services = services
        outcome = services.settings.decisions.outcome_variable
        self.returner = IntakeReturner(services.opentext, (outcome,))
        # OpenText down or refusing our credentials: the return waits, without limit.
        self.outage = OutageWait("OpenText", Backoff(initial_s=1.0, max_s=30.0))
        topic = app.topic(CASES_STATE, key_type=bytes, value_type=bytes, value_serializer="raw")
        app.agent(topic, name="casebridge.intake-returns")(self._agent)

    async def _agent(self, stream: Any) -> None:
        serde = self.services.serde(CASES_STATE)
        async for event in stream.events():
            state = await decode_or_dead_letter(
                serde, CaseState, self.services.producer, event, agent=AGENT
            )
            if state is not None and needs_return(state):
                await self.send_back(event, state)

    async def send_back(self, event: Any, state: CaseState) -> None:
        """Return the intake of ``state``, waiting out OpenText outages."""
        try:
            returned = await self.outage.call(
                lambda: self.returner.send_back(state),
                state.case_id,
                (OpenTextUnavailableError, OpenTextAuthError),
            )
        except OpenTextError as exc:
            RETURNS.labels("failed").inc()
            await dead_letter(
                self.services.producer,
                event,
                reason=f"intake {state.case_id} not returned to OpenText: {exc}",
                error_class="intake-return-refused",
            )
            return
        if returned is None:
            RETURNS.labels("failed").inc()
        else:
            RETURNS.labels("returned" if returned.created else "already").inc()


def register(app: faust.App, services: Services) -> IntakeReturns:
    """Declare the intake-returns agent on ``app``."""
    return IntakeReturns(app, services)
