"""Classify and enrich: ``shopify.webhooks`` + ``support.complaints`` -> ``cases.requests``.

Per record: decode (undecodable -> DLQ), drop a duplicate event id or a
stale update, run the policy rules, enrich each case through the Shopify
API (a failed enrichment still opens the case, marked incomplete), hold the
order's fulfillment for reviews, then publish the ``CaseRequest`` and its
``CaseState`` (REQUESTED). The state the rules read (shop statistics,
complaint history, content fingerprints) and the open cases live in Faust
tables, so a restarted or rebalanced worker recovers them from changelogs.

Table keys follow the record key (shop + order), so every read and write for
a subject happens while processing that subject's partition. The exceptions are
global tables every worker holds in full: the case ends (below) and the UC1
inventory kept from product and ``inventory_levels/update`` webhooks
(:mod:`streams.classify.rules.inventory`), because a stock change and the order it
matters to are keyed apart. A worker reads another worker's writes once their
changelog reaches it: the inventory is eventually consistent.

Two phases per record. The *decision* (duplicate and staleness checks, the
rules, every table update the rules depend on) runs in the consuming loop, one
record at a time, so the next record sees its effects. The *effects*
(enrichment, hold, publishing and waiting for the broker's acks) run in
per-key lanes (:class:`~streams.runtime.lanes.KeyedLanes`): many subjects
overlap their remote calls and acks, one subject's records stay in order, and
a record's offset is acknowledged only when its effects are done.

Case generations: the generations table maps a case's *base* id
(:func:`~streams.classify.rules.caseid.case_id`) to its current generation and
id (absent: generation 1, the base id); the open-cases entry of that id
remembers the reason codes it covers. The classify stage learns
that a case ended from ``cases.state`` (APPLIED, DECIDED, CLOSED, FAILED) into
a global table every worker holds in full (``cases.state`` is keyed by case
id, not by subject). A request for a case that ended opens the next
generation when :func:`~streams.classify.rules.caseid.renews` says it is a new
trigger, and is dropped (``after_end``) when it only repeats what the ended
case covered.

Because the tables are updated before the effects, each remembered event id
carries the offset it was read at: the same id at the *same* offset is a
redelivery after a crash (its effects may never have happened, so it is
processed again; downstream effects are idempotent), the same id at another
offset is a duplicate webhook (dropped).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import faust

from connectors.serde import DeserializationError
from connectors.shopify.budget import Priority, call_class
from schemas.records import (
    CaseDecision,
    CaseRequest,
    CaseState,
    CaseStatus,
    CaseType,
    ComplaintSubmitted,
    ShopifyEvent,
)
from streams.classify.enrich.deferred import DeferredEnrichment
from streams.classify.enrich.shops import ShopEnrichers
from streams.classify.enrich.splits import read_split_origin
from streams.classify.enrich.storefront import read_storefront
from streams.classify.rules import (
    ClassificationError,
    ClassifyContext,
    ShopStats,
    classify_complaint,
    classify_event,
    complaint_key_of,
    content_key,
    inventory,
    is_known_topic,
    order_total_sample,
    product_fingerprint,
    record_complaint,
    update_stats,
)
from streams.classify.rules.caseid import generation_id, renews
from streams.classify.rules.content import content_state_after
from streams.classify.rules.enriched import after_enrichment, routed_by_enrichment
from streams.classify.rules.fulfillment import SplitOrigin, split_fulfillment_order
from streams.classify.rules.state import ComplaintHistory
from streams.classify.rules.storefront import StorefrontText, needs_text, storefront_fingerprint
from streams.classify.rules.subjects import see_event, subject_key_of
from streams.ops.metrics import CALL_SHOP, EVENTS_NOT_ACTIONABLE
from streams.policy.model import Policy
from streams.runtime.acks import InOrderAcks
from streams.runtime.endings import EndingUnrecordable, FinalDecisions
from streams.runtime.keyed import KeyedAgent, Lane
from streams.runtime.lanes import KeyedLanes
from streams.runtime.records import dead_letter
from streams.services import Services
from streams.topics import (
    CASES_DECISIONS,
    CASES_REQUESTS,
    CASES_STATE,
    SHOPIFY_WEBHOOKS,
    SUPPORT_COMPLAINTS,
)

log = logging.getLogger(__name__)

AGENT = "classify"

#: How long the hold step waits for OpenText to say whether a case opened before.
OPENED_LOOKUP_TIMEOUT_S = 5.0

#: What the classify stage counts (exposed on the operations page).
STATS = (
    "events",
    "duplicates",
    "stale",
    "unknown_topics",
    "not_actionable",
    "cases",
    "updates_attached",
    "after_end",
    "generations",
    "dead_lettered",
    "disputes_ended",
)

#: States after which a case is over: a new trigger for its subject opens a new generation.
ENDED = frozenset({CaseStatus.APPLIED, CaseStatus.DECIDED, CaseStatus.CLOSED, CaseStatus.FAILED})

M = TypeVar("M", ShopifyEvent, ComplaintSubmitted)

#: The decision phase of one decoded record (runs in the consuming loop).
Decide = Callable[[Any, M], Awaitable[Sequence["Pending | Ending"]]]


class Enricher(Protocol):
    """Adds Shopify context to a case before it opens, and holds orders under review."""

    async def enrich(self, request: CaseRequest) -> CaseRequest:
        """The request with enrichment variables (``enrichment_complete`` False on failure)."""

    def should_defer(self, request: CaseRequest) -> bool:
        """Whether the store's budget is too short to enrich ``request`` now."""

    def deferred(self, request: CaseRequest) -> CaseRequest:
        """``request`` marked as opening before its enrichment."""

    def would_hold(self, request: CaseRequest) -> bool:
        """Whether :meth:`hold` acts on ``request`` (a hold is looked up in OpenText first)."""

    async def hold(self, request: CaseRequest) -> CaseRequest:
        """Put the order's fulfillment on hold for a review case; idempotent."""


