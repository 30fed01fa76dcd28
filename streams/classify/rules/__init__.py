"""Classification rules: which Shopify events and complaints become which cases.

Pure logic, no I/O. The classify agent calls :func:`classify_event` for each
``shopify.webhooks`` record and :func:`classify_complaint` for each
``support.complaints`` record, passing the state it keeps
(:class:`ClassifyContext`), and afterwards updates that state with
:func:`update_stats`, :func:`record_complaint` and :func:`product_fingerprint`.
Bad input raises :class:`ClassificationError` (send the record to the DLQ).

One module per use-case family: :mod:`.orders` (UC1, UC5), :mod:`.returns`
(UC2), :mod:`.complaints` (UC3), :mod:`.fulfillment` (UC4), :mod:`.content`
(UC6), :mod:`.disputes` (UC8); :mod:`.caseid` documents the deterministic ids.
"""

from streams.classify.rules.caseid import case_id
from streams.classify.rules.complaints import complaint_key_of
from streams.classify.rules.content import content_key, product_fingerprint
from streams.classify.rules.engine import classify_complaint, classify_event, is_known_topic
from streams.classify.rules.errors import ClassificationError
from streams.classify.rules.orders import order_total_sample
from streams.classify.rules.state import (
    ClassifyContext,
    ComplaintHistory,
    ComplaintRecord,
    ShopStats,
    complaint_key,
    record_complaint,
    update_stats,
)

__all__ = [
    "ClassificationError",
    "ClassifyContext",
    "ComplaintHistory",
    "ComplaintRecord",
    "ShopStats",
    "case_id",
    "classify_complaint",
    "classify_event",
    "complaint_key",
    "complaint_key_of",
    "content_key",
    "is_known_topic",
    "order_total_sample",
    "product_fingerprint",
    "record_complaint",
    "update_stats",
]
