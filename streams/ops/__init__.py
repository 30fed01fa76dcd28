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
``lag_cli`` and ``dlq_cli``, the Faust wiring in ``web``. Names below are
imported lazily, so importing :mod:`streams.ops.config` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from streams.ops.burrow import Status
    from streams.ops.config import LagSettings
    from streams.ops.dlq import list_records, replay
    from streams.ops.dlq_records import DlqRecord, ReplayResult, attempt_of
    from streams.ops.errors import BrokerUnavailableError, DlqError, OpsError
    from streams.ops.metrics import REGISTRY, exposition, install_lag_collector
    from streams.ops.monitor import GroupReport, LagMonitor, LagReport, PartitionRow

# Imported on first use: ``streams.settings`` imports ``streams.ops.config``,
# and ``casebridge stack up`` must not pay for confluent-kafka and prometheus.
_EXPORTS = {
    "Status": "burrow",
    "LagSettings": "config",
    "list_records": "dlq",
    "replay": "dlq",
    "DlqRecord": "dlq_records",
    "ReplayResult": "dlq_records",
    "attempt_of": "dlq_records",
    "BrokerUnavailableError": "errors",
    "DlqError": "errors",
    "OpsError": "errors",
    "REGISTRY": "metrics",
    "exposition": "metrics",
    "install_lag_collector": "metrics",
    "GroupReport": "monitor",
    "LagMonitor": "monitor",
    "LagReport": "monitor",
    "PartitionRow": "monitor",
}

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