class NoEnrichment:
    """An :class:`Enricher` that changes nothing (for workers without Shopify access)."""

    async def enrich(self, request: CaseRequest) -> CaseRequest:
        return request

    def should_defer(self, request: CaseRequest) -> bool:
        return False

    def deferred(self, request: CaseRequest) -> CaseRequest:
        return request

    def would_hold(self, request: CaseRequest) -> bool:
        return False

    async def hold(self, request: CaseRequest) -> CaseRequest:
        return request


@dataclass(frozen=True)
class Pending:
    """A case request decided in the consuming loop, its effects still to run."""

    request: CaseRequest
    #: No request for this case was published before (REQUESTED goes out with it).
    first: bool
    #: The open-cases table had no entry at all (the hold step checks OpenText).
    unseen: bool


@dataclass(frozen=True)
class Ending:
    """A dispute that ended: its outcome for the order, and the closing of its open case."""

    #: The closing request (the case's current id); published only when ``close``.
    request: CaseRequest
    decision: CaseDecision
    #: The case is open in OpenText: the sink closes it with the final status.
    close: bool


def source_of(event: Any) -> str:
    """Where a record was read: ``partition:offset`` (tells a redelivery from a duplicate)."""
    return f"{event.message.partition}:{event.message.offset}"


def _holds_placed(request: CaseRequest) -> bool:
    """Whether the enricher's hold step recorded at least one hold on the order."""
    for variable in request.variables:
        if variable.name == "holdsPlaced" and variable.value:
            try:
                return bool(json.loads(variable.value))
            except ValueError:
                return False
    return False


