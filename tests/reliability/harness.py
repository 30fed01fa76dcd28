"""The reliability harness: a private stack, a pipeline of real processes, an end-state audit.

Every scenario runs the same shape of workload against real processes: both
emulators, one or more ``casebridge worker`` processes (one consumer group),
and a broker + registry of the suite's own (:func:`private_stack`), so that
nothing other engineers run on the shared stack can add records, consumers or
dead letters to the counts. The OpenText emulator decides every task itself
(``decisions: auto``), so each trigger travels the whole loop: webhook ->
case -> decision -> Shopify effect.

:func:`audit` then compares the end state with the workload: every trigger
must have exactly one process instance (counted per businessKey and per
order) and every decision exactly one effect in Shopify (holds released,
one cancellation, one refund per cancelled order, and per approved return
one refund or one replacement order, as its ``resolution`` says).
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import yaml
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from connectors.serde import AvroSerde, RegistryClient
from connectors.shopify.webhooks import SUBSCRIBED_TOPICS
from deploy.local.stack import LocalStack
from emulators.mail import running_inbox
from streams.settings import load_settings
from tests.conftest import free_port
from tests.integration.pipeline.harness import (
    Emulators,
    Worker,
    all_records,
    start_process,
    start_worker,
    variables_of,
    wait_http,
    wait_until,
    worker_env,
)

#: The case each scenario kind opens, and the OpenText model that holds it.
MODELS = {
    "risky_order": "casebridge.order_review",
    "return_request": "casebridge.return_review",
}
#: Auto decisions: order reviews go either way (release vs. cancel + refund),
#: returns are approved (approve + refund or replacement), offline intakes approved (order created).
DECISION_POLICIES = {
    "casebridge.order_review": {"weights": {"approved": 1, "rejected": 1}},
    "casebridge.return_review": {"weights": {"approved": 1}},
    "casebridge.offline_order": {"weights": {"approved": 1}},
}
OUTCOME_VARIABLE = "approvalStatus"
#: How long the audit waits after a clean look before the look that counts.
SETTLE_S = 6.0
TENANT = "casebridge-dev"
SHOPIFY_TOKEN = "shpat_emulator_token"


# --- the suite's own broker and registry ---------------------------------------------------


@contextmanager
def private_stack() -> Iterator[LocalStack]:
    """A Kafka broker + Apicurio registry on free ports with a data dir of their own.

    Not a pytest tmp dir: pytest prunes old basetemps, and a concurrent session
    could delete the data dir under the running broker.
    """
    root = Path(tempfile.mkdtemp(prefix="casebridge-reliability-"))
    settings = load_settings().stack.model_copy(
        update={
            "kafka_port": free_port(),
            "controller_port": free_port(),
            "registry_port": free_port(),
            "data_dir": root / "data",
            "log_dir": root / "logs",
        }
    )
    stack = LocalStack(settings, num_partitions=6)
    try:
        stack.up(fresh=True)
        _create_topics(stack)
        yield stack
    finally:
        stack.down()
        shutil.rmtree(root, ignore_errors=True)


def _create_topics(stack: LocalStack) -> None:
    """Create casebridge's topics and wait until every partition has a leader."""
    import os
    import subprocess

    from streams.kafka.groups import AGENT_SOURCES
    from tests.integration.pipeline.harness import ROOT

    env = {
        **os.environ,
        "CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "CASEBRIDGE_REGISTRY__URL": stack.registry_url,
    }
    done = subprocess.run(
        [sys.executable, "-m", "streams.cli", "topics"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    consumer = Consumer({"bootstrap.servers": stack.bootstrap_servers, "group.id": "rel-probe"})

    def led() -> bool:
        for topic in AGENT_SOURCES:
            for p in consumer.list_topics(topic, timeout=10).topics[topic].partitions:
                consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=5)
        return True

    try:
        wait_until(led, 60, "leaders for every partition", 0.5)
    finally:
        consumer.close()


def stop_broker(stack: LocalStack) -> None:
    """Stop the broker alone (SIGTERM, as an orderly broker shutdown); the registry stays."""
    import os
    import signal

    pid = stack.running_pid("kafka")
    assert pid is not None, "the broker is not running"
    os.kill(pid, signal.SIGTERM)
    wait_until(lambda: stack.running_pid("kafka") is None, 60, "the broker to stop", 0.2)


# --- a pipeline of real processes ----------------------------------------------------------


@dataclass
class Pipeline:
    """Emulators and workers of one scenario, all in one consumer group."""

    shop: str
    emulators: Emulators
    bootstrap: str
    registry_url: str
    logs: Path
    app_id: str
    worker_extra: dict[str, str]
    workers: list[Worker] = field(default_factory=list)
    envs: dict[str, dict[str, str]] = field(default_factory=dict)
    """Each worker's environment by name (a restart reuses it: same app id, port, data)."""

    def env_for(self, name: str, web_port: int | None = None) -> dict[str, str]:
        """The environment of worker ``name`` (created once, then reused)."""
        if name not in self.envs:
            self.envs[name] = worker_env(
                app_id=self.app_id,
                web_port=web_port or free_port(),
                bootstrap_servers=self.bootstrap,
                registry_url=self.registry_url,
                data_dir=self.logs / f"{name}-data",
                emulators=self.emulators,
                extra={"CASEBRIDGE_SHOPIFY__SHOP_DOMAIN": self.shop, **self.worker_extra},
            )
        return self.envs[name]

    def start(
        self, name: str, *, reset_offsets: bool = True, web_port: int | None = None
    ) -> Worker:
        """Start (or restart) worker ``name`` with every role."""
        worker = start_worker(
            name, self.env_for(name, web_port), self.logs, reset_offsets=reset_offsets
        )
        self.workers = [w for w in self.workers if w.process.name != name]
        self.workers.append(worker)
        return worker

    def worker(self, name: str) -> Worker:
        """The running worker called ``name``."""
        return next(w for w in self.workers if w.process.name == name)

    def logs_tail(self, chars: int = 2500) -> str:
        """The end of every worker's log, for assertion messages."""
        return "\n".join(f"--- {w.process.name}\n{w.process.log_tail(chars)}" for w in self.workers)

    # --- Shopify ---------------------------------------------------------------------------

    def seed(self, kinds: list[str], n: int) -> list[Trigger]:
        """``n`` scenario events cycling through ``kinds``; their webhooks go to ingress."""
        body = {
            "shop": self.shop,
            "scenario": {"n": n, "seed": random.randrange(1 << 30), "kinds": kinds},
        }
        response = httpx.post(f"{self.emulators.shopify_url}/_emulator/seed", json=body, timeout=60)
        response.raise_for_status()
        return [Trigger(e["kind"], numeric_id(e["order_id"])) for e in response.json()["scenario"]]

    def shopify_faults(self, body: dict[str, Any] | None) -> None:
        """Set (or, with None, clear) Shopify emulator faults."""
        url = f"{self.emulators.shopify_url}/_emulator/faults"
        if body is None:
            httpx.delete(url, timeout=10).raise_for_status()
        else:
            httpx.post(url, json=body, timeout=10).raise_for_status()

    def shop_state(self) -> dict[str, Any]:
        """This scenario's shop in the Shopify emulator."""
        shops = self.emulators.shopify_state()["shops"]
        shop: dict[str, Any] = next(s for s in shops if s["domain"] == self.shop)
        return shop

    def post_webhook(
        self,
        topic: str,
        body: bytes,
        *,
        event_id: str | None = None,
        hmac_value: str | None = None,
        worker: Worker | None = None,
    ) -> httpx.Response:
        """POST one webhook to a worker's ingress, signed with the app secret."""
        from tests.integration.pipeline.harness import webhook_headers

        target = worker or self.workers[0]
        headers = webhook_headers(
            topic, body, shop=self.shop, event_id=event_id, hmac_value=hmac_value
        )
        return httpx.post(target.webhook_url, content=body, headers=headers, timeout=30)

    # --- OpenText --------------------------------------------------------------------------

    def instances(self) -> list[dict[str, Any]]:
        """Every process instance of this scenario's shop (with variables)."""
        return [
            i
            for i in self.emulators.instances()
            if variables_of(i).get("shop") in (self.shop, None)
        ]

    def opentext(self) -> httpx.Client:
        """An authenticated client of the OpenText emulator's runtime API."""
        return httpx.Client(
            base_url=f"{self.emulators.opentext_url}/workflow/v1",
            headers={"Authorization": f"Bearer {_ot_token(self.emulators.opentext_url)}"},
            timeout=15,
        )

    # --- Kafka -----------------------------------------------------------------------------

    def decoded(self, topic: str) -> list[tuple[bytes, dict[str, Any]]]:
        """(key, decoded value) of every record of ``topic``, in offset order per partition."""
        return [(key, value) for key, value, _ in self.located(topic)]

    def located(self, topic: str) -> list[tuple[bytes, dict[str, Any], str]]:
        """:meth:`decoded` with where each record is (``partition:offset``)."""
        serde = _serde(self.registry_url, topic)
        out = []
        for message in all_records(self.bootstrap, topic):
            try:
                value = serde.decode(message.value())
            except Exception:  # poison bytes some scenarios put there
                continue
            out.append((message.key(), value, f"{message.partition()}:{message.offset()}"))
        return out

    def committed(self) -> dict[str, int]:
        """The group's committed offsets (``topic:partition`` -> offset) of its source topics."""
        from confluent_kafka import ConsumerGroupTopicPartitions

        from streams.kafka.groups import AGENT_SOURCES

        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "rel-probe"})
        try:
            partitions = [
                TopicPartition(topic, p)
                for topic in AGENT_SOURCES
                for p in consumer.list_topics(topic, timeout=10).topics[topic].partitions
            ]
        finally:
            consumer.close()
        request = [ConsumerGroupTopicPartitions(self.app_id, partitions)]
        result = admin.list_consumer_group_offsets(request)[self.app_id].result(10)
        return {f"{tp.topic}:{tp.partition}": tp.offset for tp in result.topic_partitions}

    def produce(self, topic: str, key: bytes, value: bytes) -> None:
        """Produce one raw record."""
        producer = Producer({"bootstrap.servers": self.bootstrap})
        producer.produce(topic, key=key, value=value)
        assert producer.flush(15) == 0


