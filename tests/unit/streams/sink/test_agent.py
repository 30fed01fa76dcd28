"""The sink stage: open or attach a case, the ledger, outages, and bad values dead-lettered."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from connectors.opentext import (
    HistoricProcessInstance,
    OpenTextAuthError,
    OpenTextNotFoundError,
    OpenTextUnavailableError,
    ProcessInstance,
)
from connectors.retry import RetryPolicy
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
from streams.kafka.health import HealthNote, RemoteHealth
from streams.ops.metrics import OPENTEXT_AUTH_ERRORS, REGISTRY
from streams.sink.agent import STATS, Sink
from tests.unit.streams.fakes import FakeServices

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


# --- open_case with fakes: a bad variable is dead-lettered, not raised ------------------------


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Any, bytes | None, list[tuple[str, bytes]]]] = []

    async def send(
        self,
        topic: str,
        value: Any,
        key: bytes | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        self.sent.append((topic, value, key, list(headers or [])))


class PassThroughSerde:
    def encode(self, record: Any) -> Any:
        return record


class FailingClient:
    async def ensure_process_instance(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("OpenText must not be called for a request it cannot accept")


def make_sink(producer: FakeProducer) -> Sink:
    sink = Sink.__new__(Sink)  # no Faust app: only open_case and its helpers are exercised
    sink.stats = dict.fromkeys(STATS, 0)
    sink.ledger = {}  # type: ignore[assignment]
    sink.started_at = STARTED_AT
    sink.durable_ledgers: list[dict[str, Any]] = []  # type: ignore[attr-defined]
    sink.outage_backoff = RetryPolicy(initial_interval_s=0.0, maximum_interval_s=0.0)
    sink.auth_backoff = RetryPolicy(initial_interval_s=0.0, maximum_interval_s=0.0)
    sink.notes: list[HealthNote] = []  # type: ignore[attr-defined]

    async def publish(note: HealthNote) -> None:
        sink.notes.append(note)  # type: ignore[attr-defined]

    sink.opentext_health = RemoteHealth(
        "opentext", "sink-test", OPENTEXT_AUTH_ERRORS, publish=publish, publish_every_s=3600
    )

    async def ledger_durable() -> None:
        sink.durable_ledgers.append(dict(sink.ledger))  # type: ignore[attr-defined]

    sink._ledger_durable = ledger_durable  # type: ignore[method-assign]

    async def emit(agent: str, topic: str, record: Any, key: str) -> None:
        await producer.send(topic, record, key=key.encode())

    sink.services = FakeServices(  # type: ignore[assignment]
        settings=SimpleNamespace(opentext=SimpleNamespace(models={"ORDER_REVIEW": "m.order"})),
        opentext=FailingClient(),
        producer=producer,
        serde=lambda topic: PassThroughSerde(),
        emit=emit,
    )
    return sink


#: When the sink under test started (its ledger's epoch); requests are written after it.
STARTED_AT = 1_790_000_000.0


def fake_event(timestamp: float | None = STARTED_AT + 5) -> Any:
    message = SimpleNamespace(
        topic="cases.requests",
        partition=2,
        offset=41,
        timestamp=timestamp,
        key=b"case-key",
        value=b"original-bytes",
        headers=[],
    )
    return SimpleNamespace(message=message, value=message.value)


async def test_bad_variable_is_dead_lettered_and_the_case_marked_failed() -> None:
    producer = FakeProducer()
    sink = make_sink(producer)
    bad = CaseVariable(name="count", type=VariableType.INTEGER, value="n/a")

    await sink.open_case(fake_event(), request(bad))

    assert sink.stats["dead_lettered"] == 1
    (dlq_topic, dlq_value, dlq_key, dlq_headers), (state_topic, state, state_key, _) = producer.sent
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
    producer = FakeProducer()
    sink = make_sink(producer)
    await sink.open_case(fake_event(), request(case_type=CaseType.CHARGEBACK))
    assert parse_headers(producer.sent[0][3])["reason"] == "no OpenText model for CHARGEBACK"
    assert parse_headers(producer.sent[0][3])["error_class"] == "opentext-request"


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
    producer = FakeProducer()
    sink = make_sink(producer)
    sink.ledger[request().case_id] = {"state": "starting"}  # a replay: the ledger is unsure
    client = DecidedCaseClient()
    sink.services.opentext = client  # type: ignore[assignment]

    await sink.open_case(fake_event(), request())

    assert client.attached == []
    assert producer.sent == []  # no DLQ record, no CaseState overwriting the decided state
    assert sink.stats["after_end"] == 1 and sink.stats["dead_lettered"] == 0


class RecordingClient:
    """OpenText that records the calls the sink makes; ``fail_starts`` transient failures."""

    def __init__(self, *, fail_starts: int = 0, ended: bool = False, refuse: int = 0) -> None:
        self.calls: list[str] = []
        self.fail_starts = fail_starts
        self.refuse = refuse
        self.ended = ended
        self.sink: Sink | None = None
        self.ledger_at_start: Any = None

    async def start_process_instance(self, *args: Any, retry: bool = True, **kwargs: Any) -> Any:
        assert retry is False, "a blind resend could open a second instance"
        self.calls.append("start")
        if self.sink is not None:
            self.ledger_at_start = list(self.sink.durable_ledgers)  # type: ignore[attr-defined]
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


def sink_with(client: RecordingClient) -> tuple[Sink, FakeProducer]:
    producer = FakeProducer()
    sink = make_sink(producer)
    sink.services.opentext = client  # type: ignore[assignment]
    client.sink = sink
    return sink, producer


async def test_a_new_case_is_started_with_one_call_after_its_intent_is_durable() -> None:
    client = RecordingClient()
    sink, producer = sink_with(client)

    await sink.open_case(fake_event(), request())

    assert client.calls == ["start"]
    # "starting" reached the changelog before the start request went out.
    assert client.ledger_at_start == [
        {"#epoch:2": STARTED_AT, request().case_id: {"state": "starting"}}
    ]
    assert sink.ledger[request().case_id] == {"state": "open", "instance": "pi-new"}
    assert [topic for topic, *_ in producer.sent] == ["cases.opened", "cases.state"]
    assert producer.sent[0][1].already_existed is False
    assert sink.stats["opened"] == 1 and sink.stats["lookups"] == 0


async def test_a_case_left_starting_is_looked_up_before_anything_else() -> None:
    # A crash or timeout after the start went out: the instance may exist.
    client = RecordingClient()
    sink, producer = sink_with(client)
    sink.ledger[request().case_id] = {"state": "starting"}

    await sink.open_case(fake_event(), request())

    assert client.calls == ["lookup", "attach pi-found"]
    assert sink.ledger[request().case_id] == {"state": "open", "instance": "pi-found"}
    assert producer.sent[0][1].already_existed is True
    assert sink.stats["lookups"] == 1


async def test_an_open_case_gets_the_update_attached_without_a_lookup() -> None:
    client = RecordingClient()
    sink, producer = sink_with(client)
    sink.ledger[request().case_id] = {"state": "open", "instance": "pi-7"}

    await sink.open_case(fake_event(), request())

    assert client.calls == ["attach pi-7"]
    assert producer.sent[0][1].process_instance_id == "pi-7"
    assert sink.stats["attached"] == 1


async def test_after_a_failed_start_the_next_round_looks_up_instead_of_starting_again() -> None:
    client = RecordingClient(fail_starts=1)
    sink, _ = sink_with(client)

    await sink.open_case(fake_event(), request())

    assert client.calls == ["start", "lookup", "attach pi-found"]
    assert sink.stats["waits"] == 1


async def test_an_update_for_an_ended_instance_is_not_attached_and_not_a_failure() -> None:
    client = RecordingClient(ended=True)
    sink, producer = sink_with(client)
    sink.ledger[request().case_id] = {"state": "open", "instance": "pi-7"}

    await sink.open_case(fake_event(), request())

    assert client.calls == ["attach pi-7"]
    assert producer.sent == []
    assert sink.stats["after_end"] == 1


@pytest.mark.parametrize("timestamp", [STARTED_AT - 3600, None])
async def test_a_request_older_than_the_ledger_is_looked_up_first(timestamp: float | None) -> None:
    # Another app id, a reset offset or a lost changelog: the ledger cannot know
    # whether an earlier sink started this case.
    client = RecordingClient()
    sink, _ = sink_with(client)

    await sink.open_case(fake_event(timestamp), request())

    assert client.calls == ["lookup", "attach pi-found"]


async def test_the_epoch_of_a_partition_is_recorded_once() -> None:
    client = RecordingClient()
    sink, _ = sink_with(client)
    sink.ledger["#epoch:2"] = STARTED_AT - 100  # kept from an earlier run of this app id
    sink.started_at = STARTED_AT + 1000  # this process started later

    await sink.open_case(fake_event(STARTED_AT - 50), request())

    assert sink.ledger["#epoch:2"] == STARTED_AT - 100
    assert client.calls == ["start"]  # written after the epoch that was kept


def _auth_errors() -> float:
    value = REGISTRY.get_sample_value(
        "casebridge_opentext_auth_errors_total", {"agent": "sink-test"}
    )
    return value or 0.0


async def test_refused_credentials_wait_count_and_say_so_without_dead_lettering() -> None:
    """A gateway refusal is an operator problem: the case waits, it is never dead-lettered."""
    client = RecordingClient(refuse=3)
    sink, producer = sink_with(client)
    before = _auth_errors()

    await sink.open_case(fake_event(), request())

    # Refused three times (each retry looks up first: the start may have gone through).
    assert client.calls == ["start", "lookup", "lookup", "lookup", "attach pi-found"]
    assert sink.stats["auth_waits"] == 3
    assert sink.stats["dead_lettered"] == 0
    assert not any(topic.endswith(".dlq") for topic, *_ in producer.sent)
    assert _auth_errors() - before == 3
    notes = sink.notes  # type: ignore[attr-defined]
    assert notes[0].failing and "Invalid ApiKey" in (notes[0].last_error or "")
    assert notes[-1].failing is False and notes[-1].errors == 3
    assert sink.opentext_health.failing is False
