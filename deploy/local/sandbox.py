"""``casebridge up``: the whole pipeline on one machine, with traffic for all eight use cases.

Brings up, in order, printing each step with the seconds since the start: the
sandbox's own Kafka + registry stack, the topics and schemas, the OpenText
emulator (deciding tasks by itself after a delay), the Shopify emulator
(its stores those of the shop registry: by default a US store in USD and an EU
store in EUR with its own policy, ``deploy/shops/shops.yaml``; delivering
signed webhooks to the worker), one worker running every role,
and the traffic: the Shopify scenario stream (orders,
risks, returns, disputes, fulfillment trouble, product changes), complaints
published to ``support.complaints`` like a help desk would, and offline order
intakes started in OpenText. Ctrl-C (or SIGTERM) stops everything it started,
newest first.

**Clean state.** The sandbox runs a Kafka and registry of its own: its own
data directory (``~/.cache/casebridge/sandbox/``) and its own ports (29092,
29093 and 28081 by default), never the stack the tests use (19092/18081,
``~/.cache/casebridge/stack/``). Each ``casebridge up`` wipes that data and
starts empty, so nothing a test or an earlier run wrote shows on its page;
``--keep-data`` resumes the previous sandbox's data instead and prints what
it found there. When the settings name a Kafka explicitly
(``CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS``), the sandbox uses that cluster as it
is, starts its group at the end of every topic and says how many cases and
dead letters were already there.

**What it takes from the application.** ``deploy`` imports nothing of
``streams``: the sandbox runs the workers and the emulators as processes and
configures them through their environment and files. What it needs to know
itself (the stack's settings, the Kafka client configuration, the stores, the
OpenText credentials for its offline intakes) comes as one plain
:class:`SandboxConfig` that ``casebridge`` builds from its settings
(:mod:`streams.sandbox_source`), with the two things only the application can
do on a broker: count what is already there, and start its consumer group at
the end.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx
import yaml

from connectors.errors import CasebridgeError
from connectors.shopify.webhooks import SUBSCRIBED_TOPICS
from deploy.local.children import ChildProcess, spawn
from deploy.local.settings import StackSettings

log = logging.getLogger(__name__)

SHOPIFY_SECRET = "emulator-webhook-secret"


class MailNotices:
    """Turns ``casebridge emulate mail`` output into one line per customer notice.

    The server prints ``--- mail to <to>: <subject>`` and the body; the line printed
    here adds the body's first line after the greeting (the reviewer's reason or
    question), or just the header when the next notice starts first.
    """

    HEADER = "--- mail to "

    def __init__(self) -> None:
        self._header: str | None = None
        self._body_lines = 0

    def feed(self, line: str) -> list[str]:
        """The notices completed by ``line``."""
        done: list[str] = []
        if line.startswith(self.HEADER):
            if self._header is not None:
                done.append(self._header)
            to, _, subject = line[len(self.HEADER) :].partition(": ")
            self._header, self._body_lines = f"mail to {to}: {subject!r}", 0
        elif self._header is not None and line.strip():
            self._body_lines += 1
            if self._body_lines == 2:  # the first line after the greeting
                done.append(f"{self._header} ({line.strip()})")
                self._header = None
        return done


def _listening(port: int) -> bool:
    with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


class SandboxError(CasebridgeError):
    """A sandbox component did not start."""


@dataclass(frozen=True)
class OpenTextAccess:
    """The OpenText tenant and client the sandbox starts offline intakes with."""

    tenant_id: str
    client_id: str
    client_secret: str = field(repr=False)  # never in a log line
    #: The process definition key of an ``OFFLINE_ORDER`` case.
    offline_order_model: str


@dataclass(frozen=True)
class SandboxConfig:
    """Everything the sandbox takes from the application's settings, as plain values.

    Built by ``casebridge up`` from its settings (:mod:`streams.sandbox_source`).
    """

    stack: StackSettings
    #: The confluent-kafka client configuration (``bootstrap.servers`` and any TLS/SASL;
    #: a SASL password too, hence no repr).
    kafka: Mapping[str, Any] = field(repr=False)
    registry_url: str
    #: Whether the settings name a Kafka explicitly (then no stack of our own is run).
    external_kafka: bool
    default_partitions: int
    #: The worker's app id: its consumer group.
    app_id: str
    #: The worker's webhook path (``CASEBRIDGE_INGRESS__PATH``).
    ingress_path: str
    #: The shop registry file the worker reads and the Shopify emulator imitates.
    shops_file: Path
    #: The Shopify emulator's ``shops`` (one mapping per store with its ``domain``;
    #: the first store is the default one).
    emulated_shops: Sequence[Mapping[str, Any]]
    opentext: OpenTextAccess
    #: ``(client config) -> one line``: cases and dead letters already on the broker.
    existing_data: Callable[[Mapping[str, Any]], str]
    #: ``(client config, group)``: commit the end of every source topic for a new group.
    start_group_at_end: Callable[[Mapping[str, Any], str], object]

    @property
    def shop_domains(self) -> list[str]:
        """The stores' domains, default first."""
        return [str(shop["domain"]) for shop in self.emulated_shops]


