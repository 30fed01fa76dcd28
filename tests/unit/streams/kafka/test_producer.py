"""AsyncProducer: delivery reports are served on the event loop while records are in flight."""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable
from typing import Any

import pytest

from streams.kafka import producer as producer_module
from streams.kafka.producer import AsyncProducer, ProduceError

DeliveryCallback = Callable[[Any, Any], None]


class FakeError:
    def str(self) -> str:
        return "Broker: Not enough in-sync replicas"


class FakeProducer:
    """Queues each record's delivery report; poll()/flush() serve the acknowledged ones."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.produced: list[tuple[str, dict[str, Any]]] = []
        self.acked: list[tuple[DeliveryCallback, Any, Any]] = []
        self.polls: list[tuple[float, int]] = []  # (timeout, thread)

    def produce(self, topic: str, **kwargs: Any) -> None:
        self.produced.append((topic, kwargs))

    def ack(self, index: int = -1, error: Any = None) -> None:
        """The broker answered record ``index``: its report waits for the next poll."""
        _topic, kwargs = self.produced[index]
        self.acked.append((kwargs["on_delivery"], error, f"msg-{kwargs['value']!r}"))

    def poll(self, timeout: float) -> int:
        self.polls.append((timeout, threading.get_ident()))
        served, self.acked = self.acked, []
        for callback, error, msg in served:
            callback(error, msg)
        return len(served)

    def flush(self, timeout: float) -> int:
        self.poll(0)
        return 0


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> list[FakeProducer]:
    made: list[FakeProducer] = []

    def factory(config: dict[str, Any]) -> FakeProducer:
        made.append(FakeProducer(config))
        return made[-1]

    monkeypatch.setattr(producer_module, "Producer", factory)
    return made


async def wait_for(condition: Callable[[], bool], timeout_s: float = 1.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.001)


async def test_send_returns_the_acknowledged_message(fake: list[FakeProducer]) -> None:
    producer = AsyncProducer({"bootstrap.servers": "x"})
    kafka = fake[0]
    assert kafka.config["acks"] == "all" and kafka.config["enable.idempotence"] is True

    sending = asyncio.create_task(producer.send("t", b"v", key=b"k", headers=[("h", b"1")]))
    await wait_for(lambda: len(kafka.produced) == 1)
    assert kafka.produced[0][1]["headers"] == [("h", b"1")]
    assert not sending.done()  # not before the broker acknowledged it

    kafka.ack()
    assert await asyncio.wait_for(sending, 1) == "msg-b'v'"


async def test_reports_are_served_on_the_loop_thread_without_a_poll_thread(
    fake: list[FakeProducer],
) -> None:
    threads_before = {t.ident for t in threading.enumerate()}
    producer = AsyncProducer({"bootstrap.servers": "x"})
    kafka = fake[0]
    sending = asyncio.create_task(producer.send("t", b"v"))
    await wait_for(lambda: len(kafka.produced) == 1)
    kafka.ack()
    await asyncio.wait_for(sending, 1)

    assert {t.ident for t in threading.enumerate()} <= threads_before
    assert kafka.polls and {thread for _, thread in kafka.polls} == {threading.get_ident()}
    assert {timeout for timeout, _ in kafka.polls} == {0}  # never blocks the loop


async def test_polling_stops_once_nothing_is_in_flight(fake: list[FakeProducer]) -> None:
    producer = AsyncProducer({"bootstrap.servers": "x"})
    kafka = fake[0]
    await asyncio.sleep(0.02)
    assert kafka.polls == []  # idle: no timer at all

    sending = asyncio.gather(producer.send("t", b"1"), producer.send("t", b"2"))
    await wait_for(lambda: len(kafka.produced) == 2)
    kafka.ack(0)
    await wait_for(lambda: len(kafka.polls) >= 3)  # still polling for the second record
    kafka.ack(1)
    await asyncio.wait_for(sending, 1)

    polls = len(kafka.polls)
    await asyncio.sleep(0.02)
    assert len(kafka.polls) == polls


async def test_a_refused_record_raises(fake: list[FakeProducer]) -> None:
    producer = AsyncProducer({"bootstrap.servers": "x"})
    kafka = fake[0]
    sending = asyncio.create_task(producer.send("shopify.webhooks", b"v"))
    await wait_for(lambda: len(kafka.produced) == 1)
    kafka.ack(error=FakeError())

    with pytest.raises(ProduceError, match=r"shopify\.webhooks: Broker: Not enough in-sync"):
        await asyncio.wait_for(sending, 1)


async def test_a_cancelled_sender_does_not_keep_the_loop_polling(
    fake: list[FakeProducer],
) -> None:
    producer = AsyncProducer({"bootstrap.servers": "x"})
    kafka = fake[0]
    sending = asyncio.create_task(producer.send("t", b"v"))
    await wait_for(lambda: len(kafka.produced) == 1)
    sending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sending

    kafka.ack()  # the report still arrives and is counted
    await asyncio.sleep(0.01)
    polls = len(kafka.polls)
    await asyncio.sleep(0.02)
    assert len(kafka.polls) == polls


async def test_a_report_served_on_another_thread_reaches_the_loop(
    fake: list[FakeProducer],
) -> None:
    producer = AsyncProducer({"bootstrap.servers": "x"})
    kafka = fake[0]
    sending = asyncio.create_task(producer.send("t", b"v"))
    await wait_for(lambda: len(kafka.produced) == 1)
    delivered = kafka.produced[0][1]["on_delivery"]
    # As a flush() called from another thread would run it.
    other = threading.Thread(target=delivered, args=(None, "msg-from-flush"))
    other.start()
    other.join()

    assert await asyncio.wait_for(sending, 1) == "msg-from-flush"
    await asyncio.sleep(0.01)  # the tick already scheduled may still run once
    polls = len(kafka.polls)
    await asyncio.sleep(0.02)
    assert len(kafka.polls) == polls  # settled: the loop stopped polling


async def test_close_serves_the_outstanding_reports(fake: list[FakeProducer]) -> None:
    producer = AsyncProducer({"bootstrap.servers": "x"})
    kafka = fake[0]
    sending = asyncio.create_task(producer.send("t", b"v"))
    await wait_for(lambda: len(kafka.produced) == 1)
    kafka.ack()
    producer.close()  # on the loop's thread, as Services.aclose does

    assert await asyncio.wait_for(sending, 1) == "msg-b'v'"


async def test_close_flushes_then_lets_go_of_librdkafka(fake: list[FakeProducer]) -> None:
    producer = AsyncProducer({"bootstrap.servers": "x"})
    sending = asyncio.create_task(producer.send("t", b"v"))
    await wait_for(lambda: len(fake[0].produced) == 1)
    fake[0].ack()
    handle = weakref.ref(fake.pop())
    producer.close()
    assert (await sending) == "msg-b'v'"  # served by the flush
    # The producer let go of the handle: a tracker keeping the producer reachable no
    # longer keeps librdkafka's threads running (and logging) after the stage stopped.
    assert handle() is None
    with pytest.raises(ProduceError, match="t: the producer is closed"):
        await producer.send("t", b"late")
