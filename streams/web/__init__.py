"""The operations page, its JSON API and the per-case audit trail.

* :mod:`~streams.web.audit` reads one case's records from every topic
  (:func:`case_history`); ``casebridge case show`` prints it
  (:mod:`streams.audit_cli`);
* :mod:`~streams.web.tally` counts cases by type and state from ``cases.state``;
* :mod:`~streams.web.rates` turns the pipeline counters into per-second rates;
* :mod:`~streams.web.history` keeps the last hour of the charted figures in memory;
* :mod:`~streams.web.dlqstats` counts the records of every dead-letter topic;
* :mod:`~streams.web.service` assembles the answers, :mod:`~streams.web.api`
  serves them as Faust views (``register`` is the ``web`` role) and
  :mod:`~streams.web.page` serves the static page at ``/ops/``;
* :mod:`~streams.web.partitioning` and :mod:`~streams.web.scan` are the Kafka
  helpers of the audit reader (murmur2 partition of a key, bounded reads).

Names are imported lazily so that ``casebridge case show`` does not import Faust.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from streams.web.audit import AuditEntry, CaseNotFoundError, case_history
    from streams.web.partitioning import murmur2, partition_for

_EXPORTS = {
    "AuditEntry": "audit",
    "CaseNotFoundError": "audit",
    "case_history": "audit",
    "murmur2": "partitioning",
    "partition_for": "partitioning",
}

__all__ = ["AuditEntry", "CaseNotFoundError", "case_history", "murmur2", "partition_for"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