class Classifier:
    """The classify stage of one worker: its topics, tables and agents."""

    def __init__(
        self, app: faust.App, services: Services, enricher: Enricher, endings: FinalDecisions
    ) -> None:
        self.app = app
        self.services = services
        self.enricher = enricher
        self.endings = endings
        self.webhooks = app.topic(
            SHOPIFY_WEBHOOKS, key_type=bytes, value_type=bytes, value_serializer="raw"
        )
        self.complaints = app.topic(
            SUPPORT_COMPLAINTS, key_type=bytes, value_type=bytes, value_serializer="raw"
        )
        # subject key -> {"events": [...], "updated": {topic: iso}}
        self.subjects = app.Table("classify-subjects", default=None)
        # case id -> {"status", "at", "held", "source", "codes"}
        self.open_cases = app.Table("classify-open-cases", default=None)
        # base case id -> {"generation": n, "case_id": id}, once a case has generation 2
        self.generations = app.Table("classify-case-generations", default=None)
        # case id -> {"status", "at"}: cases that ended (from cases.state, all partitions)
        self.case_ends = app.GlobalTable("classify-case-ends", default=None)
        self.states = app.topic(
            CASES_STATE, key_type=bytes, value_type=bytes, value_serializer="raw"
        )
        # "shop|partition" -> ShopStats JSON: a per-partition sample of the shop's orders
        self.shop_stats = app.Table("classify-shop-stats", default=None)
        self.complaint_history = app.Table("classify-complaint-history", default=None)
        self.fingerprints = app.Table("classify-content-fingerprints", default=None)
        # content key -> ProductContent JSON: approved content, change under review
        self.content_state = app.Table("classify-content-approved", default=None)
        # content key -> {"source", "fingerprint", "state"} before the product's last event
        self.content_before = app.Table("classify-content-before", default=None)
        # UC1 inventory, fed by webhooks only (streams.classify.rules.inventory). Global: a
        # stock change and the order it matters to are keyed (and partitioned) apart.
        # "shop|variant id" -> {"item", "quantity", "at"}
        self.inventory_variants = app.GlobalTable("classify-inventory-variants", default=None)
        # "shop|inventory item id" -> {"locations": {location id: [[at, available], ...]}}
        self.inventory_levels = app.GlobalTable("classify-inventory-levels", default=None)
        self.lanes = KeyedLanes(services.settings.classify_concurrency)
        self.deferred = DeferredEnrichment(
            enricher,
            self._publish_update,
            concurrency=services.settings.enrich.deferred_concurrency,
            limit=services.settings.enrich.deferred_limit,
        )
        # Faust commits past an unacknowledged record if later ones are acked first.
        self.acks = InOrderAcks()
        self.stats: dict[str, int] = dict.fromkeys(STATS, 0)
        app.agent(self.webhooks, name="casebridge.classify-webhooks")(self._webhook_agent)
        app.agent(self.complaints, name="casebridge.classify-complaints")(self._complaint_agent)
        app.agent(self.states, name="casebridge.classify-case-ends")(self._case_end_agent)

    # --- agents ------------------------------------------------------------------------------

    def _keyed(self, topic: str, model: type[M], decide: Decide[M]) -> KeyedAgent[M]:
        """The keyed loop of one input topic: ``decide`` in the loop, the effects in lanes."""

        async def route(event: Any, record: M) -> Lane | None:
            return self._lane(event, await decide(event, record))

        return KeyedAgent(
            agent=AGENT,
            model=model,
            serde=self.services.serde(topic),
            producer=self.services.producer,
            acks=self.acks,
            lanes=self.lanes,
            route=route,
            undecodable=self._count_dead_letter,
        )

    async def _webhook_agent(self, stream: Any) -> None:
        await self._keyed(SHOPIFY_WEBHOOKS, ShopifyEvent, self.decide_webhook).run(stream)

    async def _complaint_agent(self, stream: Any) -> None:
        await self._keyed(SUPPORT_COMPLAINTS, ComplaintSubmitted, self.decide_complaint).run(stream)

    def _count_dead_letter(self) -> None:
        self.stats["dead_lettered"] += 1

    async def _case_end_agent(self, stream: Any) -> None:
        """Record every case that ended, so its next trigger opens a new generation."""
        serde = self.services.serde(CASES_STATE)
        async for event in stream.events():
            try:
                state = CaseState.from_avro(serde.decode(event.value))
            except (DeserializationError, ValueError, TypeError):
                continue  # the escalation stage dead-letters undecodable states
            self.record_state(state)

    def record_state(self, state: CaseState) -> None:
        """Remember ``state``'s case as ended when its status ends it (the first end counts)."""
        if state.status in ENDED and self.case_ends.get(state.case_id) is None:
            self.case_ends[state.case_id] = {
                "status": state.status.value,
                "at": state.updated_at.isoformat(),
            }

    def _lane(self, event: Any, pending: Sequence[Pending | Ending]) -> Lane | None:
        """A record's effects in its key's lane; None (done at once) when it has none."""
        if not pending:
            return None
        return Lane(event.message.key, functools.partial(self._open, pending))

    # --- handling ----------------------------------------------------------------------------

    async def decide_webhook(self, event: Any, record: ShopifyEvent) -> list[Pending | Ending]:
        """Classify one Shopify event (already decoded): the case requests it causes."""
        self.stats["events"] += 1
        source = source_of(event)
        subject_key = subject_key_of(record)
        seen = see_event(self.subjects.get(subject_key), record, source)
        redelivered = seen.redelivered
        if seen.duplicate:
            self.stats["duplicates"] += 1
            return []
        self.subjects[subject_key] = seen.subject
        if seen.stale:
            # A late delivery of an older state: acting on it would undo newer facts.
            self.stats["stale"] += 1
            log.info(
                "stale %s for %s ignored (%s < %s)",
                record.topic,
                subject_key,
                seen.updated_at,
                seen.last,
            )
            # Still a fact about the stock at its time (another location's level, say):
            # levels are kept in time order, so a late one takes its place in the history.
            self._keep_levels(record)
            return []
        if not is_known_topic(record.topic):
            self.stats["unknown_topics"] += 1
            return []

        policy = self.services.policy_for(record.shop)  # the shop's overlay over the base
        stats_key = f"{record.shop}|{event.message.partition}"
        raw_stats = self.shop_stats.get(stats_key)
        shop_stats = ShopStats.model_validate_json(raw_stats) if raw_stats else ShopStats()
        fingerprints, content_state = self._content_views(record, policy, source, redelivered)
        context = ClassifyContext(
            shop_stats=shop_stats,
            complaint_history=_JsonMapping(self.complaint_history),
            content_fingerprints=fingerprints,
            content_state=content_state,
            ended_cases=_Ended(self.case_ends),
            storefront=await self._storefront(record, policy),
            split_origin=await self._split_origin(record, policy),
            inventory_variants=self.inventory_variants,
            inventory_levels=self.inventory_levels,
        )
        now = datetime.now(UTC)
        try:
            requests = classify_event(record, policy, context, now)
        except ClassificationError as exc:
            self.stats["dead_lettered"] += 1
            await dead_letter(
                self.services.producer, event, reason=str(exc), error_class="classification"
            )
            return []
        if not requests:
            # Recorded, not dropped: a known topic whose event needs no decision.
            self.stats["not_actionable"] += 1
            EVENTS_NOT_ACTIONABLE.labels(record.topic).inc()
        closing = [r for r in requests if r.closing_reason() is not None]
        try:
            endings = self._endings(closing, policy)
        except EndingUnrecordable as exc:
            self.stats["dead_lettered"] += 1
            await dead_letter(
                self.services.producer, event, reason=str(exc), error_class="dispute-ending"
            )
            return []
        opening = [r for r in requests if r.closing_reason() is None]
        pending: list[Pending | Ending] = [*self._decide(opening, source), *endings]
        sample = order_total_sample(record)
        if sample is not None and not redelivered:
            window = policy.orders.review.value.average_window
            self.shop_stats[stats_key] = update_stats(
                shop_stats, sample, window=window
            ).model_dump_json()
        seen_text = storefront_fingerprint(record, policy, context)
        if seen_text is not None:
            self.fingerprints[seen_text[0]] = seen_text[1]
        fingerprint = product_fingerprint(record, policy)
        if fingerprint is not None:
            self._remember_content(record, policy, context, pending)
            self.fingerprints[fingerprint[0]] = fingerprint[1]
        self._keep_inventory(record)
        return pending

    def _content_views(
        self, record: ShopifyEvent, policy: Any, source: str, redelivered: bool
    ) -> tuple[Mapping[str, str], Mapping[str, str]]:
        """The content tables as the rules must see them for this record.

        Both are updated in the decision phase, before the effects (the hold, the
        request): a record read again after a crash must be classified against
        the state *before* it, or its change would look already seen and its case
        and hold would be lost. So the state before each product event is kept
        with the event's ``partition:offset``, and a redelivery reads that.
        """
        try:
            found = product_fingerprint(record, policy)
        except ClassificationError:
            return self.fingerprints, self.content_state  # dead-lettered by the rules
        if found is None:
            return self.fingerprints, self.content_state
        key = found[0]
        before = self.content_before.get(key)
        if redelivered and before is not None and before.get("source") == source:
            return (
                _Overlay(self.fingerprints, {key: before.get("fingerprint")}),
                _Overlay(self.content_state, {key: before.get("state")}),
            )
        self.content_before[key] = {
            "source": source,
            "fingerprint": self.fingerprints.get(key),
            "state": self.content_state.get(key),
        }
        return self.fingerprints, self.content_state

    async def _storefront(self, record: ShopifyEvent, policy: Any) -> StorefrontText | None:
        """The theme files or shop policies a theme / ``shop/update`` event is about, read now.

        Rare events (a merchant saving the theme or a policy), so the read runs in
        the consuming loop, bounded by :data:`~streams.classify.enrich.storefront.READ_TIMEOUT_S`.
        """
        if not needs_text(record.topic, policy):
            return None
        if record.shop not in self.services.shops:
            return StorefrontText(error=f"shop {record.shop} is not in the shop registry")
        with call_class(Priority.ENRICH):
            return await read_storefront(self.services.shopify_for(record.shop), record, policy)

    async def _split_origin(self, record: ShopifyEvent, policy: Any) -> SplitOrigin | None:
        """For a split webhook: its order and whether the split was casebridge's own (read now).

        Rare events, read in the consuming loop like the storefront's: the rules must
        know before they open a case whether our own write-back caused it.
        """
        fulfillment_order_id = split_fulfillment_order(record, policy)
        if fulfillment_order_id is None:
            return None
        if record.shop not in self.services.shops:
            return SplitOrigin(error=f"shop {record.shop} is not in the shop registry")
        with call_class(Priority.ENRICH):
            return await read_split_origin(
                self.services.shopify_for(record.shop), fulfillment_order_id
            )

    def _remember_content(
        self,
        record: ShopifyEvent,
        policy: Any,
        context: ClassifyContext,
        pending: Sequence[Pending | Ending],
    ) -> None:
        """Store the product's content state; a change under review names its case."""
        key, state = content_state_after(record, policy, context)
        if state is None:
            return
        reviewing = [
            p.request.case_id
            for p in pending
            if isinstance(p, Pending) and p.request.case_type is CaseType.CONTENT_REVIEW
        ]
        if reviewing and state.proposal is not None:
            state = state.model_copy(update={"pending_case": reviewing[0]})
        self.content_state[key] = state.model_dump_json()

    def _keep_inventory(self, record: ShopifyEvent) -> None:
        """Keep the stock facts of a product or inventory webhook (validated by classify)."""
        self._keep_levels(record)
        for key, entry in inventory.variant_entries(record):
            self.inventory_variants[key] = entry

    def _keep_levels(self, record: ShopifyEvent) -> None:
        try:
            updates = inventory.level_updates(record)
        except ClassificationError:
            return  # only reached for a stale record, which classify never reads
        for key, update in updates:
            self.inventory_levels[key] = inventory.merge_level(
                self.inventory_levels.get(key), update
            )

    async def decide_complaint(self, event: Any, record: ComplaintSubmitted) -> list[Pending]:
        """Classify one submitted complaint (already decoded): its case request."""
        self.stats["events"] += 1
        context = ClassifyContext(complaint_history=_JsonMapping(self.complaint_history))
        try:
            policy = self.services.policy_for(record.shop)
            request = classify_complaint(record, policy, context, datetime.now(UTC))
        except ClassificationError as exc:
            self.stats["dead_lettered"] += 1
            await dead_letter(
                self.services.producer, event, reason=str(exc), error_class="classification"
            )
            return []
        return self._decide([request], source_of(event))

    def _endings(self, requests: Sequence[CaseRequest], policy: Policy) -> list[Ending]:
        """What ended disputes do: never a case of their own (nor a new generation).

        The outcome goes on the order (a decision of the dispute's current case);
        the case is closed only while it is open. The open-cases entry remembers
        the status recorded, so a second ``disputes/update`` with the same ending
        changes nothing.
        """
        endings = []
        for request in requests:
            known = self.generations.get(request.case_id) or {}
            current = str(known.get("case_id") or request.case_id)
            entry = self.open_cases.get(current)
            status = next(
                (v.value for v in request.variables if v.name == "disputeFinalStatus"), None
            )
            if entry is not None and entry.get("ended_as") == status:
                self.stats["duplicates"] += 1
                continue
            ended = request.model_copy(update={"case_id": current})
            decision = self.endings.final_decision(ended, current, policy.decisions)
            close = entry is not None and self.case_ends.get(current) is None
            if entry is not None:
                self.open_cases[current] = {**entry, "ended_as": status}
            self.stats["disputes_ended"] += 1
            endings.append(Ending(ended, decision, close))
        return endings

    def _decide(self, requests: Sequence[CaseRequest], source: str) -> list[Pending]:
        """Record each request in the open-cases table and the complaint history."""
        pending = []
        for decided in requests:
            request, first, unseen = self._generation(decided, source)
            if request is None:
                continue
            policy = self.services.policy_for(request.shop)
            # Only complaints count towards a customer's repeated-complaint history.
            key = complaint_key_of(request) if request.case_type is CaseType.COMPLAINT else None
            if key is not None:
                raw = self.complaint_history.get(key)
                history = ComplaintHistory.model_validate_json(raw) if raw else None
                self.complaint_history[key] = record_complaint(
                    history,
                    request.case_id,
                    request.requested_at,
                    window=policy.complaints.repeat.window,
                ).model_dump_json()
            pending.append(Pending(request, first=first, unseen=unseen))
        return pending

    def _generation(
        self, request: CaseRequest, source: str
    ) -> tuple[CaseRequest | None, bool, bool]:
        """``(request with its current generation's id, first, unseen)``; None drops it."""
        base = request.case_id
        known = self.generations.get(base) or {}
        generation = int(known.get("generation") or 1)
        current = str(known.get("case_id") or base)
        request = request.model_copy(update={"case_id": current})
        existing = self.open_cases.get(current)
        codes = sorted({reason.code for reason in request.reasons})
        if existing is None:
            self._new_generation(request, source, codes)
            return request, True, True
        # A redelivery of the record that first requested this generation is still "first".
        if existing.get("source") == source:
            return request, True, False
        covered = list(existing.get("codes") or [])
        if self.case_ends.get(current) is not None:
            if not renews(request.case_type, covered, codes):
                # What the ended case already covered (e.g. the orders/updated our own
                # write-back caused): nothing new to decide.
                self.stats["after_end"] += 1
                return None, False, False
            generation += 1
            renewed = request.model_copy(update={"case_id": generation_id(base, generation)})
            self.generations[base] = {"generation": generation, "case_id": renewed.case_id}
            self._new_generation(renewed, source, codes)
            self.stats["generations"] += 1
            log.info("case %s ended; a new trigger opens %s", current, renewed.case_id)
            return renewed, True, True
        # Same subject, same case type, still open: the sink attaches this
        # update to the existing process instance instead of a new one.
        self.stats["updates_attached"] += 1
        if not set(codes) <= set(covered):
            self.open_cases[current] = {**existing, "codes": sorted({*covered, *codes})}
        return request, False, False

    def _new_generation(self, request: CaseRequest, source: str, codes: list[str]) -> None:
        self.open_cases[request.case_id] = {
            "status": CaseStatus.REQUESTED.value,
            "at": request.requested_at.isoformat(),
            "held": False,
            "source": source,
            "codes": codes,
        }
        self.stats["cases"] += 1

    async def _open(self, pending: Sequence[Pending | Ending]) -> None:
        """The effects of one record's requests: hold, enrich, publish (in its lane).

        The hold goes first: it is the one effect with a deadline (a fulfillment
        app may pick the order within seconds) and its calls are of the most
        urgent budget class. Enrichment follows only for a case's first request
        (an update carries its own webhook's facts; the case was enriched when
        it opened), and is deferred when the store's budget is short, so a lane
        never sits waiting for points.
        """
        for item in pending:
            if isinstance(item, Ending):
                await self._end(item)
                continue
            request = item.request
            # The review hold goes on once, when the case is first requested (later
            # updates of the case, e.g. the orders/updated our own write-backs cause
            # after the decision released the hold, must not hold the order again),
            # and only on an order of a shop in the registry (each held with its own client).
            entry = dict(self.open_cases.get(request.case_id) or {})
            if (
                not entry.get("held")
                and self.enricher.would_hold(request)
                and request.shop in self.services.shops
                and not (item.unseen and await self._opened_before(request))
            ):
                with call_class(Priority.PROTECT):
                    request = await self.enricher.hold(request)
                if _holds_placed(request):
                    self.open_cases[request.case_id] = {**entry, "held": True}
            deferred = False
            if item.first:
                policy = self.services.policy_for(request.shop)
                # A case whose routing waits on enrichment is never opened before it.
                routing = routed_by_enrichment(request, policy)
                if self.enricher.should_defer(request) and not routing:
                    request = self.enricher.deferred(request)
                    deferred = True
                else:
                    with call_class(Priority.ENRICH):
                        request = await self.enricher.enrich(request)
                    request = self._after_enrichment(request)
            await self._publish(request, first=item.first)
            if deferred:
                self.deferred.submit(request)

    async def _publish_update(self, request: CaseRequest) -> None:
        """Publish a deferred case's enriched request: the sink attaches it to the case."""
        await self._publish(self._after_enrichment(request), first=False)

    def _after_enrichment(self, request: CaseRequest) -> CaseRequest:
        """The rules that needed the Shopify context (return window, segment from tags)."""
        return after_enrichment(request, self.services.policy_for(request.shop))

    async def _end(self, ending: Ending) -> None:
        """Publish an ended dispute's decision, and its closing request while the case is open."""
        case_id = ending.request.case_id
        sends = [self.services.emit(AGENT, CASES_DECISIONS, ending.decision, case_id)]
        if ending.close:
            sends.append(self.services.emit(AGENT, CASES_REQUESTS, ending.request, case_id))
        await asyncio.gather(*sends)

    async def _opened_before(self, request: CaseRequest) -> bool:
        """Whether OpenText already has the case, though the open-cases table does not.

        The table misses a case whose entry was written on another worker and not
        yet in the changelog this worker recovered (a rebalance, a crash). Such a
        case was held when it first opened, and its decision may have released
        the hold since: holding again would block an approved order. OpenText
        unreachable: False (the hold handle still keeps it to one hold at a time).
        """
        CALL_SHOP.set(request.shop)
        try:
            model_key = self.services.model_key(request.shop, request.case_type.value)
            if model_key is None:
                return False
            # Bounded: an OpenText outage must not delay the hold of a new case.
            found = await asyncio.wait_for(
                self.services.opentext.find_historic_process_instances(request.case_id, model_key),
                timeout=OPENED_LOOKUP_TIMEOUT_S,
            )
        except Exception as exc:  # no OpenText, an outage, a timeout: hold as for a new case
            log.warning("case %s: OpenText lookup before the hold failed: %s", request.case_id, exc)
            return False
        if found:
            log.info("case %s already opened in OpenText: no second hold", request.case_id)
        return bool(found)

    async def _publish(self, request: CaseRequest, *, first: bool) -> None:
        # Both records go to the producer before either acknowledgement is awaited:
        # one broker round trip per case instead of two. The agent handles one record
        # at a time, so that wait set its pace (bench/pipeline.py, docs/benchmarks.md).
        # The request is enqueued first and one producer keeps per-partition order,
        # so REQUESTED still lands before the sink's OPEN.
        sends = [self.services.emit(AGENT, CASES_REQUESTS, request, request.case_id)]
        if first:
            state = CaseState(
                case_id=request.case_id,
                case_type=request.case_type,
                shop=request.shop,
                subject_id=request.subject_id,
                status=CaseStatus.REQUESTED,
                priority=request.priority,
                sla_due_at=request.sla_due_at,
                detail="; ".join(r.code for r in request.reasons)[:500] or None,
                updated_at=datetime.now(UTC),
            )
            sends.append(self.services.emit(AGENT, CASES_STATE, state, request.case_id))
        await asyncio.gather(*sends)


