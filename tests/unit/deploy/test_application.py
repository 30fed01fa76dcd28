"""What the deployment checks know of casebridge: facts asked of it, never imported."""

from __future__ import annotations

import pytest

from deploy.check.application import Application, from_process
from streams.deploy_facts import main as facts_main
from tests.unit.deploy.application import APP


def test_a_mapping_setting_takes_any_key_and_a_nested_model_is_no_setting() -> None:
    assert APP.setting_kind("CASEBRIDGE_OPENTEXT__MODELS") == "mapping"
    assert APP.setting_kind("CASEBRIDGE_OPENTEXT__MODELS__ORDER_REVIEW") == "mapping"
    assert APP.setting_kind("CASEBRIDGE_INGRESS__WEBHOOK_SECRETS") == "list"
    assert APP.setting_kind("CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS") == "scalar"
    assert APP.setting_kind("CASEBRIDGE_KAFKA") is None  # a section, not a setting
    assert APP.setting_kind("CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS__X") is None


def test_the_facts_name_roles_topics_and_defaults() -> None:
    assert {"ingress", "classify", "sink", "writer"} <= APP.roles
    assert set(APP.default_roles) <= APP.roles
    assert "cases.requests" in APP.topics
    assert (APP.web_port, APP.app_id, APP.default_partitions) == (6066, "casebridge", 6)


@pytest.mark.slow
def test_the_process_gives_the_same_facts_and_checks_exactly_the_given_env(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The caller's own casebridge variables must not leak into the checked environment.
    monkeypatch.setenv("CASEBRIDGE_WEB_PORT", "not-a-port")

    app = from_process()

    assert isinstance(app, Application)
    assert app == APP  # load_error is left out of the comparison
    assert app.load_error({"CASEBRIDGE_KAFKA__DEFAULT_PARTITIONS": "12"}) is None
    error = app.load_error({"CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS": "kafka"})
    assert error is not None and "CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS" in error
    assert "\n" not in error


def test_an_unknown_facts_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert facts_main(["nope"]) == 2
    assert "usage:" in capsys.readouterr().err
