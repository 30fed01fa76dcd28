"""The OpenText sink: ``cases.requests`` -> one process instance per case.

* The model (processDefinitionKey) is chosen per case type from settings;
  the ``businessKey`` is the case id. A changelogged table (the *ledger*)
  remembers every case id this stage has touched: ``starting`` is written,
  and flushed to its changelog, before the start request is sent, and
  ``open`` with the instance id once it answered. A case id the ledger has
  never seen, in a request written after the ledger began keeping that
  partition (its *epoch*), cannot have an instance: it is started with a
  single call. Everything else is looked up by business key first: a case
  left ``starting`` (a crash or a timeout after sending the start), and any
  request older than the ledger (another app id, a reset offset, a lost
  changelog), so a replay never opens a second instance. A request for a
  case that is already open is attached to it as updated variables.
* Many requests are in flight across case ids, never two for one case id
  (:class:`~streams.runtime.lanes.KeyedLanes`); offsets are acknowledged only
  when a request is done, so a crash re-delivers what was in flight.
* OpenText unavailable (429/5xx/timeouts after the client's own retries):
  the request waits and tries again, without limit, so an outage only delays
  cases. OpenText refusing our credentials or region (:class:`OpenTextAuthError`,
  e.g. the gateway's ``{"fault": ...}``) is waited out the same way, slower:
  every case would fail alike, so none is dead-lettered; each refusal is
  counted and the stage's health note (operations page, ``casebridge lag``)
  says why its partitions stopped. A permanent refusal (4xx) goes to ``cases.requests.dlq`` with the
  status, error class, body excerpt and attempt count, and the pipeline goes on.
* Emits ``CaseOpened`` and ``CaseState`` (OPEN, or FAILED with the reason).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from datetime import UTC, datetime
from typing import Any

import faust

from connectors.opentext import (
    OpenTextAuthError,
    OpenTextNotFoundError,
    OpenTextRequestError,
    OpenTextUnavailableError,
    Variable,
)
from connectors.opentext.models import ProcessInstance
from connectors.retry import RetryPolicy
from schemas.records import (
    CaseOpened,
    CaseRequest,
    CaseState,
    CaseStatus,
)
from streams.kafka.health import RemoteHealth, notes_publisher
from streams.kafka.watermark import KafkaWatermarkStore
from streams.ops.metrics import CALL_SHOP, OPENTEXT_AUTH_ERRORS
from streams.runtime.acks import InOrderAcks
from streams.runtime.barrier import FlushBarrier
from streams.runtime.lanes import KeyedLanes
from streams.runtime.records import dead_letter, decode_or_dead_letter
from streams.services import Services
from streams.sink.ledger import LEDGER_TABLE, after_epoch
from streams.sink.variables import opentext_variables, update_variables
from streams.topics import CASES_OPENED, CASES_REQUESTS, CASES_STATE

log = logging.getLogger(__name__)

AGENT = "sink"

#: What the sink counts (exposed on the operations page).
STATS = ("opened", "attached", "dead_lettered", "waits", "auth_waits", "after_end", "lookups")


class Sink:
    """The OpenText sink stage of one worker."""

    def __init__(self, app: faust.App, services: Services) -> None:
        self.app = app
        self.services = services
        self.requests = app.topic(
            CASES_REQUESTS, key_type=bytes, value_type=bytes, value_serializer="raw"
        )
        self.lanes = KeyedLanes(services.settings.sink_concurrency)
        # Faust commits past an unacknowledged record if later ones are acked first.
        self.acks = InOrderAcks()
        # Waiting out an OpenText outage: capped, jittered, never giving up.
        self.outage_backoff = RetryPolicy(
            initial_interval_s=1.0, maximum_interval_s=15.0, maximum_attempts=0
        )
        # Refused credentials need a person: retry rarely, but keep retrying.
        self.auth_backoff = RetryPolicy(
            initial_interval_s=5.0, maximum_interval_s=60.0, maximum_attempts=0
        )
        settings = services.settings
        notes = KafkaWatermarkStore(settings.kafka.confluent_config(), services.producer)
        self.opentext_health = RemoteHealth(
            "opentext",
            AGENT,
            OPENTEXT_AUTH_ERRORS,
            publish=notes_publisher(notes, settings.app_id, settings.kafka.replication_factor),
        )
        # case id -> {"state": "starting"} | {"state": "open", "instance": id}. Keyed and
        # partitioned like cases.requests, so a partition's owner holds its ledger.
        self.ledger = app.Table(LEDGER_TABLE, default=None)
        self.started_at = time.time()
        # The cases in flight share producer flushes instead of one flush each.
        self.ledger_flushes = FlushBarrier(lambda: app.producer.flush())
        self.stats = dict.fromkeys(STATS, 0)
        app.agent(self.requests, name="casebridge.opentext-sink")(self._agent)

    async def _agent(self, stream: Any) -> None:
        serde = self.services.serde(CASES_REQUESTS)
        async for event in stream.noack().events():
            done = self.acks.track(event)
            request = await decode_or_dead_letter(
                serde, CaseRequest, self.services.producer, event, agent=AGENT
            )
            if request is None:
                self.stats["dead_lettered"] += 1
                done()
                continue
            await self.lanes.submit(
                request.case_id, functools.partial(self.open_case, event, request), done
            )

    async def open_case(self, event: Any, request: CaseRequest) -> None:
        """Open (or update) the process instance of one case request."""
        CALL_SHOP.set(request.shop)  # labels this case's OpenText calls (per task)
        model_key = self.services.model_key(request.shop, request.case_type.value)
        if model_key is None:
            await self._fail(event, request, f"no OpenText model for {request.case_type.value}")
            return
        try:
            variables = opentext_variables(request)
        except ValueError as exc:
            # Permanent: retrying cannot fix the record, and raising would stall the offset.
            await self._fail(event, request, str(exc), error_class="invalid-variable")
            return
        entry = self.ledger.get(request.case_id)
        known = entry.get("instance") if entry and entry.get("state") == "open" else None
        look_up = entry is not None or not self._after_epoch(event)
        if entry is None:
            # Write-ahead: once "starting" is in the changelog, a crash after the
            # start request went out makes the next attempt look the case up.
            self.ledger[request.case_id] = {"state": "starting"}
            await self._ledger_durable()
        found = await self._open_or_attach(
            event, request, model_key, variables, known=known, look_up=look_up
        )
        if found is None:
            return
        instance_id, created = found
        if known is None:
            self.ledger[request.case_id] = {"state": "open", "instance": instance_id}
        self.stats["opened" if created else "attached"] += 1
        now = datetime.now(UTC)
        opened = CaseOpened(
            case_id=request.case_id,
            case_type=request.case_type,
            shop=request.shop,
            process_instance_id=instance_id,
            process_definition_key=model_key,
            business_key=request.case_id,
            opened_at=now,
            already_existed=not created,
        )
        state = CaseState(
            case_id=request.case_id,
            case_type=request.case_type,
            shop=request.shop,
            subject_id=request.subject_id,
            status=CaseStatus.OPEN,
            process_instance_id=instance_id,
            priority=request.priority,
            sla_due_at=request.sla_due_at,
            detail=None if created else "update attached to the open case",
            updated_at=now,
        )
        await self.services.emit(AGENT, CASES_OPENED, opened, request.case_id)
        await self.services.emit(AGENT, CASES_STATE, state, request.case_id)

    async def _open_or_attach(
        self,
        event: Any,
        request: CaseRequest,
        model_key: str,
        variables: list[Variable],
        *,
        known: str | None,
        look_up: bool,
    ) -> tuple[str, bool] | None:
        """``(instance id, created)``, or None when the request needs nothing more.

        ``known``: the instance the ledger recorded for this case (attach to it).
        ``look_up``: whether an instance may exist though the ledger has no id
        for it; otherwise the first attempt starts without a lookup.
        """
        client = self.services.opentext
        name = f"{request.case_type.value} {request.subject_id}"
        attempt = 0
        while True:
            attempt += 1
            try:
                if known is not None:
                    instance_id, created = known, False
                elif look_up:
                    self.stats["lookups"] += 1
                    instance, created = await client.ensure_process_instance(
                        model_key, request.case_id, variables, name=name
                    )
                    instance_id = instance.id
                    await self.opentext_health.success()
                    if not created and _ended(instance):
                        # The case was decided already (e.g. the orders/updated our own
                        # write-back caused): nothing to attach to, and no failure either.
                        self.stats["after_end"] += 1
                        self.ledger[request.case_id] = {"state": "open", "instance": instance_id}
                        log.info(
                            "case %s: update after its instance %s ended; not attached",
                            request.case_id,
                            instance_id,
                        )
                        return None
                else:
                    # Not retried inside the client: a start that timed out may have
                    # succeeded, so the next round looks the business key up first.
                    started = await client.start_process_instance(
                        model_key, request.case_id, variables, name, retry=False
                    )
                    instance_id, created = started.id, True
                    await self.opentext_health.success()
                if not created:
                    try:
                        await client.set_variables(instance_id, update_variables(request))
                    except OpenTextNotFoundError:
                        # The case ended (decided) between the lookup and the update,
                        # or was found in history: nothing left to attach it to.
                        log.info("case %s already closed; update not attached", request.case_id)
                        self.stats["after_end"] += 1
                        return None
                    await self.opentext_health.success()
                return instance_id, created
            except OpenTextRequestError as exc:
                await self._fail(event, request, str(exc), exc)
                return None
            except OpenTextAuthError as exc:
                look_up = True
                self.stats["auth_waits"] += 1
                await self.opentext_health.failure(exc)
                await asyncio.sleep(self.auth_backoff.delay_s(attempt))
            except OpenTextUnavailableError as exc:
                look_up = True
                self.stats["waits"] += 1
                delay = self.outage_backoff.delay_s(attempt)
                log.warning(
                    "OpenText unavailable for %s (%s); retry in %.1fs", request.case_id, exc, delay
                )
                await asyncio.sleep(delay)

    def _after_epoch(self, event: Any) -> bool:
        """Whether the record was written after the ledger began keeping its partition."""
        message = event.message
        return after_epoch(self.ledger, message.partition, message.timestamp, self.started_at)

    async def _ledger_durable(self) -> None:
        """Wait until the ledger writes so far are in the changelog (acks=all)."""
        await self.ledger_flushes.wait()

    async def _fail(
        self,
        event: Any,
        request: CaseRequest,
        reason: str,
        exc: OpenTextRequestError | None = None,
        *,
        error_class: str = "opentext-request",
    ) -> None:
        self.stats["dead_lettered"] += 1
        await dead_letter(
            self.services.producer,
            event,
            reason=reason,
            error_class=exc.error_class if exc and exc.error_class else error_class,
            status=exc.status if exc else None,
            body_excerpt=exc.body_excerpt if exc else None,
        )
        state = CaseState(
            case_id=request.case_id,
            case_type=request.case_type,
            shop=request.shop,
            subject_id=request.subject_id,
            status=CaseStatus.FAILED,
            priority=request.priority,
            sla_due_at=request.sla_due_at,
            detail=reason[:500],
            updated_at=datetime.now(UTC),
        )
        await self.services.emit(AGENT, CASES_STATE, state, request.case_id)


def _ended(instance: ProcessInstance) -> bool:
    """Whether the instance found for a case has ended (found in history with an end)."""
    return bool(instance.ended or getattr(instance, "end_time", None) is not None)


def register(app: faust.App, services: Services) -> Sink:
    """Declare the OpenText sink stage on ``app``."""
    return Sink(app, services)
