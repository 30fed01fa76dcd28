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

Import the modules themselves: this package imports nothing, so that
``casebridge case show`` does not import Faust.
"""
