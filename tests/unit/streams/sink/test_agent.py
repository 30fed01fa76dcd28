"""The sink stage: open or attach a case, the ledger, outages, and bad values dead-lettered."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.opentext import (
    HistoricProcessInstance,
    OpenTextAuthError,
    OpenTextNotFoundError,
    OpenTextUnavailableError,
    ProcessInstance,
)
from schemas.records import (
    CaseRequest,
    CaseState,
    CaseStatus,
    CaseType,
    CaseVariable,
    Priority,
    Reason,
    SubjectType,
    VariableType,
)
from streams.kafka.dlq import parse_headers
from streams.kafka.health import HealthNote, decode_note
from streams.ops.metrics import REGISTRY
from streams.settings import Settings
from streams.sink.agent import Sink
from streams.sink.ledger import LEDGER_TABLE
from streams.topics import CASES_OPENED, CASES_REQUESTS, CASES_STATE
from tests.unit.streams.fakes import (
    Event,
    FakeApp,
    FakeStream,
    RecordingProducer,
    events,
    stage_services,
)

SLA = datetime(2026, 1, 16, 10, 0, tzinfo=UTC)


def request(*variables: CaseVariable, **fields: Any) -> CaseRequest:
    base: dict[str, Any] = {
        "case_id": "ORDER_REVIEW:s.myshopify.com:1001",
        "case_type": CaseType.ORDER_REVIEW,
        "shop": "s.myshopify.com",
        "subject_type": SubjectType.ORDER,
        "subject_id": "1001",
        "order_id": "1001",
        "customer_id": "77",
        "teams": ["fraud", "finance"],
        "priority": Priority.HIGH,
        "sla_due_at": SLA,
        "reasons": [Reason(code="HIGH_VALUE", detail="total 2500.00 over 1000.00")],
        "variables": list(variables),
        "enrichment_complete": False,
        "source_event_ids": ["ev-1", "ev-2"],
        "requested_at": datetime(2026, 1, 15, 10, 0, tzinfo=UTC),
    }
    base.update(fields)
    return CaseRequest(**base)


# --- the sink built on its seams: the Faust app, Services (OpenText, producer), notes --------

#: When the sink under test started (its ledger's epoch); requests are written after it.
STARTED_AT = 1_790_000_000.0

#: No waiting in tests: an outage or a refusal is retried at once.
SETTINGS = Settings(
    sink={"outage": {"initial_s": 0, "max_s": 0}, "auth_wait": {"initial_s": 0, "max_s": 0}},
    opentext={"models": {"ORDER_REVIEW": "m.order"}},
)


class FailingClient:
    async def ensure_process_instance(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("OpenText must not be called for a request it cannot accept")


class MemoryNotes:
    """The health-note store: keeps every note written."""

    def __init__(self) -> None:
        self.notes: list[HealthNote] = []

    async def prepare(self, replication_factor: int = 1) -> None:
        return None

    async def put(self, key: str, value: bytes) -> None:
        self.notes.append(decode_note(value))

    def scan(self, wanted: Any) -> dict[bytes, bytes]:
        return {}


class Harness:
    """A sink on fakes of its seams, and what it wrote to each."""

    def __init__(self, client: Any = None, *, started_at: float = STARTED_AT) -> None:
        self.app = FakeApp()
        self.producer = RecordingProducer()
        self.notes = MemoryNotes()
        self.client = client or FailingClient()
        self.sink = Sink(
            self.app,  # type: ignore[arg-type]
            stage_services(self.producer, settings=SETTINGS, opentext=self.client),  # type: ignore[arg-type]
            notes=self.notes,
            clock=lambda: started_at,
        )
        if isinstance(self.client, RecordingClient):
            self.client.app = self.app

    @property
    def ledger(self) -> dict[Any, Any]:
        return self.app.tables[LEDGER_TABLE]

    @property
    def stats(self) -> dict[str, int]:
        return self.sink.stats

    async def deliver(self, *records: Any) -> list[Event]:
        """Feed ``records`` to the sink's agent and wait until their lanes are done."""
        delivered = events(CASES_REQUESTS, *records)
        for event in delivered:
            event.message.partition = 2
            event.message.timestamp = STARTED_AT + 5
        await self.app.agents["casebridge.opentext-sink"](FakeStream(delivered))
        await self.sink.lanes.drain()
        return delivered


