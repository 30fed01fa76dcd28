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
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx
import yaml

from connectors.errors import CasebridgeError
from connectors.mail.inbox import Inbox, ReceivedMail, running_inbox
from streams.runtime.children import ChildProcess, spawn
from streams.services import Services
from streams.settings import Settings, StackSettings
from streams.shops.emulated import bundled_registry_path, emulator_shops

log = logging.getLogger(__name__)

SHOPIFY_SECRET = "emulator-webhook-secret"
WEBHOOK_TOPICS = (
    "orders/create",
    "orders/updated",
    "orders/cancelled",
    "orders/risk_assessment_changed",
    "returns/request",
    "disputes/create",
    "disputes/update",
    "fulfillment_orders/placed_on_hold",
    "fulfillment_events/create",
    "variants/out_of_stock",
    "inventory_levels/update",
    "products/update",
    "themes/publish",
)


class SandboxError(CasebridgeError):
    """A sandbox component did not start."""


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


def existing_data(client_config: dict[str, Any]) -> str:
    """What a broker already holds that the sandbox's page would show: cases and dead letters."""
    from streams.topics import CASES_STATE
    from streams.web.dlqstats import PIPELINE_DLQS, DlqCounter

    rows = DlqCounter(client_config, known=(CASES_STATE, *PIPELINE_DLQS)).counts()
    states = next((r["records"] or 0 for r in rows if r["topic"] == CASES_STATE), 0)
    dead = {r["topic"]: r["records"] for r in rows if r["topic"] != CASES_STATE and r["records"]}
    dlqs = ", ".join(f"{t} {n}" for t, n in sorted(dead.items())) or "none"
    return f"{states} case state records in {CASES_STATE}; dead letters: {dlqs}"


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
        settings: Settings,
        ports: SandboxPorts,
        logs: Path,
        rate_per_s: float,
        *,
        keep_data: bool = False,
        progress: Progress | None = None,
    ) -> None:
        self.settings = settings
        self.ports = ports
        self.logs = logs
        self.rate_per_s = rate_per_s
        self.keep_data = keep_data
        self.progress = progress if progress is not None else Progress()
        self.children: list[ChildProcess] = []
        # The stores it runs: the settings' registry file, else the bundled US + EU one.
        self.shops_file = settings.shops_file or bundled_registry_path()
        self.shops = Services(settings.model_copy(update={"shops_file": self.shops_file})).shops
        self.stop_event = threading.Event()
        self.started_stack = False
        self._mail = ExitStack()  # the customers' mail server, while the sandbox runs
        self.inbox: Inbox | None = None

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
        return "bootstrap_servers" in self.settings.kafka.model_fields_set

    def _start_stack(self) -> tuple[str, str]:
        """Bring up (or name) the broker and registry; returns their addresses."""
        if self.external_kafka:
            servers, registry = self.settings.kafka.bootstrap_servers, self.settings.registry.url
            self.progress(
                f"Kafka {servers} and registry {registry} come from the settings "
                "(CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS): no stack of the sandbox's own"
            )
            return servers, registry
        from deploy.local.stack import LocalStack

        stack_settings = sandbox_stack_settings(self.settings.stack, self.ports)
        stack = LocalStack(
            stack_settings,
            num_partitions=self.settings.kafka.default_partitions,
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

        kafka = {**self.settings.kafka.confluent_config(), "bootstrap.servers": servers}
        if self.external_kafka or self.keep_data:
            # Say plainly what the page will count that this run did not make.
            found = existing_data(kafka)
            where = "on this broker" if self.external_kafka else "resumed from the last sandbox"
            self.progress(f"already {where}: {found}")
        # The worker starts after whatever is on the broker already (nothing, when fresh).
        from streams.kafka.groups import start_group_at_end

        start_group_at_end(kafka, self.settings.app_id)

        with self.progress.step(
            f"emulators (OpenText :{self.ports.opentext}, Shopify :{self.ports.shopify})"
        ):
            self._start_emulators(cli)

        with self.progress.step("the customers' mail server (aiosmtpd)"):
            self.inbox = self._mail.enter_context(running_inbox(on_message=self._mail_received))
        worker_env = {
            **base_env,
            # Customer notices (a rejected or questioned high-value order) go to the inbox.
            "CASEBRIDGE_SMTP__HOST": self.inbox.host,
            "CASEBRIDGE_SMTP__PORT": str(self.inbox.port),
            "CASEBRIDGE_SMTP__TLS": "none",
            "CASEBRIDGE_SMTP__SENDER": "Casebridge Sandbox Shop <orders@sandbox.example>",
            "CASEBRIDGE_WEB_PORT": str(self.ports.worker),
            "CASEBRIDGE_INGRESS__WEBHOOK_SECRETS": json.dumps([SHOPIFY_SECRET]),
            "CASEBRIDGE_SHOPIFY__BASE_URL": self.shopify_url,
            "CASEBRIDGE_SHOPS_FILE": str(self.shops_file),
            "CASEBRIDGE_OPENTEXT__BASE_URL": self.opentext_url,
            "CASEBRIDGE_RECONCILE__INTERVAL_S": "60",
            "CASEBRIDGE_LAG__INTERVAL_S": "5",
        }
        if not self.external_kafka:
            # The worker's local data belongs with the sandbox's broker data, and goes with it.
            data_dir = sandbox_home(self.settings.stack) / "worker"
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
            rate = self.rate_per_s / len(self.shops)
            for shop in self.shops.domains:
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

    def _mail_received(self, mail: ReceivedMail) -> None:
        """Print each customer notice (the customer was told) and keep it in the logs."""
        first_line = next((line for line in mail.body.splitlines()[1:] if line.strip()), "")
        self.progress(f"mail to {', '.join(mail.recipients)}: {mail.subject!r} ({first_line})")
        with (self.logs / "mail.log").open("a", encoding="utf-8") as log:
            log.write(mail.message.as_string() + "\n")

    def _start_emulators(self, cli: list[str]) -> None:
        opentext_config = self.logs / "opentext-emulator.yaml"
        opentext_config.write_text(
            yaml.safe_dump(
                {
                    "decisions": {"mode": "auto", "delay_seconds": 8, "seed": 7},
                }
            )
        )
        opentext = spawn(
            "opentext-emulator",
            [
                *cli,
                "emulate",
                "opentext",
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
        ingress = f"{self.worker_url}{self.settings.ingress.path}"
        shopify_config.write_text(
            yaml.safe_dump(
                {
                    "shops": emulator_shops(self.shops),
                    "webhooks": [{"topic": t, "address": ingress} for t in WEBHOOK_TOPICS],
                    "delivery": {"time_scale": 0.01},
                    "seed": random.randrange(1 << 30),
                }
            )
        )
        shopify = spawn(
            "shopify-emulator",
            [
                *cli,
                "emulate",
                "shopify",
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
            customer = random.choice(customers)
            subprocess.run(
                [
                    *cli,
                    "produce",
                    "complaint",
                    "--shop",
                    self.shops.default.domain,
                    "--customer-id",
                    customer,
                    "--email",
                    f"{customer}@example.com",
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

    def _offline_intake(self) -> None:
        state = httpx.get(f"{self.shopify_url}/_emulator/state", timeout=10).json()
        shop = state["shops"][0]
        variants = [v for p in shop.get("products", []) for v in p.get("variants", [])]
        if not variants:
            return
        variant = random.choice(variants)
        s = self.settings.opentext
        token = httpx.post(
            f"{self.opentext_url}/tenants/{s.tenant_id}/oauth2/token",
            json={
                "grant_type": "client_credentials",
                "client_id": s.client_id,
                "client_secret": s.client_secret.get_secret_value(),
            },
            timeout=10,
        ).json()["access_token"]
        case_id = f"OFFLINE_ORDER-{uuid.uuid4().hex[:16]}"
        line: dict[str, Any] = {
            "variantId": str(variant.get("admin_graphql_api_id") or variant["id"]),
            "quantity": random.randint(1, 3),
        }
        # Taxes, shipping and payment come from the reviewer's approval form
        # (connectors/opentext/emulator/forms.py); a reseller is tax exempt.
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
            {"name": "shop", "type": "string", "value": self.shops.default.domain},
        ]
        if random.random() < 0.2:
            variables.append(
                {"name": "taxExemptNote", "type": "string", "value": "resale certificate on file"}
            )
        httpx.post(
            f"{self.opentext_url}/workflow/v1/process-instances",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "processDefinitionKey": s.models["OFFLINE_ORDER"],
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
        self._mail.close()
        if self.started_stack:
            self._stack.down()

    def urls(self) -> dict[str, str]:
        """What to open, for the banner."""
        return {
            "operations page": f"{self.worker_url}/ops/",
            "metrics": f"{self.worker_url}/metrics",
            "webhooks (ingress)": f"{self.worker_url}{self.settings.ingress.path}",
            "Shopify emulator": f"{self.shopify_url}/_emulator/state",
            "OpenText emulator": f"{self.opentext_url}/_emulator/state",
            "customer mail (SMTP)": (
                f"{self.inbox.host}:{self.inbox.port}, printed here, kept in"
                f" {self.logs / 'mail.log'}"
                if self.inbox is not None
                else "not started"
            ),
            "Kafka": self._addresses[0],
            "schema registry": self._addresses[1],
            "logs": str(self.logs),
        }


def run_sandbox(
    settings: Settings,
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
    sandbox = Sandbox(settings, ports, logs, rate_per_s, keep_data=keep_data, progress=progress)
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
