"""after_epoch: a partition's epoch is recorded once; only younger records are known in full."""

from __future__ import annotations

from typing import Any

from streams.sink.ledger import EPOCH_PREFIX, after_epoch


def test_the_first_record_of_a_partition_records_the_epoch() -> None:
    ledger: dict[str, Any] = {}
    assert after_epoch(ledger, 3, 1_000.5, started_at=1_000.0)
    assert ledger == {f"{EPOCH_PREFIX}3": 1_000.0}


def test_a_kept_epoch_is_not_replaced_and_older_records_are_not_known() -> None:
    ledger: dict[str, Any] = {f"{EPOCH_PREFIX}0": 500.0}
    assert not after_epoch(ledger, 0, 400.0, started_at=1_000.0)
    assert after_epoch(ledger, 0, 600.0, started_at=1_000.0)
    assert ledger[f"{EPOCH_PREFIX}0"] == 500.0


def test_a_record_without_a_timestamp_counts_as_older() -> None:
    ledger: dict[str, Any] = {}
    assert not after_epoch(ledger, 1, None, started_at=1_000.0)
    assert not after_epoch(ledger, 1, 0, started_at=1_000.0)
    assert f"{EPOCH_PREFIX}1" in ledger