def fake_event(timestamp: float | None = STARTED_AT + 5) -> Any:
    event = Event(CASES_REQUESTS, b"original-bytes", offset=41, partition=2, key=b"case-key")
    event.message.timestamp = timestamp
    return event


async def test_bad_variable_is_dead_lettered_and_the_case_marked_failed() -> None:
    h = Harness()
    bad = CaseVariable(name="count", type=VariableType.INTEGER, value="n/a")

    await h.sink.open_case(fake_event(), request(bad))

    assert h.stats["dead_lettered"] == 1
    (dlq_topic, dlq_value, dlq_key, dlq_headers), (state_topic, state, state_key, _) = (
        h.producer.sent
    )
    assert (dlq_topic, dlq_value, dlq_key) == ("cases.requests.dlq", b"original-bytes", b"case-key")
    letter = parse_headers(dlq_headers)
    assert letter["error_class"] == "invalid-variable"
    assert "count" in letter["reason"]
    assert (letter["source_partition"], letter["source_offset"]) == ("2", "41")
    assert state_topic == "cases.state"
    assert isinstance(state, CaseState)
    assert state.status is CaseStatus.FAILED
    assert state_key == b"ORDER_REVIEW:s.myshopify.com:1001"


async def test_unknown_model_is_dead_lettered() -> None:
    h = Harness()
    await h.sink.open_case(fake_event(), request(case_type=CaseType.CHARGEBACK))
    assert parse_headers(h.producer.sent[0][3])["reason"] == "no OpenText model for CHARGEBACK"
    assert parse_headers(h.producer.sent[0][3])["error_class"] == "opentext-request"


class DecidedCaseClient:
    """OpenText where the case's instance has already ended (found in history)."""

    def __init__(self) -> None:
        self.attached: list[Any] = []

    async def ensure_process_instance(self, *args: Any, **kwargs: Any) -> Any:
        ended = HistoricProcessInstance(
            id="pi-1", business_key=request().case_id, end_time=SLA, completed=True
        )
        return ended, False

    async def set_variables(self, instance_id: str, variables: Any) -> None:
        self.attached.append((instance_id, variables))


async def test_update_after_the_decision_is_neither_attached_nor_a_failure() -> None:
    # E.g. the orders/updated that the decision's own write-back caused.
    client = DecidedCaseClient()
    h = Harness(client)
    h.ledger[request().case_id] = {"state": "starting"}  # a replay: the ledger is unsure

    await h.sink.open_case(fake_event(), request())

    assert client.attached == []
    assert h.producer.sent == []  # no DLQ record, no CaseState overwriting the decided state
    assert h.stats["after_end"] == 1 and h.stats["dead_lettered"] == 0


