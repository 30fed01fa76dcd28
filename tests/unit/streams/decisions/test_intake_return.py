"""Returned intakes: which failures go back, under which key, with which variables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.opentext import Variable
from connectors.opentext.models import HistoricProcessInstance, ProcessInstance
from schemas.records import CaseState, CaseStatus, CaseType
from streams.decisions.intake_return import IntakeReturner, needs_return, returned_key

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def state(**changes: Any) -> CaseState:
    values: dict[str, Any] = {
        "case_id": "OFFLINE_ORDER-1",
        "case_type": CaseType.OFFLINE_ORDER,
        "shop": "demo.myshopify.com",
        "subject_id": "OFFLINE_ORDER-1",
        "status": CaseStatus.FAILED,
        "process_instance_id": "pi-1",
        "detail": "offline order intake is invalid: taxLines: required",
        "updated_at": NOW,
    }
    values.update(changes)
    return CaseState(**values)


class FakeOpenText:
    """History with one ended intake; ensure_process_instance keyed by business key."""

    def __init__(self) -> None:
        self.started: dict[str, list[Variable]] = {}
        self.history = [
            HistoricProcessInstance(
                id="pi-1",
                business_key="OFFLINE_ORDER-1",
                process_definition_key="casebridge.offline_order",
                variables=[
                    Variable.of("customer", {"email": "a@example.com"}),
                    Variable.of("paymentStatus", "LATER"),
                    Variable.of("approvalStatus", "approved"),
                ],
            )
        ]

    async def find_historic_process_instances(
        self, business_key: str | None = None, **_: Any
    ) -> list[HistoricProcessInstance]:
        return [i for i in self.history if i.business_key == business_key]

    async def ensure_process_instance(
        self, key: str, business_key: str, variables: list[Variable], name: str | None = None
    ) -> tuple[ProcessInstance, bool]:
        created = business_key not in self.started
        if created:
            self.started[business_key] = variables
        return ProcessInstance(id=f"pi-{business_key}", business_key=business_key), created


def test_only_failed_intakes_with_a_reason_and_an_instance_go_back() -> None:
    assert needs_return(state())
    assert not needs_return(state(status=CaseStatus.APPLIED))
    assert not needs_return(state(case_type=CaseType.ORDER_REVIEW))
    assert not needs_return(state(process_instance_id=None))
    assert not needs_return(state(detail=None))


async def test_returned_once_with_the_reason_and_the_original_variables() -> None:
    opentext = FakeOpenText()
    returner = IntakeReturner(opentext, ("approvalStatus",))  # type: ignore[arg-type]
    first = await returner.send_back(state())
    again = await returner.send_back(state())
    assert first is not None and first.created
    assert again is not None and not again.created and again.business_key == first.business_key
    assert first.business_key == returned_key("OFFLINE_ORDER-1", "pi-1")
    [variables] = opentext.started.values()
    values = {v.name: v.value for v in variables}
    assert values["returnReason"] == "offline order intake is invalid: taxLines: required"
    assert values["returnedFrom"] == "pi-1" and values["returnedCaseId"] == "OFFLINE_ORDER-1"
    assert values["paymentStatus"] == "LATER"  # the desk sees what it entered, to fix it
    assert "approvalStatus" not in values  # the returned intake starts undecided


async def test_an_instance_missing_from_history_is_not_returned() -> None:
    opentext = FakeOpenText()
    returner = IntakeReturner(opentext, ())  # type: ignore[arg-type]
    assert await returner.send_back(state(process_instance_id="pi-unknown")) is None
    assert opentext.started == {}


def test_each_failed_instance_has_its_own_key() -> None:
    assert returned_key("C", "pi-1") != returned_key("C", "pi-2")
    assert returned_key("C", "pi-1").startswith("C-returned-")
