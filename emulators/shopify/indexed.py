"""Records by id that are also grouped by the ids they point to.

The store answered "the fulfillment orders of order X" (and refunds,
returns, transactions, ... of X) by scanning every record of the shop: each
enriched case made dozens of such scans, so the emulator's CPU per case grew
with the number of orders it held (docs/benchmarks.md). An :class:`Indexed`
keeps those groups up to date as records are added or replaced.
"""

from __future__ import annotations

from collections import UserDict
from collections.abc import Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Indexed(UserDict[int, T]):
    """A dict of records by id that also groups them by ``attributes``.

    Records are grouped by the attribute values they have when stored; code
    that changes such an attribute must store the record again.
    """

    def __init__(self, *attributes: str) -> None:
        self._groups: dict[str, dict[Hashable, dict[int, T]]] = {a: {} for a in attributes}
        super().__init__()

    def __setitem__(self, key: int, value: T) -> None:
        if key in self.data:
            self._ungroup(key, self.data[key])
        self.data[key] = value
        for attribute, groups in self._groups.items():
            groups.setdefault(getattr(value, attribute), {})[key] = value

    def __delitem__(self, key: int) -> None:
        self._ungroup(key, self.data.pop(key))

    def _ungroup(self, key: int, value: T) -> None:
        for attribute, groups in self._groups.items():
            group = groups.get(getattr(value, attribute))
            if group is not None:
                group.pop(key, None)

    def group(self, attribute: str, value: Any) -> list[T]:
        """The records whose ``attribute`` is ``value``, in the order they were first stored."""
        return list(self._groups[attribute].get(value, {}).values())
