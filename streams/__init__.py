"""casebridge's stream processing: one package per stage, in data-flow order.

Each stage package holds its Faust wiring (``agent.py``, whose ``register``
is the role :mod:`streams.pipeline` names) beside its logic:

* :mod:`streams.ingress` — signed Shopify webhooks -> ``shopify.webhooks``;
* :mod:`streams.reconcile` — orders changed in Shopify, re-fetched -> ``shopify.webhooks``;
* :mod:`streams.classify` — events, complaints -> ``cases.requests`` (rules, enrich, holds);
* :mod:`streams.sink` — ``cases.requests`` -> one OpenText process instance per case;
* :mod:`streams.decisions` — finished OpenText tasks -> ``cases.decisions``;
* :mod:`streams.writer` — ``cases.decisions``, ``orders.offline`` -> Shopify writes;
* :mod:`streams.escalation` — open cases past their SLA, repeated complaints -> escalated.

Every stage reports its case's progress on ``cases.state``. Shared by the
stages, never importing them: :mod:`streams.runtime` (acks, lanes, dead
letters, deterministic keys), :mod:`streams.kafka`, :mod:`streams.policy`,
:mod:`streams.shops`, :mod:`streams.ops` (lag, metrics, DLQ tools) and
:mod:`streams.web` (the operations page).
"""
