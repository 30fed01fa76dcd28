"""Real processes for end-to-end tests: both emulators and casebridge workers.

Everything talks over real HTTP and the real broker: the Shopify emulator
delivers signed webhooks to the worker's ingress, the worker enriches through
the emulator's GraphQL API and opens cases in the OpenText emulator.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import yaml
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from connectors.shopify.webhooks import SUBSCRIBED_TOPICS
from deploy.local.children import ChildProcess, spawn
from emulators.mail import Inbox, running_inbox
from streams.kafka.groups import start_group_at_end
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[3]
SHOPIFY_SECRET = "emulator-webhook-secret"

T = TypeVar("T")


#: The end-to-end tests run their processes the way ``casebridge up`` does.
Process = ChildProcess


def start_process(name: str, args: list[str], env: dict[str, str], log_dir: Path) -> Process:
    """Start ``args`` from the repository root with ``env`` added, logging to ``log_dir``."""
    return spawn(name, args, env, log_dir, cwd=ROOT)


def wait_until(
    probe: Callable[[], T | None], timeout_s: float, what: str, interval_s: float = 0.25
) -> T:
    """Poll ``probe`` until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = probe()
            if value:
                return value
        except Exception as exc:  # a probe may fail while a service starts
            last_error = exc
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what} ({last_error})")


def wait_http(url: str, timeout_s: float = 30.0) -> None:
    """Wait until ``url`` answers at all (any status)."""
    wait_until(lambda: httpx.get(url, timeout=2.0) is not None, timeout_s, f"{url} to answer")


@dataclass
class Emulators:
    """Both emulators, running as `casebridge emulate ...` processes."""

    shopify_url: str
    opentext_url: str
    processes: list[Process] = field(default_factory=list)
    #: The customers' mail server (aiosmtpd, in this process): notices arrive here.
    mail: Inbox | None = None

    def shopify_state(self) -> dict[str, Any]:
        """The Shopify emulator's whole state."""
        return httpx.get(f"{self.shopify_url}/_emulator/state", timeout=10).json()  # type: ignore[no-any-return]

    def shopify_resource(self, resource: str, ident: str) -> dict[str, Any]:
        """One Shopify resource as the emulator's admin surface shows it."""
        url = f"{self.shopify_url}/_emulator/{resource}/{ident}"
        return httpx.get(url, timeout=10).json()  # type: ignore[no-any-return]

    def seed(self, body: dict[str, Any]) -> dict[str, Any]:
        """Seed resources or a scenario in the Shopify emulator."""
        response = httpx.post(f"{self.shopify_url}/_emulator/seed", json=body, timeout=30)
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    def instances(self) -> list[dict[str, Any]]:
        """Every process instance in the OpenText emulator (with variables)."""
        state = httpx.get(f"{self.opentext_url}/_emulator/state", timeout=10).json()
        return state["instances"]  # type: ignore[no-any-return]

    def opentext_faults(self, body: dict[str, Any] | None) -> None:
        """Set (or, with None, clear) OpenText faults."""
        url = f"{self.opentext_url}/_emulator/faults"
        if body is None:
            httpx.delete(url, timeout=10).raise_for_status()
        else:
            httpx.post(url, json=body, timeout=10).raise_for_status()


def variables_of(instance: dict[str, Any]) -> dict[str, Any]:
    """An OpenText instance's variables as a name -> value dict."""
    return {v["name"]: v.get("value") for v in instance.get("variables") or []}


@contextmanager
def emulators(
    tmp: Path,
    ingress_url: str,
    *,
    shopify_extra: dict[str, Any] | None = None,
    opentext_config: dict[str, Any] | None = None,
) -> Iterator[Emulators]:
    """Start both emulators; the Shopify one delivers every topic to ``ingress_url``.

    ``opentext_config`` (an ``EmulatorConfig`` mapping, e.g. a ``callback``) is
    the OpenText emulator's configuration; without it the emulator's defaults.
    """
    shop_port, ot_port = free_port(), free_port()
    config = {
        "webhooks": [{"topic": t, "address": ingress_url} for t in SUBSCRIBED_TOPICS],
        "delivery": {"time_scale": 0.001},
        # Event ids derive from the seed; the broker keeps earlier runs' ids in
        # the ingress dedup window, so every run needs fresh ones.
        "seed": random.randrange(1 << 30),
        **(shopify_extra or {}),
    }
    config_path = tmp / "shopify-emulator.yaml"
    config_path.write_text(yaml.safe_dump(config))
    cli = [sys.executable, "-m", "streams.cli", "emulate"]
    shop = start_process(
        "shopify-emulator",
        [*cli, "shopify", "--port", str(shop_port), "--config", str(config_path)],
        {},
        tmp,
    )
    ot_args = [*cli, "opentext", "--port", str(ot_port)]
    if opentext_config is not None:
        ot_config_path = tmp / "opentext-emulator.yaml"
        ot_config_path.write_text(yaml.safe_dump(opentext_config))
        ot_args += ["--config", str(ot_config_path)]
    ot = start_process("opentext-emulator", ot_args, {}, tmp)
    running = Emulators(f"http://127.0.0.1:{shop_port}", f"http://127.0.0.1:{ot_port}", [shop, ot])
    try:
        with running_inbox() as inbox:
            running.mail = inbox
            wait_http(f"{running.shopify_url}/_emulator/state")
            wait_http(f"{running.opentext_url}/_emulator/state")
            yield running
    finally:
        for process in running.processes:
            process.stop()


