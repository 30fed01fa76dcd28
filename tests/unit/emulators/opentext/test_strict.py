"""The emulator's strict modes, on the engine and its HAL lists (no sockets)."""

from __future__ import annotations

import pytest
from yarl import URL

from emulators.opentext.auth import TokenIssuer
from emulators.opentext.clock import FrozenClock
from emulators.opentext.config import ClientConfig, EmulatorConfig, StrictConfig
from emulators.opentext.errors import ConflictError, NotFoundError, OAuthError
from emulators.opentext.hal import PageRequest, hal_list, history_page
from emulators.opentext.state import Engine
from emulators.opentext.views import Views

STRICT = EmulatorConfig(strict=StrictConfig.every())
PAGE = PageRequest(offset=10, count=10, sort="endTime", order="desc")


def engine(config: EmulatorConfig) -> Engine:
    return Engine(config, FrozenClock())


def test_every_switches_them_all_on() -> None:
    assert all(StrictConfig.every().model_dump().values())
    assert not any(StrictConfig().model_dump().values())


def test_a_task_lives_in_a_child_process_of_the_case() -> None:
    strict = engine(STRICT)
    model = strict.models(key="casebridge.order_review")[0]
    case = strict.start(model, business_key="c-1")
    (task,) = strict.tasks()
    child = task.home
    assert child is not case and child.super_instance is case
    assert child.business_key is None and child.model.key == "casebridge.order_review.task"
    assert not task.in_process(case.id) and task.in_process(case.id, with_children=True)
    strict.complete(task.id, "rejected")
    assert child.ended and case.ended
    assert case.delete_reason == "terminate end event (terminate_rejected)"
    body = Views(STRICT).historic_task(task, URL("http://x"), include_local_variables=True)
    assert "outcome" not in body and body["processInstanceId"] == child.id


def test_a_replayed_completion_is_404_strict_and_409_by_default() -> None:
    for config, error in ((STRICT, NotFoundError), (EmulatorConfig(), ConflictError)):
        emu = engine(config)
        emu.start(emu.models(key="casebridge.order_review")[0], business_key="c-2")
        (task,) = emu.tasks()
        emu.complete(task.id, "approved")
        with pytest.raises(error):
            emu.complete(task.id, "approved")


def test_history_pages_ignore_sort_and_offset_and_lists_leave_totals_out() -> None:
    assert history_page(PAGE, ignore_sort=True, ignore_offset=True) == PageRequest(
        offset=0, count=10, sort="id", order="asc"
    )
    assert history_page(PAGE, ignore_sort=False, ignore_offset=False) == PAGE
    body = hal_list("x", [], total=50, page=PAGE, url=URL("http://e/l?offset=10"), totals=False)
    assert "totalElements" not in body["page"] and "next" not in body["_links"]
    full = hal_list("x", [], total=50, page=PAGE, url=URL("http://e/l?offset=10"))
    assert full["page"]["totalElements"] == 50 and "next" in full["_links"]


def test_each_client_sees_its_own_groups() -> None:
    config = EmulatorConfig(
        client_groups=("fraud",),
        clients={"reviewer": ClientConfig(client_secret="s", candidate_groups=("finance",))},
    )
    issuer = TokenIssuer(config, FrozenClock())
    form = {"grant_type": "client_credentials", "client_id": "reviewer", "client_secret": "s"}
    reviewer = issuer.issue(config.tenant_id, form)
    main = issuer.issue(
        config.tenant_id,
        {**form, "client_id": config.client_id, "client_secret": config.client_secret},
    )
    assert issuer.groups_of(reviewer) == ("finance",)
    assert issuer.groups_of(main) == ("fraud",)
    with pytest.raises(OAuthError):
        issuer.issue(config.tenant_id, {**form, "client_secret": "wrong"})
    emu = engine(config)
    emu.start(emu.models(key="casebridge.return_review")[0], business_key="r-1")
    (task,) = emu.tasks()
    assert not task.visible_to(issuer.groups_of(reviewer))
    assert task.visible_to(None)
