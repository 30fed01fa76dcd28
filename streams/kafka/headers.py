"""Kafka record headers that more than one stage writes or reads.

``DEDUP_HEADER`` carries a ``shopify.webhooks`` record's de-duplication key:
the ingress writes it (the webhook id), the reconciler writes it (the event
id it derived), and the ingress's de-duplication window reads it back.
"""

from __future__ import annotations

DEDUP_HEADER = "casebridge.dedup_key"
