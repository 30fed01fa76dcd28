"""The decision source stage: OpenText outcomes -> ``cases.decisions`` / ``orders.offline``.

A timer on the leader polls OpenText history from a durable watermark
(kept in Kafka); an optional authenticated callback route takes HttpTask
pushes. Both publish the same records, keyed by case id, and the watermark
advances only after every record of a poll was acknowledged by the broker,
so a crash re-reads (harmless: decisions are keyed ``case id:task id``)
rather than skipping.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from datetime import datetime, timedelta
from typing import Any

import faust
from confluent_kafka import KafkaException

from connectors.errors import CasebridgeError
from connectors.opentext import OpenTextAuthError, OpenTextError
from schemas.records import CaseDecision, OfflineOrder
from streams.decisions import DecisionBuilder, DecisionFailure, OutcomeMapper, intake_agent
from streams.decisions.callback import CallbackHandler, CallbackResult
from streams.decisions.failures import failure_state
from streams.decisions.source import HistoryPoller
from streams.decisions.web import install_callback_route
from streams.kafka.dlq import DeadLetter, send_to_dlq
from streams.kafka.health import RemoteHealth, notes_publisher
from streams.kafka.watermark import KafkaWatermarkStore
from streams.ops.metrics import (
    NO_SHOP,
    OPENTEXT_AUTH_ERRORS,
    decision_counted,
    decision_unbuildable,
)
from streams.runtime.seen import SeenWindow
from streams.services import Services
from streams.topics import CASES_DECISIONS, CASES_STATE, ORDERS_OFFLINE

log = logging.getLogger(__name__)

AGENT = "decisions"

WATERMARK_NAME = "decisions.history"


class DecisionSource:
    """Publishes decisions, offline orders and failures found in OpenText."""

    def __init__(self, services: Services) -> None:
        self.services = services
        # Read at every poll and callback: shops may route to their own models, and the
        # registry may change while the worker runs.
        self.model_keys = services.model_keys
        self.builder = DecisionBuilder(
            OutcomeMapper(services.policy.decisions),
            # Cases carry their shop as a process variable; only older ones lack it.
            default_shop=services.shops.default.domain,
        )
        self.stats = {
            "decisions": 0,
            "offline_orders": 0,
            "failures": 0,
            "polls": 0,
            "repeats_skipped": 0,
        }
        # The poller re-reads an overlap window on every tick (and the callback may
        # push what the poller also finds): without this, a quiet period would
        # re-publish the same decisions every few seconds. After a restart each
        # is published once more, which the writer absorbs (ALREADY_APPLIED).
        self.published = SeenWindow(window_s=6 * 3600)

    async def publish(
        self,
        decisions: Sequence[CaseDecision],
        offline_orders: Sequence[OfflineOrder],
        failures: Sequence[DecisionFailure],
    ) -> None:
        """Produce every record not published recently and wait for all acknowledgements."""
        fresh_decisions = [d for d in decisions if f"d:{d.decision_id}" not in self.published]
        fresh_orders = [o for o in offline_orders if f"o:{o.intake_case_id}" not in self.published]
        fresh_failures = [
            f for f in failures if f"f:{f.case_id}:{f.decision_id}" not in self.published
        ]
        self.stats["repeats_skipped"] += (
            len(decisions)
            + len(offline_orders)
            + len(failures)
            - len(fresh_decisions)
            - len(fresh_orders)
            - len(fresh_failures)
        )
        decisions, offline_orders, failures = fresh_decisions, fresh_orders, fresh_failures
        producer = self.services.producer
        emit = self.services.emit
        sends: list[Coroutine[Any, Any, object]] = [
            emit(AGENT, CASES_DECISIONS, d, d.case_id) for d in decisions
        ]
        sends += [emit(AGENT, ORDERS_OFFLINE, o, o.intake_case_id) for o in offline_orders]
        for failure in failures:
            letter = DeadLetter(
                source_topic=CASES_DECISIONS,
                reason=failure.reason,
                error_class=failure.error_type,
            )
            sends.append(send_to_dlq(producer, letter, failure.case_id.encode(), failure.payload))
            # The instance ended: without this the case would read OPEN forever.
            sends.append(self._failed_state(failure))
        await asyncio.gather(*sends)
        for d in decisions:
            self.published.add(f"d:{d.decision_id}")
        for o in offline_orders:
            self.published.add(f"o:{o.intake_case_id}")
        for f in failures:
            self.published.add(f"f:{f.case_id}:{f.decision_id}")
            if f.case_type is not None:
                decision_counted(f.shop or NO_SHOP, f.case_type, "failed")
            else:
                decision_unbuildable(f.case_id, f.shop)  # the case type read from the case id
        self.stats["decisions"] += len(decisions)
        self.stats["offline_orders"] += len(offline_orders)
        self.stats["failures"] += len(failures)

    async def publish_callback(self, result: CallbackResult) -> None:
        """Publish what one callback produced."""
        await self.publish(
            [result.decision] if result.decision else [],
            [result.offline_order] if result.offline_order else [],
            [result.failure] if result.failure else [],
        )

    async def _failed_state(self, failure: DecisionFailure) -> None:
        state = failure_state(failure, default_shop=self.services.shops.default.domain)
        if state is None:
            return
        await self.services.emit(AGENT, CASES_STATE, state, failure.case_id)


def register(app: faust.App, services: Services) -> DecisionSource:
    """Declare the history poller (leader timer) and the callback route on ``app``."""
    settings = services.settings.decisions
    source = DecisionSource(services)
    # Intakes that failed after approval go back to the desk in OpenText (with the reason).
    intake_agent.register(app, services)
    if settings.callback_enabled:
        handler = CallbackHandler(
            source.model_keys,
            builder=source.builder,
            hmac_secrets=settings.callback_hmac_secrets,
            bearer_tokens=settings.callback_bearer_tokens,
            signature_header=settings.callback_signature_header,
            outcome_variable=settings.outcome_variable,
        )
        install_callback_route(
            app, handler, publish=source.publish_callback, path=settings.callback_path
        )
    if not settings.poll_enabled:
        return source

    store = KafkaWatermarkStore(services.settings.kafka.confluent_config(), services.producer)
    health = RemoteHealth(
        "opentext",
        AGENT,
        OPENTEXT_AUTH_ERRORS,
        publish=notes_publisher(
            store, services.settings.app_id, services.settings.kafka.replication_factor
        ),
    )
    # One poller for the stage's life: it remembers the instances it handled, so the
    # re-read window costs no task-history calls.
    poller = HistoryPoller(
        services.opentext,
        source.model_keys,
        builder=source.builder,
        outcome_variable=settings.outcome_variable,
        overlap=timedelta(seconds=settings.overlap_s),
        pending_grace=timedelta(seconds=settings.pending_grace_s),
    )
    # One watermark per deployment (app id): two casebridge apps on one cluster
    # (staging and prod, or test runs) must not move each other's.
    watermark_name = f"{services.settings.app_id}/{WATERMARK_NAME}"
    state: dict[str, datetime | None] = {}

    @app.timer(settings.poll_interval_s, on_leader=True)  # type: ignore[untyped-decorator]
    async def poll_history() -> None:
        # An exception escaping a Faust timer crashes the whole worker: a broker
        # outage (watermark read, publish, save) must only cost this tick. The
        # watermark moves only after a fully acknowledged publish, so the next
        # tick re-reads whatever this one could not deliver.
        try:
            await _poll_once()
        except (KafkaException, CasebridgeError) as exc:
            log.warning("decision poll failed on Kafka, watermark kept: %s", exc)

    async def _poll_once() -> None:
        if "watermark" not in state:
            state["watermark"] = await store.load(watermark_name)
        try:
            batch = await poller.poll_batch(state["watermark"])
        except OpenTextAuthError as exc:
            # Counted and noted (page, casebridge lag); the next tick tries again.
            await health.failure(exc)
            return
        except OpenTextError as exc:
            log.warning("decision poll failed, watermark kept: %s", exc)
            return
        await health.success()
        source.stats["polls"] += 1
        await source.publish(batch.decisions, batch.offline_orders, batch.failures)
        if batch.watermark is not None and batch.watermark != state["watermark"]:
            await store.save(watermark_name, batch.watermark)
            state["watermark"] = batch.watermark

    return source