class RecordingClient:
    """OpenText that records the calls the sink makes; ``fail_starts`` transient failures."""

    def __init__(self, *, fail_starts: int = 0, ended: bool = False, refuse: int = 0) -> None:
        self.calls: list[str] = []
        self.fail_starts = fail_starts
        self.refuse = refuse
        self.ended = ended
        self.app: FakeApp | None = None
        self.ledger_at_start: Any = None

    async def start_process_instance(self, *args: Any, retry: bool = True, **kwargs: Any) -> Any:
        assert retry is False, "a blind resend could open a second instance"
        self.calls.append("start")
        if self.app is not None:
            self.ledger_at_start = [f[LEDGER_TABLE] for f in self.app.flushed]
        self._maybe_refuse()
        if self.fail_starts:
            self.fail_starts -= 1
            raise OpenTextUnavailableError(
                "503 from OpenText", status=503, attempts=1, endpoint="POST /process-instances"
            )
        return ProcessInstance(id="pi-new", business_key=request().case_id)

    async def ensure_process_instance(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append("lookup")
        self._maybe_refuse()
        return ProcessInstance(id="pi-found", business_key=request().case_id), False

    def _maybe_refuse(self) -> None:
        if self.refuse:
            self.refuse -= 1
            raise OpenTextAuthError(
                "POST /process-instances: the OpenText gateway refused the call (HTTP 401):"
                " Invalid ApiKey (oauth.v2.InvalidApiKey)",
                status=401,
            )

    async def set_variables(self, instance_id: str, variables: Any) -> None:
        self.calls.append(f"attach {instance_id}")
        if self.ended:
            raise OpenTextNotFoundError(
                status=404,
                message="no such instance",
                body_excerpt="",
                attempts=1,
                endpoint="POST /process-instances/{id}/variables",
            )


async def test_a_new_case_is_started_with_one_call_after_its_intent_is_durable() -> None:
    client = RecordingClient()
    h = Harness(client)

    await h.sink.open_case(fake_event(), request())

    assert client.calls == ["start"]
    # "starting" reached the changelog before the start request went out.
    assert client.ledger_at_start == [
        {"#epoch:2": STARTED_AT, request().case_id: {"state": "starting"}}
    ]
    assert h.ledger[request().case_id] == {"state": "open", "instance": "pi-new"}
    assert [topic for topic, *_ in h.producer.sent] == ["cases.opened", "cases.state"]
    assert h.producer.sent[0][1].already_existed is False
    assert h.stats["opened"] == 1 and h.stats["lookups"] == 0


async def test_a_case_left_starting_is_looked_up_before_anything_else() -> None:
    # A crash or timeout after the start went out: the instance may exist.
    client = RecordingClient()
    h = Harness(client)
    h.ledger[request().case_id] = {"state": "starting"}

    await h.sink.open_case(fake_event(), request())

    assert client.calls == ["lookup", "attach pi-found"]
    assert h.ledger[request().case_id] == {"state": "open", "instance": "pi-found"}
    assert h.producer.sent[0][1].already_existed is True
    assert h.stats["lookups"] == 1


async def test_an_open_case_gets_the_update_attached_without_a_lookup() -> None:
    client = RecordingClient()
    h = Harness(client)
    h.ledger[request().case_id] = {"state": "open", "instance": "pi-7"}

    await h.sink.open_case(fake_event(), request())

    assert client.calls == ["attach pi-7"]
    assert h.producer.sent[0][1].process_instance_id == "pi-7"
    assert h.stats["attached"] == 1


async def test_after_a_failed_start_the_next_round_looks_up_instead_of_starting_again() -> None:
    client = RecordingClient(fail_starts=1)
    h = Harness(client)

    await h.sink.open_case(fake_event(), request())

    assert client.calls == ["start", "lookup", "attach pi-found"]
    assert h.stats["waits"] == 1


async def test_an_update_for_an_ended_instance_is_not_attached_and_not_a_failure() -> None:
    client = RecordingClient(ended=True)
    h = Harness(client)
    h.ledger[request().case_id] = {"state": "open", "instance": "pi-7"}

    await h.sink.open_case(fake_event(), request())

    assert client.calls == ["attach pi-7"]
    assert h.producer.sent == []
    assert h.stats["after_end"] == 1


@pytest.mark.parametrize("timestamp", [STARTED_AT - 3600, None])
async def test_a_request_older_than_the_ledger_is_looked_up_first(timestamp: float | None) -> None:
    # Another app id, a reset offset or a lost changelog: the ledger cannot know
    # whether an earlier sink started this case.
    client = RecordingClient()
    h = Harness(client)

    await h.sink.open_case(fake_event(timestamp), request())

    assert client.calls == ["lookup", "attach pi-found"]


async def test_the_epoch_of_a_partition_is_recorded_once() -> None:
    client = RecordingClient()
    h = Harness(client, started_at=STARTED_AT + 1000)  # this process started later
    h.ledger["#epoch:2"] = STARTED_AT - 100  # kept from an earlier run of this app id

    await h.sink.open_case(fake_event(STARTED_AT - 50), request())

    assert h.ledger["#epoch:2"] == STARTED_AT - 100
    assert client.calls == ["start"]  # written after the epoch that was kept


def _auth_errors() -> float:
    value = REGISTRY.get_sample_value("casebridge_opentext_auth_errors_total", {"agent": "sink"})
    return value or 0.0


async def test_refused_credentials_wait_count_and_say_so_without_dead_lettering() -> None:
    """A gateway refusal is an operator problem: the case waits, it is never dead-lettered."""
    client = RecordingClient(refuse=3)
    h = Harness(client)
    before = _auth_errors()

    await h.sink.open_case(fake_event(), request())

    # Refused three times (each retry looks up first: the start may have gone through).
    assert client.calls == ["start", "lookup", "lookup", "lookup", "attach pi-found"]
    assert h.stats["auth_waits"] == 3
    assert h.stats["dead_lettered"] == 0
    assert not any(topic.endswith(".dlq") for topic, *_ in h.producer.sent)
    assert _auth_errors() - before == 3
    notes = h.notes.notes
    assert notes[0].failing and "Invalid ApiKey" in (notes[0].last_error or "")
    assert notes[-1].failing is False and notes[-1].errors == 3
    assert h.sink.opentext_health.failing is False


# --- through the agent: records in, records and acknowledgements out --------------------------


async def test_the_agent_opens_each_case_and_dead_letters_what_it_cannot_decode() -> None:
    client = RecordingClient()
    h = Harness(client)

    delivered = await h.deliver(b"not a record", request())

    assert all(event.acked for event in delivered)
    (letter,) = h.producer.letters(CASES_REQUESTS)
    assert letter["error_class"] == "avro:bad-magic-byte"
    assert h.stats["dead_lettered"] == 1 and h.stats["opened"] == 1
    (opened,) = h.producer.records(CASES_OPENED)
    assert opened.case_id == request().case_id and opened.process_instance_id == "pi-new"
    assert [state.status for state in h.producer.records(CASES_STATE)] == [CaseStatus.OPEN]


class OutageClient:
    """OpenText down until ``back`` is set; then the case's instance is found."""

    def __init__(self) -> None:
        self.back = asyncio.Event()
        self.tried_thrice = asyncio.Event()
        self.tries = 0

    def _down(self) -> None:
        self.tries += 1
        if self.tries >= 3:
            self.tried_thrice.set()
        if not self.back.is_set():
            raise OpenTextUnavailableError(
                "503 from OpenText", status=503, attempts=1, endpoint="GET /process-instances"
            )

    async def start_process_instance(self, *args: Any, **kwargs: Any) -> Any:
        self._down()
        return ProcessInstance(id="pi-new", business_key=request().case_id)

    async def ensure_process_instance(self, *args: Any, **kwargs: Any) -> Any:
        self._down()
        return ProcessInstance(id="pi-found", business_key=request().case_id), False

    async def set_variables(self, instance_id: str, variables: Any) -> None:
        return None


async def test_an_outage_holds_the_acknowledgement_until_opentext_answers() -> None:
    client = OutageClient()
    h = Harness(client)
    (event,) = events(CASES_REQUESTS, request())
    event.message.partition, event.message.timestamp = 2, STARTED_AT + 5

    await h.app.agents["casebridge.opentext-sink"](FakeStream([event]))
    await client.tried_thrice.wait()
    assert not event.acked and h.producer.sent == []  # waiting, neither failed nor skipped

    client.back.set()
    await h.sink.lanes.drain()
    assert event.acked and h.stats["waits"] >= 2 and h.stats["dead_lettered"] == 0
    assert [o.process_instance_id for o in h.producer.records(CASES_OPENED)] == ["pi-found"]
