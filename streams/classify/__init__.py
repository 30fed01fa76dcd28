"""The classify stage: ``shopify.webhooks`` + ``support.complaints`` -> ``cases.requests``.

* :mod:`.rules` — the pure classification rules (which events and complaints
  become which cases); no Faust, HTTP or Kafka client;
* :mod:`.enrich` — Shopify context for cases before they open, and the
  fulfillment hold of review cases;
* :mod:`.agent` — the Faust wiring: decode, deduplicate, classify, enrich,
  hold and publish (:func:`~streams.classify.agent.register_classify` is the
  ``classify`` role).

Nothing is imported here, so ``import streams.classify.rules`` stays light.
"""