@dataclass
class Worker:
    """A `casebridge worker` process."""

    process: Process
    web_url: str
    app_id: str

    @property
    def webhook_url(self) -> str:
        """The ingress endpoint."""
        return f"{self.web_url}/webhooks/shopify"


def smtp_env(inbox: Inbox) -> dict[str, str]:
    """A worker's settings for sending customer notices to ``inbox``."""
    return {
        "CASEBRIDGE_SMTP__HOST": inbox.host,
        "CASEBRIDGE_SMTP__PORT": str(inbox.port),
        "CASEBRIDGE_SMTP__TLS": "none",
        "CASEBRIDGE_SMTP__SENDER": "Casebridge Test Shop <orders@shop.example>",
    }


def worker_env(
    *,
    app_id: str,
    web_port: int,
    bootstrap_servers: str,
    registry_url: str,
    data_dir: Path,
    emulators: Emulators | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a test worker: isolated app id, latest offsets, the emulators."""
    env = {
        "CASEBRIDGE_APP_ID": app_id,
        "CASEBRIDGE_WEB_PORT": str(web_port),
        "CASEBRIDGE_DATA_DIR": str(data_dir),
        "CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS": bootstrap_servers,
        "CASEBRIDGE_REGISTRY__URL": registry_url,
        "CASEBRIDGE_INGRESS__WEBHOOK_SECRETS": json.dumps([SHOPIFY_SECRET]),
        "CASEBRIDGE_LOG_LEVEL": "INFO",
    }
    if emulators is not None:
        env["CASEBRIDGE_SHOPIFY__BASE_URL"] = emulators.shopify_url
        env["CASEBRIDGE_OPENTEXT__BASE_URL"] = emulators.opentext_url
        if emulators.mail is not None:
            env.update(smtp_env(emulators.mail))
    env.update(extra or {})
    return env


def start_worker(
    name: str,
    env: dict[str, str],
    log_dir: Path,
    *,
    roles: str | None = None,
    reset_offsets: bool = True,
) -> Worker:
    """Start a worker and wait until its consumer group has partitions assigned.

    ``reset_offsets`` moves the group to the end of its source topics first (a
    new test group); a restart of the same group passes ``False`` to resume
    from its committed offsets, as a real restart after a crash does.
    """
    bootstrap = env["CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS"]
    topics_created = subprocess.run(
        [sys.executable, "-m", "streams.cli", "topics"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert topics_created.returncode == 0, topics_created.stderr
    if reset_offsets:
        start_group_at_end({"bootstrap.servers": bootstrap}, env["CASEBRIDGE_APP_ID"])
    args = [sys.executable, "-m", "streams.cli", "worker"]
    if roles:
        args += ["--roles", roles]
    process = start_process(name, args, env, log_dir)
    web_url = f"http://127.0.0.1:{env['CASEBRIDGE_WEB_PORT']}"
    worker = Worker(process, web_url, env["CASEBRIDGE_APP_ID"])
    # Destroyed on the way out: a failure's traceback (kept by pytest) would keep it
    # connecting to the broker after the session stopped it.
    admin = AdminClient({"bootstrap.servers": env["CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS"]})

    def assigned() -> bool:
        if not process.alive():
            raise AssertionError(f"worker {name} exited:\n{process.log_tail()}")
        group = admin.describe_consumer_groups([worker.app_id])[worker.app_id].result(10)
        members = group.members or []
        return str(group.state).endswith("STABLE") and any(
            m.assignment and m.assignment.topic_partitions for m in members
        )

    with admin:
        try:
            wait_until(assigned, 120, f"worker {name} to join its consumer group", 0.5)
            wait_http(worker.webhook_url)
        except AssertionError as exc:
            process.stop()
            raise AssertionError(f"{exc}\n{process.log_tail()}") from None
    return worker


def webhook_headers(
    topic: str,
    body: bytes,
    *,
    shop: str,
    secret: str = SHOPIFY_SECRET,
    event_id: str | None = None,
    hmac_value: str | None = None,
) -> dict[str, str]:
    """The headers Shopify sends with a webhook, signed with ``secret`` (or ``hmac_value``)."""
    from datetime import UTC, datetime

    from connectors.shopify.webhooks import sign

    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": hmac_value or sign(body, secret),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": "2026-01",
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
    }


def all_records(bootstrap: str, topic: str) -> list[Any]:
    """Every record currently in ``topic`` (raw confluent-kafka messages)."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"cbtest-read-{uuid.uuid4()}",
            "enable.auto.commit": False,
        }
    )
    try:
        metadata = consumer.list_topics(topic, timeout=10).topics[topic]
        ends, assignment = {}, []
        for p in metadata.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            if high > low:
                ends[p] = high
                assignment.append(TopicPartition(topic, p, low))
        consumer.assign(assignment)
        found = []
        while ends:
            msg = consumer.poll(5)
            if msg is None:
                break
            if msg.error():
                continue
            found.append(msg)
            if (msg.offset() or 0) + 1 >= ends.get(msg.partition() or 0, 0):
                ends.pop(msg.partition(), None)
        return found
    finally:
        consumer.close()
