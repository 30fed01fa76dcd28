"""Re-running a read-then-write step until its outcome is certain.

Every handler (and the offline creator) reads the current state before it
writes, so running it again is always safe: whatever an earlier run managed
to write is seen and skipped. :func:`run_step` uses that to retry three kinds
of trouble:

* a **transient** ``userError`` (lock, STALE_OBJECT, "try again"): re-run with
  ``WriterSettings.retry`` backoff;
* **Shopify unavailable** (5xx, timeouts, THROTTLED beyond the client's
  budget): re-run with ``WriterSettings.unavailable_retry`` backoff. Such a
  failure is ambiguous for a mutation (it may have been applied before the
  answer was lost), which is exactly why the step is re-run and not the bare
  mutation re-sent;
* a **permanent** ``userError``: re-run *once*. The refusal may be the echo of
  our own earlier write ("already cancelled", "hold not found") when the
  client re-sent a mutation whose first answer was lost; the re-read then
  finds the effect and reports ``ALREADY_APPLIED``. A genuine refusal
  repeats and is final.

The last error is re-raised for the caller to classify.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from connectors.shopify.errors import ShopifyUnavailableError, ShopifyUserError
from streams.settings import WriterSettings
from streams.writer.context import Sleep

__all__ = ["Attempts", "run_step"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(slots=True)
class Attempts:
    """How many times the step ran (read by the caller for the audit record)."""

    count: int = 0


async def run_step(
    step: Callable[[], Awaitable[T]],
    *,
    config: WriterSettings,
    sleep: Sleep,
    attempts: Attempts,
    what: str,
) -> T:
    """Run ``step`` until it succeeds or its failure is final; see the module docstring.

    Raises:
        ShopifyUserError: the final refusal (``transient`` tells if retries ran out).
        ShopifyUnavailableError: Shopify stayed unreachable through ``unavailable_retry``.
        Exception: anything else ``step`` raises, at once.
    """
    retry = config.retry.policy()
    unavailable_retry = config.unavailable_retry.policy()
    transient = 0
    unavailable = 0
    rechecked = False
    while True:
        attempts.count += 1
        try:
            return await step()
        except ShopifyUserError as exc:
            if exc.transient:
                transient += 1
                if not retry.should_retry(transient):
                    raise
                delay = retry.delay_s(transient)
            elif not rechecked:
                rechecked = True
                delay = 0.0
            else:
                raise
            logger.info("writer %s: %s; re-reading and retrying in %.2fs", what, exc, delay)
        except ShopifyUnavailableError as exc:
            unavailable += 1
            if not unavailable_retry.should_retry(unavailable):
                raise
            delay = unavailable_retry.delay_s(unavailable)
            logger.info("writer %s: Shopify unavailable (%s); retry in %.2fs", what, exc, delay)
        if delay > 0:
            await sleep(delay)
