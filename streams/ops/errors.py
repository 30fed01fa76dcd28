"""The errors of the operations tools (lag monitor, metrics, DLQ tools).

::

    CasebridgeError                      connectors.errors
    └── OpsError                         any failure of an operations tool
        ├── BrokerUnavailableError       Kafka did not answer (address, broker down, auth)
        ├── LagMeasurementError          the broker answered, but offsets could not be read
        └── DlqError                     listing or replaying a dead-letter topic
            ├── UnknownTopicError        the DLQ (or its source topic) does not exist
            ├── FilterError              a ``--filter`` expression is malformed
            └── ReplayError              a replayed record was not acknowledged

Every message is one line, so ``casebridge lag`` / ``casebridge dlq`` print
it as ``error: ...`` and exit 2 instead of showing a traceback. A failing
alert webhook is not an error here: the monitor logs it and retries on the
next evaluation, because an unreachable chat hook must not stop monitoring.
"""

from __future__ import annotations

from connectors.errors import CasebridgeError

__all__ = [
    "BrokerUnavailableError",
    "DlqError",
    "FilterError",
    "LagMeasurementError",
    "OpsError",
    "ReplayError",
    "UnknownTopicError",
]


class OpsError(CasebridgeError):
    """Base class of the errors raised by ``streams.ops``."""


class BrokerUnavailableError(OpsError):
    """The Kafka cluster did not answer within the timeout."""


class LagMeasurementError(OpsError):
    """The cluster answered, but group or partition offsets could not be read."""


class DlqError(OpsError):
    """Listing or replaying a dead-letter topic failed."""


class UnknownTopicError(DlqError):
    """The dead-letter topic, or the source topic a record names, does not exist."""


class FilterError(DlqError):
    """A replay filter is not of the form ``field=pattern``."""


class ReplayError(DlqError):
    """The broker did not acknowledge a replayed record; nothing was marked replayed."""
