"""The history poller against a fake history: decisions, multi-step, watermark."""

from __future__ import annotations

from datetime import timedelta

from schemas.records import ActionKind, CaseType, DecisionSource, PaymentStatus
from streams.decisions import (
    CompletedTask,
    DecisionBuilder,
    OfflineIntakeError,
    UnmappedOutcomeError,
)
from streams.decisions.source import HistoryPoller
from streams.runtime.keys import hold_handle
from tests.unit.streams.decisions.fakes import MODEL_KEYS, T0, FakeHistory, at, offline_values

ORDER_KEY = MODEL_KEYS[CaseType.ORDER_REVIEW]
HV_KEY = MODEL_KEYS[CaseType.HIGH_VALUE_REVIEW]
OFFLINE_KEY = MODEL_KEYS[CaseType.OFFLINE_ORDER]
ORDER_VARS = {"shop": "demo.myshopify.com", "orderId": "1001", "fulfillmentOrderIds": ["7"]}


def poller(history: FakeHistory, **options: object) -> HistoryPoller:
    return HistoryPoller(history, MODEL_KEYS, clock=lambda: at(60), **options)  # type: ignore[arg-type]


async def test_a_finished_review_becomes_one_decision_with_actions() -> None:
    history = FakeHistory()
    instance = history.add_instance(
        ORDER_KEY, "ORDER_REVIEW-abc", {**ORDER_VARS, "approvalStatus": "approved"}, ended=at(10)
    )
    task = history.add_task(instance, "orderReview", "approved", ended=at(10))

    decisions, watermark = await poller(history).poll(None)

    assert len(decisions) == 1
    decision = decisions[0]
    assert decision.decision_id == f"ORDER_REVIEW-abc:{task.id}"
    assert decision.case_id == "ORDER_REVIEW-abc"
    assert decision.case_type is CaseType.ORDER_REVIEW
    assert decision.shop == "demo.myshopify.com"
    assert decision.outcome == "approved"
    assert decision.decided_by == "alice@example.com"
    assert decision.decided_at == at(10)
    assert decision.source is DecisionSource.HISTORY_POLL
    assert decision.process_instance_id == instance.id
    assert [a.kind for a in decision.actions] == [ActionKind.RELEASE_HOLD, ActionKind.ADD_TAGS]
    assert decision.actions[0].params_dict()["handle"] == hold_handle("ORDER_REVIEW-abc")
    assert watermark == at(10)


async def test_watermark_rereads_with_overlap_and_duplicates_keep_their_id() -> None:
    history = FakeHistory()
    instance = history.add_instance(ORDER_KEY, "ORDER_REVIEW-abc", ORDER_VARS, ended=at(10))
    history.add_task(instance, "orderReview", "approved", ended=at(10))
    source = poller(history, overlap=timedelta(seconds=3))

    first, watermark = await source.poll(None)
    assert watermark == at(10)
    again, same_watermark = await source.poll(watermark)

    # Read again from 3 s before the watermark: already handled by this poller, so
    # nothing is built twice (and no task history is read for it again).
    assert history.instance_queries[-1]["finished_after"] == at(7)
    assert again == []
    assert len(history.task_queries) == 1
    assert same_watermark == at(10)

    # A new poller (a restart, another leader) builds it again under the same id.
    rebuilt, _ = await poller(history, overlap=timedelta(seconds=3)).poll(watermark)
    assert [d.decision_id for d in rebuilt] == [d.decision_id for d in first]
    assert rebuilt[0].actions == first[0].actions

    # Beyond the overlap nothing is read again; the watermark only moves forward.
    later = history.add_instance(ORDER_KEY, "ORDER_REVIEW-def", ORDER_VARS, ended=at(20))
    history.add_task(later, "orderReview", "rejected", ended=at(20))
    newer, next_watermark = await source.poll(at(15))
    assert [d.case_id for d in newer] == ["ORDER_REVIEW-def"]
    assert next_watermark == at(20)


async def test_empty_poll_keeps_the_watermark() -> None:
    assert await poller(FakeHistory()).poll(at(5)) == ([], at(5))
    assert await poller(FakeHistory()).poll(None) == ([], None)


