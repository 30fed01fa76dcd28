"""SeenWindow: keys expire after the window; seeing a key again refreshes it."""

from __future__ import annotations

from streams.runtime.seen import SeenWindow


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_added_key_is_seen_within_the_window() -> None:
    clock = Clock()
    window = SeenWindow(60, clock=clock)
    window.add("a")
    assert "a" in window
    assert "b" not in window
    clock.now += 60
    assert "a" in window  # the boundary is inclusive


def test_key_expires_after_the_window() -> None:
    clock = Clock()
    window = SeenWindow(60, clock=clock)
    window.add("a")
    clock.now += 60.001
    assert "a" not in window


def test_re_adding_refreshes_the_key() -> None:
    clock = Clock()
    window = SeenWindow(60, clock=clock)
    window.add("a")
    clock.now += 50
    window.add("a")
    clock.now += 50  # 100 s after the first sighting, 50 s after the second
    assert "a" in window
    clock.now += 11
    assert "a" not in window


def test_re_adding_with_an_older_stamp_does_not_shorten() -> None:
    clock = Clock()
    window = SeenWindow(60, clock=clock)
    window.add("a")
    window.add("a", at=clock.now - 50)  # e.g. the loader replaying an older record
    clock.now += 30
    assert "a" in window


def test_explicit_stamp_is_used() -> None:
    clock = Clock()
    window = SeenWindow(60, clock=clock)
    window.add("old", at=clock.now - 61)
    window.add("recent", at=clock.now - 59)
    assert "old" not in window
    assert "recent" in window


def test_expired_keys_are_evicted_on_add() -> None:
    clock = Clock()
    window = SeenWindow(60, clock=clock)
    for i in range(5):
        window.add(f"k{i}")
    assert len(window) == 5
    clock.now += 61
    window.add("fresh")
    assert len(window) == 1
    assert "fresh" in window


def test_refreshed_key_survives_eviction_of_older_ones() -> None:
    clock = Clock()
    window = SeenWindow(60, clock=clock)
    window.add("a")
    window.add("b")
    clock.now += 40
    window.add("a")  # moved to the young end
    clock.now += 30
    window.add("c")
    assert "a" in window
    assert "b" not in window
    assert len(window) == 2


def test_non_string_keys_are_never_seen() -> None:
    window = SeenWindow(60, clock=Clock())
    window.add("1")
    assert 1 not in window
    assert None not in window


def test_add_many_is_add_for_each() -> None:
    clock = Clock()
    window = SeenWindow(60, clock=clock)
    window.add("a")
    window.add_many([("old", clock.now - 61), ("b", clock.now - 10), ("a", clock.now - 50)])
    assert "old" not in window  # expired on arrival
    assert "b" in window
    clock.now += 55
    assert "a" in window  # the older stamp did not shorten the first sighting
    assert "b" not in window
    window.add_many([])
    assert len(window) == 1