@cache
def _serde(registry_url: str, topic: str) -> AvroSerde:
    return AvroSerde.for_topic(topic, RegistryClient(registry_url))


@cache
def _ot_token(opentext_url: str) -> str:
    response = httpx.post(
        f"{opentext_url}/tenants/{TENANT}/oauth2/token",
        json={
            "grant_type": "client_credentials",
            "client_id": "casebridge",
            "client_secret": "casebridge-secret",
        },
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def workload_policy() -> dict[str, Any]:
    """The bundled policy without the inventory check of order reviews.

    The workload's orders are restocked (stamped a second earlier) before they
    are placed, so an inventory mismatch can only be the rule's documented
    eventual consistency: the restock's ``inventory_levels/update`` classified
    after the order (another partition; rebalances and restarts widen that).
    Such an incidental ORDER_REVIEW is auto-decided like the workload's own
    (the same model), and its rejection cancels the order or, on a shipped
    return order, is refused by Shopify: effects the audit cannot attribute.
    """
    from tests.integration.pipeline.harness import ROOT

    policy: dict[str, Any] = yaml.safe_load((ROOT / "deploy/policy/default.yaml").read_text())
    policy["orders"]["review"]["inventory"]["enabled"] = False
    return policy


def numeric_id(gid: str | int | None) -> str:
    """``gid://shopify/Order/123`` -> ``123``."""
    return str(gid).rsplit("/", 1)[-1]


@contextmanager
def running_pipeline(
    stack: LocalStack,
    logs: Path,
    *,
    workers: int = 1,
    delivery: dict[str, Any] | None = None,
    bucket: dict[str, Any] | None = None,
    worker_extra: dict[str, str] | None = None,
    decision_delay_s: float = 1.0,
) -> Iterator[Pipeline]:
    """Both emulators and ``workers`` workers (``w1``, ``w2``...) on ``stack``.

    ``delivery`` is merged into the Shopify emulator's delivery section (its
    test knobs), ``bucket`` into its shop (``maximum_available``/``restore_rate``).
    Webhooks go to the ingress of ``w1``.
    """
    shop = f"rel-{uuid.uuid4().hex[:8]}.myshopify.com"
    w1_port = free_port()
    ingress = f"http://127.0.0.1:{w1_port}/webhooks/shopify"
    shop_config = {
        "shops": [{"domain": shop, **(bucket or {})}],
        "webhooks": [{"topic": t, "address": ingress} for t in SUBSCRIBED_TOPICS],
        # time_scale 0.01: Shopify's 8 retries over 4.25 h become 153 s, long
        # enough to ride out a worker restart or a broker outage.
        "delivery": {"time_scale": 0.01, **(delivery or {})},
        "seed": random.randrange(1 << 30),
    }
    ot_config = {
        "decisions": {
            # Only the workload's models decide themselves; incidental cases (the
            # fulfillment events of a shipped order, say) wait like real ones do.
            "mode": "manual",
            "delay_seconds": decision_delay_s,
            "seed": random.randrange(1 << 30),
            "policies": {k: {"mode": "auto", **v} for k, v in DECISION_POLICIES.items()},
        }
    }
    (logs / "shopify-emulator.yaml").write_text(yaml.safe_dump(shop_config))
    (logs / "policy.yaml").write_text(yaml.safe_dump(workload_policy()))
    (logs / "opentext-emulator.yaml").write_text(yaml.safe_dump(ot_config))
    cli = [sys.executable, "-m", "streams.cli", "emulate"]
    shop_port, ot_port = free_port(), free_port()
    processes = [
        start_process(
            "shopify-emulator",
            [
                *cli,
                "shopify",
                "--port",
                str(shop_port),
                "--config",
                str(logs / "shopify-emulator.yaml"),
            ],
            {},
            logs,
        ),
        start_process(
            "opentext-emulator",
            [
                *cli,
                "opentext",
                "--port",
                str(ot_port),
                "--config",
                str(logs / "opentext-emulator.yaml"),
            ],
            {},
            logs,
        ),
    ]
    emus = Emulators(f"http://127.0.0.1:{shop_port}", f"http://127.0.0.1:{ot_port}", processes)
    extra = {
        "CASEBRIDGE_DECISIONS__POLL_INTERVAL_S": "2",
        "CASEBRIDGE_DECISIONS__OVERLAP_S": "10",
        "CASEBRIDGE_LOG_LEVEL": "INFO",
        "CASEBRIDGE_POLICY_FILE": str(logs / "policy.yaml"),
        **(worker_extra or {}),
    }
    pipeline = Pipeline(
        shop=shop,
        emulators=emus,
        bootstrap=stack.bootstrap_servers,
        registry_url=stack.registry_url,
        logs=logs,
        app_id=f"cbtest-rel-{uuid.uuid4().hex[:8]}",
        worker_extra=extra,
    )
    try:
        with running_inbox() as inbox:
            emus.mail = inbox  # customer notices (a rejected high-value order) land here
            wait_http(f"{emus.shopify_url}/_emulator/state")
            wait_http(f"{emus.opentext_url}/_emulator/state")
            for n in range(1, workers + 1):
                pipeline.start(f"w{n}", web_port=w1_port if n == 1 else None)
            yield pipeline
    finally:
        for worker in pipeline.workers:
            worker.process.stop()
        for process in processes:
            process.stop()


# --- Kafka reads -----------------------------------------------------------------------------


def committed_past(bootstrap: str, group: str, topic: str, partition: int, offset: int) -> bool:
    """Whether ``group`` committed an offset beyond ``offset`` on ``topic[partition]``."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    from confluent_kafka import ConsumerGroupTopicPartitions

    request = [ConsumerGroupTopicPartitions(group, [TopicPartition(topic, partition)])]
    result = admin.list_consumer_group_offsets(request)[group].result(10)
    return any(tp.offset > offset for tp in result.topic_partitions)


# --- the end-state audit -----------------------------------------------------------------------


@dataclass(frozen=True)
class Trigger:
    """One triggering event of the workload: a scenario kind on an order."""

    kind: str
    order_id: str

    @property
    def model(self) -> str:
        """The OpenText model its case opens in."""
        return MODELS[self.kind]


@dataclass
class Tally:
    """What the audit found: records in, lost and duplicated cases or effects."""

    records: int
    lost: int = 0
    duplicated: int = 0
    problems: list[str] = field(default_factory=list)

    def lose(self, what: str) -> None:
        """Count one lost case or effect."""
        self.lost += 1
        self.problems.append(f"lost: {what}")

    def duplicate(self, what: str, extra: int = 1) -> None:
        """Count ``extra`` duplicated cases or effects."""
        self.duplicated += extra
        self.problems.append(f"duplicated x{extra}: {what}")

    @property
    def ok(self) -> bool:
        """Nothing lost, nothing duplicated."""
        return self.lost == 0 and self.duplicated == 0


def _ours(fo: dict[str, Any]) -> list[dict[str, Any]]:
    return [h for h in fo["fulfillment_holds"] if (h.get("handle") or "").startswith("casebridge")]


def replacement_marker(case_id: str) -> str:
    """The tag the writer puts on a case's replacement draft order (one per case)."""
    return f"casebridge-replacement:{case_id}"


def _tags(resource: dict[str, Any]) -> list[str]:
    return [t.strip() for t in str(resource.get("tags") or "").split(",") if t.strip()]


def _examine_return(
    tally: Tally,
    what: str,
    values: dict[str, Any],
    refunds: int,
    replacements: list[dict[str, Any]],
) -> None:
    """The effect of an approved return, by the reviewer's ``resolution``.

    ``refund`` (or none given, the writer's default): exactly one refund and no
    replacement. ``replacement``: exactly one replacement order made from the
    case's draft (the policy's ``complete`` mode) and nothing refunded.
    """
    resolution = str(values.get("resolution") or "refund").lower()
    if resolution == "replacement":
        if refunds:
            tally.duplicate(f"{refunds} refunds of a return replaced on {what}", refunds)
        if not replacements:
            tally.lose(f"replacement order of approved return on {what}")
        elif len(replacements) > 1:
            tally.duplicate(
                f"{len(replacements)} replacement drafts of return on {what}",
                len(replacements) - 1,
            )
        elif replacements[0].get("status") != "completed" or not replacements[0].get("order_id"):
            tally.lose(
                f"replacement order of approved return on {what} "
                f"(draft {replacements[0].get('status')}, no order)"
            )
    elif resolution == "refund":
        if replacements:
            tally.duplicate(
                f"{len(replacements)} replacements of a return refunded on {what}",
                len(replacements),
            )
        if refunds == 0:
            tally.lose(f"refund of approved return on {what}")
        elif refunds > 1:
            tally.duplicate(f"{refunds} refunds of approved return on {what}", refunds - 1)
    else:
        tally.lose(f"unexpected resolution {resolution!r} of approved return on {what}")


def _examine(pipeline: Pipeline, triggers: list[Trigger]) -> Tally:
    """One look at the end state (see :func:`audit`)."""
    tally = Tally(records=len(triggers))
    instances = pipeline.instances()
    per_key = Counter(str(i.get("businessKey")) for i in instances)
    for key, count in per_key.items():
        if count > 1:
            tally.duplicate(f"{count} instances with businessKey {key}", count - 1)
    state = pipeline.shop_state()
    orders = {str(o["id"]): o for o in state["orders"]}
    fos_of: dict[str, list[dict[str, Any]]] = {}
    for fo in state["fulfillment_orders"]:
        fos_of.setdefault(str(fo["order_id"]), []).append(fo)
    drafts = state["draft_orders"]

    def drafts_of(case_id: str) -> list[dict[str, Any]]:
        marker = replacement_marker(case_id)
        return [d for d in drafts if marker in _tags(d)]

    returns_of: dict[str, list[dict[str, Any]]] = {}
    for ret in state["returns"]:
        returns_of.setdefault(numeric_id(ret.get("order_id")), []).append(ret)
    for trigger in triggers:
        found = [
            i
            for i in instances
            if i.get("processDefinitionKey") == trigger.model
            and str(variables_of(i).get("orderId")) == trigger.order_id
        ]
        what = f"{trigger.kind} order {trigger.order_id}"
        if not found:
            tally.lose(f"case of {what}")
            continue
        if len({i["businessKey"] for i in found}) > 1:
            tally.duplicate(f"{len(found)} cases of {what}", len(found) - 1)
        instance = found[0]
        if not instance.get("ended"):
            tally.lose(f"decision of {what} (instance still open)")
            continue
        outcome = str(variables_of(instance).get(OUTCOME_VARIABLE) or "")
        order = orders[trigger.order_id]
        refunds = len(order.get("refunds") or [])
        holds = [h for fo in fos_of.get(trigger.order_id, []) for h in _ours(fo)]
        handles = Counter(h["handle"] for h in holds)
        for handle, count in handles.items():
            if count > 1:
                tally.duplicate(f"hold {handle} x{count} on {what}", count - 1)
        values = variables_of(instance)
        if trigger.kind == "risky_order" and (
            values.get("holdError") or not values.get("holdsPlaced")
        ):
            tally.lose(f"review hold of {what} ({values.get('holdError') or 'none placed'})")
        if trigger.kind == "risky_order" and outcome == "approved":
            if holds:
                tally.lose(f"hold release of approved {what} ({len(holds)} holds left)")
            if refunds or order.get("cancelled_at"):
                tally.duplicate(f"approved {what} cancelled or refunded")
        elif trigger.kind == "risky_order" and outcome == "rejected":
            if not order.get("cancelled_at"):
                tally.lose(f"cancellation of rejected {what}")
            if refunds > 1:
                tally.duplicate(f"{refunds} refunds of rejected {what}", refunds - 1)
            if refunds == 0 and order.get("financial_status") not in ("refunded",):
                tally.lose(f"refund of rejected {what}")
        elif trigger.kind == "return_request" and outcome == "approved":
            _examine_return(tally, what, values, refunds, drafts_of(str(instance["businessKey"])))
            statuses = [str(r.get("status")).upper() for r in returns_of.get(trigger.order_id, [])]
            if statuses and "REQUESTED" in statuses:
                tally.lose(f"return approval of {what} ({statuses})")
        else:
            tally.lose(f"unexpected outcome {outcome!r} of {what}")
    return tally


def audit(pipeline: Pipeline, triggers: list[Trigger], timeout_s: float = 120.0) -> Tally:
    """Wait (up to ``timeout_s``) for the end state the workload implies, then tally it.

    Once a look is clean, a second look :data:`SETTLE_S` later is the one
    returned (late duplicates count); otherwise the last look at the deadline,
    so a slow drain is not mistaken for a loss while a real loss still shows up.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            tally = _examine(pipeline, triggers)
        except httpx.HTTPError as exc:
            tally = Tally(records=len(triggers), problems=[f"audit failed: {exc}"], lost=1)
        if tally.ok:
            # Clean once: look again after a pause, so that a late duplicate (a second
            # instance, a second refund still in flight) is counted, not missed.
            time.sleep(SETTLE_S)
            tally = _examine(pipeline, triggers)
            if not tally.ok:
                diagnose(pipeline, triggers, tally)
            return tally
        if time.monotonic() >= deadline:
            diagnose(pipeline, triggers, tally)
            return tally
        time.sleep(2.0)


def diagnose(pipeline: Pipeline, triggers: list[Trigger], tally: Tally) -> None:
    """Save what explains a failed audit next to the scenario's logs."""
    out: dict[str, Any] = {"problems": tally.problems, "triggers": [vars(t) for t in triggers]}
    try:
        url = f"{pipeline.emulators.shopify_url}/_emulator/webhooks/deliveries?body=0"
        out["deliveries"] = httpx.get(url, timeout=30).json()["deliveries"]
        out["instances"] = [
            {k: i.get(k) for k in ("businessKey", "processDefinitionKey", "ended")}
            | {"orderId": variables_of(i).get("orderId")}
            for i in pipeline.instances()
        ]
        fields = (
            "topic",
            "case_id",
            "event_id",
            "order_id",
            "outcome",
            "action",
            "status",
            "detail",
        )
        for topic in (
            "shopify.webhooks",
            "cases.requests",
            "cases.decisions",
            "shopify.writebacks",
            "cases.state",
        ):
            out[topic] = [
                {"key": k.decode(errors="replace"), "at": at, **{f: v.get(f) for f in fields}}
                for k, v, at in pipeline.located(topic)
            ]
        out["committed"] = pipeline.committed()
    except Exception as exc:
        out["error"] = repr(exc)
    dump(pipeline.logs / "diagnosis.json", out)


def wait_for(probe: Callable[[], Any], timeout_s: float, what: str, pipeline: Pipeline) -> Any:
    """:func:`wait_until` with the workers' logs in the failure message."""
    return wait_until(probe, timeout_s, f"{what}\n{pipeline.logs_tail()}", 0.5)


def dump(path: Path, payload: Any) -> None:
    """Write ``payload`` as JSON (debug artefacts of a scenario)."""
    path.write_text(json.dumps(payload, indent=2, default=str))