async def test_intermediate_approval_produces_no_decision() -> None:
    history = FakeHistory()
    running = history.add_instance(HV_KEY, "HIGH_VALUE_REVIEW-1", ORDER_VARS, ended=None)
    history.add_task(running, "salesApproval", "approved", ended=at(5))
    history.add_task(running, "financeApproval", None, ended=None)

    decisions, _ = await poller(history).poll(None)

    assert decisions == []


async def test_multi_step_final_outcome_is_the_last_completed_task() -> None:
    history = FakeHistory()
    instance = history.add_instance(HV_KEY, "HIGH_VALUE_REVIEW-1", ORDER_VARS, ended=at(9))
    history.add_task(instance, "salesApproval", "approved", ended=at(9), started=at(0))
    # Same millisecond: the later-created step is the final one.
    final = history.add_task(
        instance,
        "financeApproval",
        "rejected",
        ended=at(9),
        started=at(9),
        local={"reason": "payment not verified"},
    )

    decisions, _ = await poller(history).poll(None)

    assert len(decisions) == 1
    assert decisions[0].task_id == final.id
    assert decisions[0].outcome == "rejected"
    assert decisions[0].actions[0].kind is ActionKind.CANCEL_ORDER


async def test_rejection_at_the_first_step_is_final() -> None:
    history = FakeHistory()
    instance = history.add_instance(HV_KEY, "HIGH_VALUE_REVIEW-2", ORDER_VARS, ended=at(4))
    first = history.add_task(
        instance, "salesApproval", "rejected", ended=at(4), local={"reason": "not verified"}
    )

    decisions, _ = await poller(history).poll(None)

    assert [d.task_id for d in decisions] == [first.id]
    assert decisions[0].actions[0].kind is ActionKind.CANCEL_ORDER


async def test_missing_task_history_holds_the_watermark_until_it_appears() -> None:
    history = FakeHistory()
    done = history.add_instance(ORDER_KEY, "ORDER_REVIEW-a", ORDER_VARS, ended=at(10))
    history.add_task(done, "orderReview", "approved", ended=at(10))
    lagging = history.add_instance(ORDER_KEY, "ORDER_REVIEW-b", ORDER_VARS, ended=at(8))

    batch = await poller(history).poll_batch(None)
    assert batch.pending == [lagging.id]
    assert batch.watermark == at(8)

    history.add_task(lagging, "orderReview", "approved", ended=at(8))
    batch = await poller(history).poll_batch(batch.watermark)
    assert {d.case_id for d in batch.decisions} == {"ORDER_REVIEW-a", "ORDER_REVIEW-b"}
    assert batch.watermark == at(10)


async def test_missing_task_history_beyond_the_grace_is_a_failure() -> None:
    history = FakeHistory()
    history.add_instance(ORDER_KEY, "ORDER_REVIEW-b", ORDER_VARS, ended=at(8))
    source = poller(history, pending_grace=timedelta(seconds=30))

    batch = await source.poll_batch(None)

    assert batch.pending == []
    assert [f.case_id for f in batch.failures] == ["ORDER_REVIEW-b"]
    assert batch.watermark == at(8)


async def test_terminated_instances_and_task_local_variables() -> None:
    history = FakeHistory()
    history.add_instance(ORDER_KEY, "ORDER_REVIEW-x", ORDER_VARS, ended=at(3), delete_reason="x")
    instance = history.add_instance(ORDER_KEY, "ORDER_REVIEW-y", ORDER_VARS, ended=at(4))
    history.add_task(
        instance,
        "orderReview",
        None,
        ended=at(4),
        local={"approvalStatus": "corrected", "note": "n"},
    )

    batch = await poller(history).poll_batch(None)

    assert len(batch.skipped) == 1
    assert [d.outcome for d in batch.decisions] == ["corrected"]
    assert batch.decisions[0].actions[0].kind is ActionKind.UPDATE_ORDER


async def test_unmapped_outcome_becomes_a_replayable_failure() -> None:
    history = FakeHistory()
    instance = history.add_instance(ORDER_KEY, "ORDER_REVIEW-z", ORDER_VARS, ended=at(4))
    task = history.add_task(instance, "orderReview", "perhaps", ended=at(4))

    batch = await poller(history).poll_batch(None)

    assert batch.decisions == []
    (failure,) = batch.failures
    assert isinstance(failure.error, UnmappedOutcomeError)
    assert failure.decision_id == f"ORDER_REVIEW-z:{task.id}"
    replay = CompletedTask.from_json(failure.payload)
    assert replay.outcome == "perhaps" and replay.case_type is CaseType.ORDER_REVIEW
    assert failure.error_type == "UnmappedOutcomeError"


