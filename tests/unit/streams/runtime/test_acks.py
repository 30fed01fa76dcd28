"""InOrderAcks: Faust sees each partition's acknowledgements in offset order."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from streams.runtime.acks import InOrderAcks


def event(acked: list[tuple[int, int]], partition: int, offset: int) -> Any:
    message = SimpleNamespace(topic="cases.requests", partition=partition, offset=offset)
    return SimpleNamespace(message=message, ack=lambda: acked.append((partition, offset)))


def test_a_record_finished_early_waits_for_the_records_before_it() -> None:
    acked: list[tuple[int, int]] = []
    acks = InOrderAcks()
    first, second, third = (acks.track(event(acked, 0, o)) for o in (10, 11, 12))

    third()
    second()
    assert acked == []  # 10 is still in flight: committing past it would lose it on a crash
    first()
    assert acked == [(0, 10), (0, 11), (0, 12)]
    assert acks.in_flight() == 0


def test_partitions_do_not_hold_each_other_back() -> None:
    acked: list[tuple[int, int]] = []
    acks = InOrderAcks()
    slow = acks.track(event(acked, 0, 5))
    fast = acks.track(event(acked, 1, 7))

    fast()
    assert acked == [(1, 7)]
    slow()
    assert acked == [(1, 7), (0, 5)]


def test_a_record_never_done_holds_back_the_rest_of_its_partition() -> None:
    acked: list[tuple[int, int]] = []
    acks = InOrderAcks()
    acks.track(event(acked, 0, 1))  # its job failed: never done
    later = acks.track(event(acked, 0, 2))

    later()
    assert acked == []
    assert acks.in_flight() == 2


# --- AckGate: Faust's own acknowledgements of a keyed agent's records ---------------------------


def faust_message(topic: str, offset: int) -> Any:
    from faust.types.tuples import Message

    return Message(topic, 0, offset, 0.0, 0, None, b"k", b"v", None)


def gated_app() -> Any:
    from streams.app import create_app
    from streams.settings import Settings

    return create_app(Settings(), app_id="cbtest-ack-gate")


def test_a_record_faust_skipped_is_not_acknowledged_behind_the_agents_back() -> None:
    # Faust acknowledges a record its stream skips (flow suspended by a rebalance or a
    # stop, an older generation); committing that ack would lose the record.
    app = gated_app()
    app.ack_gate.gate(["cases.decisions"])
    skipped = faust_message("cases.decisions", 4)

    assert app.consumer.ack(skipped) is False
    assert not skipped.acked  # uncommitted: read again by the partition's next owner


def test_the_agents_in_order_ack_reaches_faust_through_the_gate() -> None:
    app = gated_app()
    app.ack_gate.gate(["cases.decisions"])
    message = faust_message("cases.decisions", 4)
    done = InOrderAcks().track(
        SimpleNamespace(message=message, ack=lambda: app.consumer.ack(message))
    )

    done()
    assert message.acked


def test_topics_no_keyed_agent_gated_are_acknowledged_by_faust_as_before() -> None:
    app = gated_app()
    app.ack_gate.gate(["cases.decisions"])
    state = faust_message("cases.state", 9)

    app.consumer.ack(state)
    assert state.acked
