"""Engine tests: starting, completing, multi-step approval, history state."""

from __future__ import annotations

import pytest

from emulators.opentext.clock import FrozenClock
from emulators.opentext.config import EmulatorConfig
from emulators.opentext.errors import ConflictError, InvalidRequestError, NotFoundError
from emulators.opentext.state import Completion, Engine, ModelDefinition
from emulators.opentext.variables import Variable


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def engine(clock: FrozenClock) -> Engine:
    return Engine(EmulatorConfig(), clock)


def _model(engine: Engine, key: str) -> ModelDefinition:
    return engine.resolve_model(key=key, definition_id=None, message=None)


def test_default_models_cover_all_case_types(engine: Engine) -> None:
    case_types = {m.config.case_type for m in engine.models()}
    assert case_types == {
        "ORDER_REVIEW",
        "HIGH_VALUE_REVIEW",
        "RETURN_REVIEW",
        "COMPLAINT",
        "FULFILLMENT_EXCEPTION",
        "CONTENT_REVIEW",
        "OFFLINE_ORDER",
        "CHARGEBACK",
    }
    for model in engine.models():
        key, version, uid = model.id.split(":")
        assert (key, int(version)) == (model.key, model.version)
        assert len(uid) == 36


def test_resolve_model_needs_exactly_one_way(engine: Engine) -> None:
    with pytest.raises(InvalidRequestError):
        engine.resolve_model(key=None, definition_id=None, message=None)
    with pytest.raises(InvalidRequestError):
        engine.resolve_model(key="casebridge.order_review", definition_id="x", message=None)
    with pytest.raises(NotFoundError):
        engine.resolve_model(key="nope", definition_id=None, message=None)
    by_message = engine.resolve_model(
        key=None, definition_id=None, message="casebridge.offline_order.start"
    )
    assert by_message.key == "casebridge.offline_order"
    by_id = engine.resolve_model(key=None, definition_id=by_message.id, message=None)
    assert by_id is by_message


def test_start_opens_first_task_for_the_teams(engine: Engine) -> None:
    model = _model(engine, "casebridge.order_review")
    instance = engine.start(
        model, business_key="case-1", variables=[Variable("orderTotal", "double", 12.5)]
    )
    assert instance.variables["orderTotal"].value == 12.5
    (task,) = [t for t in engine.tasks() if t.instance is instance]
    assert task.step.candidate_groups == ("fraud", "finance", "operations")
    assert not task.finished


def test_complete_ends_instance_with_outcome(engine: Engine, clock: FrozenClock) -> None:
    heard: list[Completion] = []
    engine.add_completion_listener(heard.append)
    model = _model(engine, "casebridge.return_review")
    instance = engine.start(model, business_key="case-2")
    task = engine.tasks()[0]
    clock.advance(3)
    completion = engine.complete(
        task.id, "declined", [Variable("note", "string", "too late", "local")]
    )
    assert completion.instance_ended
    assert instance.ended and instance.completed
    assert instance.variables["approvalStatus"].value == "declined"
    assert "note" not in instance.variables
    assert task.local_variables["note"].value == "too late"
    assert instance.duration_ms() == 3000
    assert heard == [completion]


def test_high_value_review_is_two_steps(engine: Engine) -> None:
    model = _model(engine, "casebridge.high_value_review")
    instance = engine.start(model, business_key="case-3")
    first = engine.tasks()[0]
    assert first.step.candidate_groups == ("sales",)
    completion = engine.complete(first.id, "approved")
    assert not completion.instance_ended
    second = [t for t in engine.tasks() if not t.finished]
    assert len(second) == 1
    assert "finance" in second[0].step.candidate_groups
    engine.complete(second[0].id, "approved")
    assert instance.ended
    assert instance.end_activity_id == "end_approved"


def test_rejecting_first_step_ends_multi_step_instance(engine: Engine) -> None:
    model = _model(engine, "casebridge.high_value_review")
    instance = engine.start(model)
    engine.complete(engine.tasks()[0].id, "rejected")
    assert instance.ended
    assert all(t.finished for t in engine.tasks())
    assert len(engine.tasks()) == 1


def test_outcome_from_variable(engine: Engine) -> None:
    model = _model(engine, "casebridge.order_review")
    instance = engine.start(model)
    engine.complete(engine.tasks()[0].id, None, [Variable("approvalStatus", "string", "rejected")])
    assert instance.variables["approvalStatus"].value == "rejected"


def test_complete_refusals(engine: Engine) -> None:
    model = _model(engine, "casebridge.order_review")
    instance = engine.start(model)
    task = engine.tasks()[0]
    with pytest.raises(InvalidRequestError):
        engine.complete(task.id, None)
    with pytest.raises(InvalidRequestError):
        engine.complete(task.id, "maybe")
    engine.set_suspended(instance.id, True)
    with pytest.raises(ConflictError):
        engine.complete(task.id, "approved")
    with pytest.raises(ConflictError):
        engine.set_suspended(instance.id, True)
    engine.set_suspended(instance.id, False)
    engine.complete(task.id, "approved")
    with pytest.raises(ConflictError):
        engine.complete(task.id, "approved")
    with pytest.raises(NotFoundError):
        engine.complete("no-such-task", "approved")


def test_claim(engine: Engine) -> None:
    model = _model(engine, "casebridge.order_review")
    engine.start(model)
    task = engine.tasks()[0]
    engine.claim(task.id, "ann@example.com")
    engine.claim(task.id, "ann@example.com")
    with pytest.raises(ConflictError):
        engine.claim(task.id, "bob@example.com")
    engine.claim(task.id, None)
    assert task.assignee is None


def test_terminate_cancels_open_task(engine: Engine) -> None:
    model = _model(engine, "casebridge.complaint")
    instance = engine.start(model)
    engine.terminate(instance.id, "duplicate")
    assert instance.ended and not instance.completed
    assert instance.delete_reason == "duplicate"
    assert engine.tasks()[0].finished
    with pytest.raises(NotFoundError):
        engine.instance(instance.id, include_ended=False)
    with pytest.raises(NotFoundError):
        engine.terminate(instance.id, None)


def test_reset_forgets_cases(engine: Engine) -> None:
    model = _model(engine, "casebridge.complaint")
    engine.start(model)
    engine.reset()
    assert engine.instances() == [] and engine.tasks() == []
