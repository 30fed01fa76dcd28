"""The emulator's mutation journal: what a benchmark reads to time writes."""

from __future__ import annotations

from emulators.shopify.journal import MutationJournal, user_error_count


def test_user_errors_are_counted_over_root_fields() -> None:
    data = {
        "a": {"userErrors": [{"message": "x"}, {"message": "y"}]},
        "b": {"userErrors": []},
        "c": None,
    }
    assert user_error_count(data) == 2
    assert user_error_count(None) == 0


def test_entries_carry_the_wall_clock_and_are_bounded() -> None:
    now = iter([10.25, 11.5, 12.75])
    journal = MutationJournal(size=2, wall_clock=lambda: next(now))
    for shop in ("a", "b", "a"):
        journal.record(shop, ["tagsAdd"], {"id": "gid://shopify/Order/1"}, {}, 0)
    entries = journal.after(0)
    assert [(e["seq"], e["at"], e["shop"]) for e in entries] == [(2, 11.5, "b"), (3, 12.75, "a")]
    assert [e["seq"] for e in journal.after(2, "a")] == [3]
    journal.count_throttled("a")
    journal.count_throttled("a")
    assert journal.throttled == {"a": 2}
    journal.clear()
    assert journal.after(0) == [] and not journal.throttled
