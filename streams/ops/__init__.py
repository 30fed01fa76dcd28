"""Operations tooling: consumer-lag monitoring, Prometheus metrics and DLQ tools.

* :mod:`~streams.ops.lag` measures committed, end and stable offsets per
  group and partition with the AdminClient;
* :mod:`~streams.ops.burrow` judges sliding windows of those samples
  (OK, WARN, REWIND, STALL, STOP, ERR);
* :mod:`~streams.ops.monitor` runs both periodically and alerts through
  :mod:`~streams.ops.alerts`;
* :mod:`~streams.ops.metrics` holds the Prometheus registry served at ``/metrics``;
* :mod:`~streams.ops.dlq` lists and replays dead-letter topics.

The command lines (``casebridge lag``, ``casebridge dlq``) live in
``lag_cli`` and ``dlq_cli`` and are not imported here.
"""

from __future__ import annotations

from streams.ops.burrow import Status
from streams.ops.config import LagSettings
from streams.ops.dlq import list_records, replay
from streams.ops.dlq_records import DlqRecord, ReplayResult, attempt_of
from streams.ops.errors import BrokerUnavailableError, DlqError, OpsError
from streams.ops.metrics import REGISTRY, exposition, install_lag_collector
from streams.ops.monitor import GroupReport, LagMonitor, LagReport, PartitionRow

__all__ = [
    "REGISTRY",
    "BrokerUnavailableError",
    "DlqError",
    "DlqRecord",
    "GroupReport",
    "LagMonitor",
    "LagReport",
    "LagSettings",
    "OpsError",
    "PartitionRow",
    "ReplayResult",
    "Status",
    "attempt_of",
    "exposition",
    "install_lag_collector",
    "list_records",
    "replay",
]
