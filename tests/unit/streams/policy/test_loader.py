"""Loading policy files: the default file, TOML, and one-line errors naming the key."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from schemas.records import Priority, Severity
from streams.policy import Policy, PolicyError, default_policy, load_policy, parse_policy


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_yaml_loads_and_is_complete() -> None:
    policy = default_policy()
    assert policy.cases.ORDER_REVIEW.sla == timedelta(hours=4)
    assert policy.cases.ORDER_REVIEW.sla_for(Priority.URGENT) == timedelta(hours=1)
    assert policy.orders.review.value.absolute_threshold == Decimal("5000.00")
    assert "KP" in policy.orders.review.destination.countries
    assert policy.complaints.routing[0].severity is Severity.CRITICAL
    assert policy.content.claim_keywords["US"]
    assert policy.complaints.escalation_windows.of(Severity.CRITICAL) == timedelta(hours=2)


def test_bad_enum_names_file_and_key_path(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "policy.yaml",
        "complaints:\n  routing:\n    - {teams: [a]}\n    - {teams: [b]}\n"
        "    - {teams: [c], severity: SEVERE}\n",
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert message.startswith("policy.yaml: complaints.routing[2].severity: Input should be")
    assert "'CRITICAL'" in message and "SEVERE" in message
    assert "\n" not in message


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "p.yml", "orders:\n  review:\n    value:\n      min_sampels: 3\n")
    with pytest.raises(PolicyError, match=r"^p\.yml: orders\.review\.value\.min_sampels: unknown"):
        load_policy(path)


def test_bad_duration_names_the_key() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy("cases:\n  COMPLAINT: {teams: [cs], sla: 4x}\n", name="policy.yaml")
    assert str(caught.value).startswith("policy.yaml: cases.COMPLAINT.sla: invalid duration '4x'")


def test_bare_number_duration_is_refused() -> None:
    with pytest.raises(PolicyError, match=r"complaints\.repeat\.window: invalid duration 30"):
        parse_policy("complaints:\n  repeat: {window: 30}\n")


def test_bad_mapping_key_is_named() -> None:
    with pytest.raises(PolicyError, match=r"orders\.review\.risk\.levels\.EXTREME \(key\)"):
        parse_policy("orders:\n  review:\n    risk: {levels: {EXTREME: HIGH}}\n")


def test_bad_yaml_reports_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "policy.yaml", "version: 1\norders:\n  review: x\n    bad: y\n")
    with pytest.raises(PolicyError, match=r"^policy\.yaml: line 4, column \d+: "):
        load_policy(path)


def test_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"^nope\.yaml: cannot read policy file"):
        load_policy(tmp_path / "nope.yaml")


def test_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"unsupported policy file type '\.json'"):
        load_policy(_write(tmp_path, "policy.json", "{}"))


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="got an empty file"):
        load_policy(_write(tmp_path, "policy.yaml", "# nothing\n"))


def test_toml_policy_loads(tmp_path: Path) -> None:
    text = (
        "version = 1\n"
        "[orders.review.value]\n"
        'absolute_threshold = "100.50"\n'
        "min_samples = 5\n"
        "[cases.COMPLAINT]\n"
        'teams = ["support"]\n'
        'sla = "1d12h"\n'
    )
    policy = load_policy(_write(tmp_path, "policy.toml", text))
    assert policy.orders.review.value.absolute_threshold == Decimal("100.50")
    assert policy.cases.COMPLAINT.sla == timedelta(hours=36)


def test_bad_toml_names_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"^policy\.toml: .*line 2"):
        load_policy(_write(tmp_path, "policy.toml", "version = 1\n[cases\n"))


def test_defaults_without_file_are_valid() -> None:
    policy = Policy()
    assert policy.orders.review.teams.risk == ["fraud"]
    assert not policy.fulfillment.open_on_cancelled


def test_more_errors_are_counted() -> None:
    with pytest.raises(PolicyError, match=r"\(\+1 more\)$"):
        parse_policy("version: 2\nfoo: 1\n")


def test_duplicate_yaml_key_is_refused() -> None:
    text = "version: 1\norders:\n  review: {}\norders:\n  high_value: {}\n"
    with pytest.raises(
        PolicyError, match=r"^policy\.yaml: line 4, column 1: duplicate key 'orders'"
    ):
        parse_policy(text)


def test_default_policy_tells_customers_by_email() -> None:
    notices = default_policy().decisions.customer_notifications
    assert notices.channel == "email"
    assert "{order}" in notices.reject_subject and notices.clarification_tag


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (
            "decisions: {customer_notifications: {channel: sms}}",
            "decisions.customer_notifications.channel: Input should be 'email' or 'none'",
        ),
        (
            'decisions: {customer_notifications: {reject_subject: "Order {id}"}}',
            "decisions.customer_notifications.reject_subject: 'Order {id}': unknown",
        ),
    ],
)
def test_bad_notification_channel_or_subject_names_the_key(yaml_text: str, expected: str) -> None:
    with pytest.raises(PolicyError, match=expected.replace("{", r"\{").replace("}", r"\}")):
        parse_policy(yaml_text)