async def test_no_shop_uses_the_default_or_fails() -> None:
    history = FakeHistory()
    instance = history.add_instance(ORDER_KEY, "ORDER_REVIEW-s", {"orderId": "1"}, ended=at(4))
    history.add_task(instance, "orderReview", "approved", ended=at(4))

    assert (await poller(history).poll_batch(None)).failures[0].reason.startswith("no 'shop'")
    builder = DecisionBuilder(default_shop="fallback.myshopify.com")
    batch = await poller(history, builder=builder).poll_batch(None)
    assert batch.decisions[0].shop == "fallback.myshopify.com"


async def test_approved_offline_intake_becomes_an_offline_order() -> None:
    history = FakeHistory()
    instance = history.add_instance(OFFLINE_KEY, "OFFLINE_ORDER-1", offline_values(), ended=at(6))
    history.add_task(instance, "offlineOrderApproval", "approved", ended=at(6), assignee="bob")

    batch = await poller(history).poll_batch(None)

    assert [a.kind for a in batch.decisions[0].actions] == [ActionKind.CREATE_ORDER]
    (order,) = batch.offline_orders
    assert order.intake_case_id == "OFFLINE_ORDER-1"
    assert order.currency == "EUR"
    assert order.payment_status is PaymentStatus.PENDING
    assert order.customer.email == "buyer@example.com"
    assert order.customer.shipping_address is not None
    assert order.line_items[1].variant_id == "222"
    assert order.line_items[1].price_override == "9.5"
    assert order.tags == ["phone", "wholesale", "casebridge:offlineOrderApproval:OFFLINE_ORDER-1"]
    assert order.approved_at == at(6)


async def test_invalid_offline_intake_is_a_clear_failure() -> None:
    history = FakeHistory()
    values = offline_values(
        currency="euro",
        lineItems=[
            {"variantId": "1", "quantity": 0},
            {"variantId": "2", "quantity": 1, "priceOverride": "5"},
        ],
        customer={"firstName": "Ada"},
    )
    instance = history.add_instance(OFFLINE_KEY, "OFFLINE_ORDER-2", values, ended=at(6))
    history.add_task(instance, "offlineOrderApproval", "approved", ended=at(6))

    batch = await poller(history).poll_batch(None)

    assert batch.decisions == [] and batch.offline_orders == []
    (failure,) = batch.failures
    assert isinstance(failure.error, OfflineIntakeError)
    problems = "\n".join(failure.error.problems)
    assert "currency" in problems
    assert "lineItems[0].quantity" in problems
    assert "priceOverride needs an overrideReason" in problems
    assert "customer: needs customerId, email or phone" in problems
    assert failure.reason.startswith("offline order intake is invalid")


async def test_rejected_offline_intake_creates_nothing() -> None:
    history = FakeHistory()
    instance = history.add_instance(OFFLINE_KEY, "OFFLINE_ORDER-3", offline_values(), ended=at(6))
    history.add_task(instance, "offlineOrderApproval", "rejected", ended=at(6))

    batch = await poller(history).poll_batch(None)

    assert [d.actions for d in batch.decisions] == [[]]
    assert batch.offline_orders == []


def test_since_applies_the_overlap() -> None:
    source = HistoryPoller(FakeHistory(), MODEL_KEYS, overlap=timedelta(seconds=5))
    assert source.since(T0) == T0 - timedelta(seconds=5)
    assert source.since(None) is None


async def test_team_comes_from_the_case_variables() -> None:
    history = FakeHistory()
    values = {**ORDER_VARS, "teams": ["finance", "operations"]}
    instance = history.add_instance(ORDER_KEY, "ORDER_REVIEW-t", values, ended=at(4))
    history.add_task(instance, "orderReview", "approved", ended=at(4))
    explicit = history.add_instance(
        ORDER_KEY, "ORDER_REVIEW-u", {**values, "decidedByTeam": "fraud"}, ended=at(5)
    )
    history.add_task(explicit, "orderReview", "approved", ended=at(5))

    decisions, _ = await poller(history).poll(None)

    assert [d.team for d in decisions] == ["finance", "fraud"]
    assert decisions[0].actions[-1].params_dict() == {"tags": ["casebridge:finance:ORDER_REVIEW-t"]}