class _Overlay(Mapping[str, str]):
    """A table with some keys read as other values (None: as absent)."""

    def __init__(self, table: Any, overrides: Mapping[str, str | None]) -> None:
        self._table = table
        self._overrides = overrides

    def __getitem__(self, key: str) -> str:
        if key in self._overrides:
            value = self._overrides[key]
            if value is None:
                raise KeyError(key)
            return value
        value = self._table.get(key)
        if value is None:
            raise KeyError(key)
        return str(value)

    def __iter__(self) -> Iterator[str]:
        return iter({*self._table.keys(), *self._overrides})

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Ended:
    """The ids of ended cases, as a container over the case-ends table."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def __contains__(self, case_id: object) -> bool:
        return isinstance(case_id, str) and self._table.get(case_id) is not None


class _JsonMapping(Mapping[str, ComplaintHistory]):
    """A read-only view of a table of JSON-encoded complaint histories."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def __getitem__(self, key: str) -> ComplaintHistory:
        raw = self._table.get(key)
        if not raw:
            raise KeyError(key)
        return ComplaintHistory.model_validate_json(raw)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._table.keys()))

    def __len__(self) -> int:
        return len(self._table)


def register(
    app: faust.App,
    services: Services,
    enricher: Enricher | None = None,
    *,
    endings: FinalDecisions,
) -> Classifier:
    """Declare the classify stage on ``app``; ``endings`` records disputes that ended."""
    return Classifier(app, services, enricher or NoEnrichment(), endings)


def build_enricher(services: Services) -> ShopEnrichers:
    """One enricher per registered shop, each over that shop's shared client and budget."""
    return ShopEnrichers(
        services.shopify_for,
        lambda shop: shop in services.shops,
        services.settings.enrich,
    )


def register_classify(app: faust.App, services: Services, *, endings: FinalDecisions) -> Classifier:
    """Declare the classify stage on ``app`` with Shopify enrichment and holds (role ``classify``).

    Builds a :class:`~streams.classify.enrich.ShopifyEnricher` per shop on that
    shop's shared, cost-aware Shopify client (:mod:`streams.classify.enrich.shops`);
    :func:`register` without an enricher runs the stage with ``NoEnrichment``.
    """
    return register(app, services, build_enricher(services), endings=endings)


__all__ = [
    "Classifier",
    "Enricher",
    "NoEnrichment",
    "build_enricher",
    "content_key",
    "register",
    "register_classify",
]