@dataclass(frozen=True)
class SandboxPorts:
    """Where the sandbox's components listen (all on 127.0.0.1).

    The Kafka, controller and registry ports are the sandbox's own stack's:
    different from the stack the tests use, so the two never share data.
    """

    worker: int = 6066
    shopify: int = 8090
    opentext: int = 8089
    kafka: int = 29092
    controller: int = 29093
    registry: int = 28081
    mail: int = 2525


def sandbox_home(stack: StackSettings) -> Path:
    """Where the sandbox keeps its broker data, logs and worker data (beside the tests' stack)."""
    return stack.data_dir.expanduser().parent.parent / "sandbox"


def sandbox_stack_settings(stack: StackSettings, ports: SandboxPorts) -> StackSettings:
    """The sandbox's own stack: the same versions and artifact cache, its own data and ports."""
    home = sandbox_home(stack)
    return stack.model_copy(
        update={
            "kafka_port": ports.kafka,
            "controller_port": ports.controller,
            "registry_port": ports.registry,
            "data_dir": home / "stack" / "data",
            "log_dir": home / "stack" / "logs",
        }
    )


class Progress:
    """Prints each step of the start with the seconds since ``casebridge up`` began."""

    def __init__(
        self, out: TextIO | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._out = out
        self._clock = clock
        self._began = clock()

    def __call__(self, message: str) -> None:
        """One line: ``[  12.3s] message``."""
        elapsed = self._clock() - self._began
        print(f"[{elapsed:6.1f}s] {message}", file=self._out or sys.stdout, flush=True)

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        """Announce ``what``, then say how long it took once the block is done."""
        self(f"{what} ...")
        began = self._clock()
        yield
        self(f"{what}: done in {self._clock() - began:.1f}s")


def _wait_http(url: str, child: ChildProcess, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child.popen.poll() is not None:
            raise SandboxError(f"{child.name} exited; see {child.log_path}")
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SandboxError(
        f"{child.name} did not answer {url} within {timeout_s:.0f}s; see {child.log_path}"
    )


class Sandbox:
    """Starts and stops the sandbox's components."""

    def __init__(
        self,
        config: SandboxConfig,
        ports: SandboxPorts,
        logs: Path,
        rate_per_s: float,
        *,
        keep_data: bool = False,
        progress: Progress | None = None,
    ) -> None:
        self.config = config
        self.ports = ports
        self.logs = logs
        self.rate_per_s = rate_per_s
        self.keep_data = keep_data
        self.progress = progress if progress is not None else Progress()
        self.children: list[ChildProcess] = []
        self.stop_event = threading.Event()
        self.started_stack = False
        self._mail_tail: threading.Thread | None = None

    @property
    def shopify_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.shopify}"

    @property
    def opentext_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.opentext}"

    @property
    def worker_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.worker}"

    @property
    def external_kafka(self) -> bool:
        """Whether the settings name a Kafka explicitly (then no stack of our own is run)."""
        return self.config.external_kafka

    def _start_stack(self) -> tuple[str, str]:
        """Bring up (or name) the broker and registry; returns their addresses."""
        if self.external_kafka:
            servers = str(self.config.kafka["bootstrap.servers"])
            registry = self.config.registry_url
            self.progress(
                f"Kafka {servers} and registry {registry} come from the settings "
                "(CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS): no stack of the sandbox's own"
            )
            return servers, registry
        from deploy.local.stack import LocalStack

        stack_settings = sandbox_stack_settings(self.config.stack, self.ports)
        stack = LocalStack(
            stack_settings,
            num_partitions=self.config.default_partitions,
            report=self.progress,
        )
        self._stack: Any = stack
        fresh = not self.keep_data
        what = "the sandbox's Kafka and registry" + (
            " (fresh: earlier data wiped)" if fresh else ""
        )
        with self.progress.step(what):
            stack.up(fresh=fresh)
        self.started_stack = True
        return stack.bootstrap_servers, stack.registry_url

    def start(self) -> None:
        """Bring every component up and start the traffic."""
        servers, registry_url = self._start_stack()
        self._addresses = (servers, registry_url)
        cli = [sys.executable, "-m", "streams.cli"]
        base_env = {
            "CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS": servers,
            "CASEBRIDGE_REGISTRY__URL": registry_url,
        }
        for step, what in ((["topics"], "topics"), (["schemas", "register"], "schemas")):
            with self.progress.step(what):
                done = subprocess.run(
                    [*cli, *step],
                    env={**os.environ, **base_env},
                    capture_output=True,
                    text=True,
                    check=False,
                )
            if done.returncode != 0:
                raise SandboxError(f"casebridge {' '.join(step)} failed: {done.stderr.strip()}")

        kafka = {**self.config.kafka, "bootstrap.servers": servers}
        if self.external_kafka or self.keep_data:
            # Say plainly what the page will count that this run did not make.
            found = self.config.existing_data(kafka)
            where = "on this broker" if self.external_kafka else "resumed from the last sandbox"
            self.progress(f"already {where}: {found}")
        # The worker starts after whatever is on the broker already (nothing, when fresh).
        self.config.start_group_at_end(kafka, self.config.app_id)

        with self.progress.step(
            f"emulators (OpenText :{self.ports.opentext}, Shopify :{self.ports.shopify})"
        ):
            self._start_emulators()

        with self.progress.step(f"the customers' mail server (SMTP :{self.ports.mail})"):
            self._start_mail_server()
        worker_env = {
            **base_env,
            # Customer notices (a rejected or questioned high-value order) go to the inbox.
            "CASEBRIDGE_SMTP__HOST": "127.0.0.1",
            "CASEBRIDGE_SMTP__PORT": str(self.ports.mail),
            "CASEBRIDGE_SMTP__TLS": "none",
            "CASEBRIDGE_SMTP__SENDER": "Casebridge Sandbox Shop <orders@sandbox.example>",
            "CASEBRIDGE_WEB_PORT": str(self.ports.worker),
            "CASEBRIDGE_INGRESS__WEBHOOK_SECRETS": json.dumps([SHOPIFY_SECRET]),
            "CASEBRIDGE_SHOPIFY__BASE_URL": self.shopify_url,
            "CASEBRIDGE_SHOPS_FILE": str(self.config.shops_file),
            "CASEBRIDGE_OPENTEXT__BASE_URL": self.opentext_url,
            "CASEBRIDGE_RECONCILE__INTERVAL_S": "60",
            "CASEBRIDGE_LAG__INTERVAL_S": "5",
        }
        if not self.external_kafka:
            # The worker's local data belongs with the sandbox's broker data, and goes with it.
            data_dir = sandbox_home(self.config.stack) / "worker"
            if not self.keep_data:
                shutil.rmtree(data_dir, ignore_errors=True)
            worker_env["CASEBRIDGE_DATA_DIR"] = str(data_dir)
        with self.progress.step(f"worker (every role) on :{self.ports.worker}"):
            worker = spawn("worker", [*cli, "worker"], worker_env, self.logs, new_session=True)
            self.children.append(worker)
            _wait_http(f"{self.worker_url}/metrics", worker, timeout_s=120)

        # Seed a catalogue and some history, then keep traffic flowing.
        with self.progress.step(
            f"traffic ({self.rate_per_s:g} Shopify events/s, complaints, intakes)"
        ):
            # Every store gets its share of the traffic (one scenario stream each).
            rate = self.rate_per_s / len(self.config.shop_domains)
            for shop in self.config.shop_domains:
                httpx.post(
                    f"{self.shopify_url}/_emulator/seed",
                    json={"shop": shop, "scenario": {"n": 10, "seed": random.randrange(1 << 30)}},
                    timeout=30,
                ).raise_for_status()
                httpx.post(
                    f"{self.shopify_url}/_emulator/stream",
                    json={"shop": shop, "rate_per_s": rate, "seed": random.randrange(1 << 30)},
                    timeout=10,
                ).raise_for_status()
            self._traffic = threading.Thread(
                target=self._side_traffic, args=(base_env,), daemon=True
            )
            self._traffic.start()

    def _start_mail_server(self) -> None:
        """``casebridge emulate mail`` as a child (its log is ``mail.log``), printed here."""
        child = spawn(
            "mail",
            [
                sys.executable,
                "-m",
                "streams.cli",
                "emulate",
                "mail",
                "--port",
                str(self.ports.mail),
            ],
            {},
            self.logs,
            new_session=True,
        )
        self.children.append(child)
        deadline = time.monotonic() + 30
        while not _listening(self.ports.mail):
            if child.popen.poll() is not None or time.monotonic() > deadline:
                raise SandboxError(f"the mail server did not start; see {child.log_path}")
            time.sleep(0.1)
        self._mail_tail = threading.Thread(target=self._print_mail, daemon=True)
        self._mail_tail.start()

    def _print_mail(self) -> None:
        """Follow ``mail.log`` and print each customer notice (the customer was told)."""
        notices = MailNotices()
        with (self.logs / "mail.log").open(encoding="utf-8", errors="replace") as log:
            while not self.stop_event.is_set():
                line = log.readline()
                if not line:
                    time.sleep(0.2)
                    continue
                for notice in notices.feed(line.rstrip("\n")):
                    self.progress(notice)

    def _start_emulators(self) -> None:
        opentext_config = self.logs / "opentext-emulator.yaml"
        opentext_config.write_text(
            yaml.safe_dump(
                {
                    "decisions": {
                        "mode": "auto",
                        "delay_seconds": 8,
                        "seed": 7,
                        "policies": {
                            # An oversold order opens an inventory review (operations)
                            # and an OVERSOLD exception (warehouse) for the same sale:
                            # operations approves, the warehouse decides the stock.
                            # (A rejection would cancel the order under the warehouse's
                            # decision, which then fails: nothing left to split.)
                            "casebridge.order_review": {
                                "rules": [
                                    {
                                        "variable": "inventoryShortLines",
                                        "op": "exists",
                                        "outcome": "approved",
                                    }
                                ]
                            }
                        },
                    },
                }
            )
        )
        opentext = spawn(
            "opentext-emulator",
            [
                sys.executable,
                "-m",
                "emulators.opentext",
                "--port",
                str(self.ports.opentext),
                "--config",
                str(opentext_config),
            ],
            {},
            self.logs,
            new_session=True,
        )
        self.children.append(opentext)
        shopify_config = self.logs / "shopify-emulator.yaml"
        ingress = f"{self.worker_url}{self.config.ingress_path}"
        shopify_config.write_text(
            yaml.safe_dump(
                {
                    "shops": [dict(shop) for shop in self.config.emulated_shops],
                    "webhooks": [{"topic": t, "address": ingress} for t in SUBSCRIBED_TOPICS],
                    "delivery": {"time_scale": 0.01},
                    "seed": random.randrange(1 << 30),
                }
            )
        )
        shopify = spawn(
            "shopify-emulator",
            [
                sys.executable,
                "-m",
                "emulators.shopify",
                "--port",
                str(self.ports.shopify),
                "--config",
                str(shopify_config),
            ],
            {},
            self.logs,
            new_session=True,
        )
        self.children.append(shopify)
        _wait_http(f"{self.opentext_url}/_emulator/state", opentext)
        _wait_http(f"{self.shopify_url}/_emulator/state", shopify)

    def _side_traffic(self, env: dict[str, str]) -> None:
        """Complaints from a 'help desk' and offline intakes in OpenText, now and then."""
        cli = [sys.executable, "-m", "streams.cli"]
        issues = ["DELAYED_SHIPMENT", "DAMAGED_GOODS", "WRONG_ITEM", "BILLING"]
        severities = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
        customers = [f"sandbox-{n}" for n in range(5)]  # few customers: repeats happen
        while not self.stop_event.wait(10.0):
            # Half from the store's own customers, named by e-mail alone as a help desk
            # knows them and with no segment: a VIP-tagged one is routed VIP from its tags
            # (tagged customers are the few, so half of these are drawn among them).
            tagged, plain = self._store_emails()
            pool = tagged if tagged and (random.random() < 0.5 or not plain) else plain
            if pool and random.random() < 0.5:
                who = ["--email", random.choice(pool)]
            else:
                customer = random.choice(customers)
                who = ["--customer-id", customer, "--email", f"{customer}@example.com"]
            subprocess.run(
                [
                    *cli,
                    "produce",
                    "complaint",
                    "--shop",
                    self.config.shop_domains[0],
                    *who,
                    "--channel",
                    "HELP_DESK",
                    "--issue-type",
                    random.choice(issues),
                    "--severity",
                    random.choice(severities),
                    "--subject",
                    "Sandbox complaint",
                    "--message",
                    "Generated by casebridge up.",
                ],
                env={**os.environ, **env},
                capture_output=True,
                check=False,
            )
            try:
                self._offline_intake()
            except httpx.HTTPError as exc:
                log.warning("offline intake not started: %s", exc)

    def _store_emails(self) -> tuple[list[str], list[str]]:
        """The e-mails of the emulated store's customers, (tagged, untagged); empty when
        the store cannot be read."""
        try:
            state = httpx.get(f"{self.shopify_url}/_emulator/state", timeout=10).json()
        except (httpx.HTTPError, ValueError):
            return [], []
        shop = state["shops"][0] if state.get("shops") else {}
        customers = [c for c in shop.get("customers", []) if c.get("email")]
        tagged = [str(c["email"]) for c in customers if c.get("tags")]
        return tagged, [str(c["email"]) for c in customers if not c.get("tags")]

    def _offline_intake(self) -> None:
        state = httpx.get(f"{self.shopify_url}/_emulator/state", timeout=10).json()
        shop = state["shops"][0]
        variants = [v for p in shop.get("products", []) for v in p.get("variants", [])]
        if not variants:
            return
        variant = random.choice(variants)
        s = self.config.opentext
        token = httpx.post(
            f"{self.opentext_url}/tenants/{s.tenant_id}/oauth2/token",
            json={
                "grant_type": "client_credentials",
                "client_id": s.client_id,
                "client_secret": s.client_secret,
            },
            timeout=10,
        ).json()["access_token"]
        case_id = f"OFFLINE_ORDER-{uuid.uuid4().hex[:16]}"
        line: dict[str, Any] = {
            "variantId": str(variant.get("admin_graphql_api_id") or variant["id"]),
            "quantity": random.randint(1, 3),
        }
        # Taxes, shipping and payment come from the reviewer's approval form
        # (emulators/opentext/forms.py); a reseller is tax exempt.
        variables = [
            {
                "name": "customer",
                "type": "json",
                "value": {
                    "email": f"phone-{case_id[-6:]}@example.com",
                    "firstName": "Phone",
                    "lastName": "Customer",
                    "shippingAddress": {
                        "address1": "1 Main St",
                        "city": "Springfield",
                        "countryCode": "US",
                    },
                },
            },
            {"name": "lineItems", "type": "json", "value": [line]},
            {"name": "currency", "type": "string", "value": "USD"},
            {"name": "shop", "type": "string", "value": self.config.shop_domains[0]},
        ]
        if random.random() < 0.2:
            variables.append(
                {"name": "taxExemptNote", "type": "string", "value": "resale certificate on file"}
            )
        httpx.post(
            f"{self.opentext_url}/workflow/v1/process-instances",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "processDefinitionKey": s.offline_order_model,
                "businessKey": case_id,
                "name": f"Phone order {case_id[-6:]}",
                "variables": variables,
            },
            timeout=10,
        ).raise_for_status()

    def stop(self) -> None:
        """Stop the traffic, then every child newest first, then the stack if we started it."""
        self.stop_event.set()
        with suppress(httpx.HTTPError):
            httpx.delete(f"{self.shopify_url}/_emulator/stream", timeout=5)
        for child in reversed(self.children):
            child.stop()
        if self.started_stack:
            self._stack.down()

    def urls(self) -> dict[str, str]:
        """What to open, for the banner."""
        return {
            "operations page": f"{self.worker_url}/ops/",
            "metrics": f"{self.worker_url}/metrics",
            "webhooks (ingress)": f"{self.worker_url}{self.config.ingress_path}",
            "Shopify emulator": f"{self.shopify_url}/_emulator/state",
            "OpenText emulator": f"{self.opentext_url}/_emulator/state",
            "customer mail (SMTP)": (
                f"127.0.0.1:{self.ports.mail}, printed here, kept in {self.logs / 'mail.log'}"
            ),
            "Kafka": self._addresses[0],
            "schema registry": self._addresses[1],
            "logs": str(self.logs),
        }


def run_sandbox(
    config: SandboxConfig,
    ports: SandboxPorts,
    *,
    rate_per_s: float,
    duration_s: float | None,
    logs: Path | None,
    keep_data: bool = False,
) -> None:
    """Run the sandbox until Ctrl-C / SIGTERM (or ``duration_s``), then stop it all."""
    logs = logs or Path(tempfile.mkdtemp(prefix="casebridge-sandbox-"))
    logs.mkdir(parents=True, exist_ok=True)
    progress = Progress()
    progress(f"starting the casebridge sandbox (logs in {logs})")
    sandbox = Sandbox(config, ports, logs, rate_per_s, keep_data=keep_data, progress=progress)
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    with ExitStack() as cleanup:
        cleanup.callback(lambda: [signal.signal(s, h) for s, h in previous.items()])
        cleanup.callback(sandbox.stop)
        sandbox.start()
        progress("casebridge sandbox is up:")
        for name, url in sandbox.urls().items():
            print(f"  {name:<20} {url}")
        print("Traffic for all eight use cases is flowing. Ctrl-C stops everything.", flush=True)
        stop.wait(duration_s)
        progress("stopping (everything this run started, newest first) ...")
