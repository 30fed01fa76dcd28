"""The sink's ledger: the changelogged table of every case id the sink has touched.

Per case id: ``{"state": "starting"}``, written and flushed to its changelog
before the start request is sent, then ``{"state": "open", "instance": id}``
once OpenText answered. Beside the case ids, one *epoch* per partition: when
the ledger began keeping that partition. A case id the ledger has never seen,
in a request written after its partition's epoch, cannot have an instance.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

__all__ = ["EPOCH_PREFIX", "LEDGER_TABLE", "after_epoch"]

LEDGER_TABLE = "sink-cases"

#: Ledger key of a partition's epoch (case ids never start with it).
EPOCH_PREFIX = "#epoch:"


def after_epoch(
    ledger: MutableMapping[str, Any], partition: int, timestamp: float | None, started_at: float
) -> bool:
    """Whether a record of ``partition`` written at ``timestamp`` is younger than its epoch.

    The epoch of a partition is recorded once, as this process's start time
    (``started_at``), the first time the ledger handles that partition (and
    flushed with the first intent). Only records written after it can be known
    to the ledger in full; a record without a timestamp counts as older.
    """
    key = f"{EPOCH_PREFIX}{partition}"
    epoch = ledger.get(key)
    if epoch is None:
        epoch = ledger[key] = started_at
    if not timestamp:
        return False
    return float(timestamp) >= float(epoch)
