"""The policy entries of returns (window, warranty), complaints (segment from tags),
disputes (final statuses) and decisions (replacement): defaults on, bad values named."""

from __future__ import annotations

import pytest

from streams.policy import PolicyError, default_policy, parse_policy


def test_the_default_policy_turns_them_on() -> None:
    policy = default_policy()
    assert policy.returns.window_days == 30
    warranty = policy.returns.warranty
    assert (warranty.metafield_namespace, warranty.metafield_key) == (
        "casebridge",
        "warranty_months",
    )
    assert warranty.product_type_months["Electronics"] == 24
    assert policy.complaints.segment_from_tags is True
    assert policy.disputes.final_statuses == ["won", "lost", "accepted"]
    replacement = policy.decisions.replacement
    assert (replacement.mode, replacement.free_of_charge, replacement.tag) == (
        "complete",
        True,
        "return-replacement",
    )


def test_statuses_are_lower_cased_and_the_window_can_be_switched_off() -> None:
    policy = parse_policy("returns: {window_days: null}\ndisputes: {final_statuses: [WON, Lost]}\n")
    assert policy.returns.window_days is None
    assert policy.disputes.final_statuses == ["won", "lost"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("returns: {window_days: 0}", r"returns\.window_days: Input should be greater than"),
        ("returns: {window_days: soon}", r"returns\.window_days: Input should be a valid integer"),
        (
            "returns: {warranty: {product_type_months: {Electronics: 2000}}}",
            r"returns\.warranty\.product_type_months\.Electronics: Input should be less than",
        ),
        (
            "returns: {warranty: {default_months: -1}}",
            r"returns\.warranty\.default_months: Input should be greater than",
        ),
        (
            "returns: {warranty: {metafield_key: 'warranty months'}}",
            r"returns\.warranty\.metafield_key: String should match pattern",
        ),
        ("returns: {warranty: {months: 3}}", r"returns\.warranty\.months: unknown"),
        ("complaints: {segment_from_tags: maybe}", r"complaints\.segment_from_tags: Input should"),
        (
            "disputes: {final_statuses: [closed]}",
            r"disputes\.final_statuses\[0\]: Input should be 'won', 'lost'",
        ),
        (
            "disputes: {final_statuses: [won, under_review]}",
            r"disputes\.final_statuses\[1\]: Input should be",
        ),
        (
            "disputes: {open_statuses: [needs_response, won], final_statuses: [won]}",
            r"disputes: .*statuses both open and final: \['won'\]",
        ),
        (
            "decisions: {replacement: {mode: ship}}",
            r"decisions\.replacement\.mode: Input should be 'complete', 'invoice' or 'draft'",
        ),
        ("decisions: {replacement: {tag: 'a,b'}}", r"decisions\.replacement\.tag: String should"),
    ],
)
def test_a_bad_value_is_named_by_its_key(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy(text + "\n")
