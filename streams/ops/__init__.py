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
``lag_cli`` and ``dlq_cli``, the Faust wiring in ``web``. Import the modules
themselves: this package imports nothing, so :mod:`streams.ops.config` stays cheap.
"""
