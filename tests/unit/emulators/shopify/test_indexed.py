"""Indexed: records by id, grouped by the ids they point to, kept current on add/replace/delete."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

from emulators.shopify.indexed import Indexed


@dataclass(frozen=True)
class Txn:
    id: int
    order_id: int
    refund_id: int | None = None


def test_records_are_grouped_by_each_attribute_in_insertion_order() -> None:
    txns: Indexed[Txn] = Indexed("order_id", "refund_id")
    txns[1] = Txn(1, order_id=10)
    txns[2] = Txn(2, order_id=20, refund_id=7)
    txns[3] = Txn(3, order_id=10, refund_id=7)

    assert [t.id for t in txns.group("order_id", 10)] == [1, 3]
    assert [t.id for t in txns.group("refund_id", 7)] == [2, 3]
    assert txns.group("order_id", 99) == []
    assert txns[2].order_id == 20 and len(txns) == 3


def test_a_replaced_record_moves_to_its_new_group() -> None:
    txns: Indexed[Txn] = Indexed("order_id")
    txns[1] = Txn(1, order_id=10)
    txns[1] = replace(txns[1], order_id=20)

    assert txns.group("order_id", 10) == []
    assert txns.group("order_id", 20) == [Txn(1, order_id=20)]


def test_deleted_and_popped_records_leave_their_groups() -> None:
    txns: Indexed[Txn] = Indexed("order_id")
    txns.update({1: Txn(1, order_id=10), 2: Txn(2, order_id=10)})
    del txns[1]
    txns.pop(2)
    assert txns.group("order_id", 10) == [] and len(txns) == 0


def test_a_deep_copy_keeps_its_groups_consistent_with_its_records() -> None:
    txns: Indexed[Txn] = Indexed("order_id")
    txns[1] = Txn(1, order_id=10)
    saved = copy.deepcopy(txns)
    txns[2] = Txn(2, order_id=10)

    assert [t.id for t in saved.group("order_id", 10)] == [1]
    assert saved.group("order_id", 10)[0] is saved[1]
