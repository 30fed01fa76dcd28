"""Typed settings for every casebridge process, validated once at start.

One frozen section per stage (``enrich``, ``reconcile``, ``sink``, ``writer``,
``escalation``, ``lag``, ...), composed by :class:`Settings` and handed as-is
to the stage's logic: the stages import their section from here, and this
module imports no stage (it stays cheap to import: no Faust, no HTTP).

Values come from the environment (prefix ``CASEBRIDGE_``, nested sections
joined with ``__``, e.g. ``CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS``) or from a
``.env`` file. Secrets may also be given as files (``*_FILE`` variables are
read by :func:`load_settings`) so they never have to sit in a process list.
An invalid value raises :class:`SettingsError` naming the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as SourceParseError

from connectors.errors import ConfigurationError
from connectors.mail.config import SmtpConfig
from connectors.retry import RetryPolicy
from connectors.shopify.versions import DEFAULT_API_VERSION
from deploy.local.settings import StackSettings, default_home
from schemas.records import CaseType

ENV_PREFIX = "CASEBRIDGE_"


class SettingsError(ConfigurationError):
    """A setting is missing or has an invalid value."""


class Backoff(BaseModel):
    """A capped, jittered exponential backoff that never gives up (an outage wait)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    initial_s: float = Field(default=1.0, ge=0)
    """Delay after the first failed attempt (before jitter)."""
    max_s: float = Field(default=30.0, ge=0)
    """No single delay is longer."""


class Retry(Backoff):
    """A :class:`Backoff` that gives up after a number of attempts."""

    attempts: int = Field(default=3, ge=1)
    """Attempts in all, the first included."""

    def policy(self) -> RetryPolicy:
        """The :class:`~connectors.retry.RetryPolicy` of these bounds."""
        return RetryPolicy(
            initial_interval_s=self.initial_s,
            maximum_interval_s=self.max_s,
            maximum_attempts=self.attempts,
        )


class KafkaSettings(BaseModel):
    """How to reach the Kafka cluster; TLS/SASL values are passed to every client."""

    model_config = ConfigDict(frozen=True)

    bootstrap_servers: str = "127.0.0.1:19092"
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    default_partitions: int = Field(default=6, ge=1, le=1000)
    replication_factor: int = Field(default=1, ge=1, le=10)

    @field_validator("bootstrap_servers")
    @classmethod
    def _hosts_have_ports(cls, value: str) -> str:
        for server in value.split(","):
            host, sep, port = server.strip().rpartition(":")
            if not sep or not host or not port.isdigit():
                raise ValueError(f"expected host:port[,host:port...], got {value!r}")
        return value

    def confluent_config(self) -> dict[str, Any]:
        """The librdkafka configuration keys for these settings."""
        config: dict[str, Any] = {
            "bootstrap.servers": self.bootstrap_servers,
            "security.protocol": self.security_protocol,
        }
        if self.sasl_mechanism:
            config["sasl.mechanism"] = self.sasl_mechanism
        if self.sasl_username:
            config["sasl.username"] = self.sasl_username
        if self.sasl_password:
            config["sasl.password"] = self.sasl_password.get_secret_value()
        if self.ssl_cafile:
            config["ssl.ca.location"] = str(self.ssl_cafile)
        if self.ssl_certfile:
            config["ssl.certificate.location"] = str(self.ssl_certfile)
        if self.ssl_keyfile:
            config["ssl.key.location"] = str(self.ssl_keyfile)
        return config


class RegistrySettings(BaseModel):
    """The Confluent-compatible schema registry (Apicurio's ccompat API locally)."""

    model_config = ConfigDict(frozen=True)

    url: str = "http://127.0.0.1:18081/apis/ccompat/v7"
    username: str | None = None
    password: SecretStr | None = None

    @field_validator("url")
    @classmethod
    def _is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s) URL, got {value!r}")
        return value.rstrip("/")


class IngressSettings(BaseModel):
    """The Shopify webhook endpoint served by the worker."""

    model_config = ConfigDict(frozen=True)

    webhook_secrets: list[SecretStr] = Field(
        default_factory=list,
        description="App client secrets, newest first; several during a rotation.",
    )
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    dedup_window_s: float = Field(default=24 * 3600.0, ge=1.0)
    path: str = "/webhooks/shopify"


class ShopifySettings(BaseModel):
    """The Shopify Admin API (or the emulator: set ``base_url``)."""

    model_config = ConfigDict(frozen=True)

    shop_domain: str = "casebridge-demo.myshopify.com"
    api_version: str = DEFAULT_API_VERSION
    access_token: SecretStr = SecretStr("shpat_emulator_token")
    base_url: str | None = Field(
        default=None, description="Override https://{shop} e.g. with the emulator's URL."
    )
    timeout_s: float = Field(default=10.0, gt=0)


class OpenTextSettings(BaseModel):
    """OpenText Workflow Service (or the emulator)."""

    model_config = ConfigDict(frozen=True)

    base_url: str = "http://127.0.0.1:8089"
    tenant_id: str = "casebridge-dev"
    client_id: str = "casebridge"
    client_secret: SecretStr = SecretStr("casebridge-secret")
    timeout_s: float = Field(default=10.0, gt=0)
    models: dict[str, str] = Field(
        default_factory=lambda: {
            "ORDER_REVIEW": "casebridge.order_review",
            "HIGH_VALUE_REVIEW": "casebridge.high_value_review",
            "RETURN_REVIEW": "casebridge.return_review",
            "COMPLAINT": "casebridge.complaint",
            "FULFILLMENT_EXCEPTION": "casebridge.fulfillment_exception",
            "CONTENT_REVIEW": "casebridge.content_review",
            "OFFLINE_ORDER": "casebridge.offline_order",
            "CHARGEBACK": "casebridge.chargeback",
        },
        description="processDefinitionKey of the OpenText model per case type.",
    )


class DecisionSettings(BaseModel):
    """How decisions come back from OpenText: history polling and/or a callback."""

    model_config = ConfigDict(frozen=True)

    poll_enabled: bool = True
    poll_interval_s: float = Field(default=5.0, gt=0)
    overlap_s: float = Field(default=5.0, ge=0)
    pending_grace_s: float = Field(default=600.0, gt=0)
    outcome_variable: str = "approvalStatus"
    callback_enabled: bool = False
    callback_path: str = "/callbacks/opentext"
    callback_hmac_secrets: list[SecretStr] = Field(default_factory=list)
    callback_bearer_tokens: list[SecretStr] = Field(default_factory=list)
    callback_signature_header: str = "X-Casebridge-Signature"


class EnrichSettings(BaseModel):
    """Shopify enrichment of cases before they open, and review holds (the classify stage)."""

    model_config = ConfigDict(frozen=True)

    history_orders: int = Field(default=10, ge=1, le=100)
    """The customer's most recent orders whose returns and disputes are counted
    (cost grows with it: ~5 points per order)."""
    returns_per_order: int = Field(default=2, ge=1, le=50)
    """Returns read per history order."""
    fulfillment_orders_first: int = Field(default=5, ge=1, le=50)
    """Fulfillment orders read per order (enrichment)."""
    hold_fulfillment_orders_first: int = Field(default=2, ge=1, le=50)
    """Fulfillment orders per page of the hold's read (most orders have one or two)."""
    fulfillments_first: int = Field(default=5, ge=1, le=50)
    """Fulfillments read for shipping proof."""
    place_holds: bool = True
    """Hold ORDER_REVIEW / HIGH_VALUE_REVIEW orders."""
    notify_merchant: bool = False
    """Ask Shopify to notify the merchant of each hold."""
    defer_after_s: float = Field(
        default=1.0,
        gt=0,
        description="Defer enrichment when its read would wait longer for the store's budget.",
    )
    deferred_concurrency: int = Field(default=4, ge=1, le=64)
    """Deferred enrichments running at once."""
    deferred_limit: int = Field(default=10_000, ge=1)
    """Deferred enrichments kept waiting at most."""
    timeline_pages: int = Field(
        default=2,
        ge=0,
        le=10,
        description="Pages of a disputed order's timeline gathered as evidence (0: none).",
    )
    timeline_page_size: int = Field(default=20, ge=1, le=100)


class ReconcileSettings(BaseModel):
    """The poller that re-fetches what webhooks may have missed."""

    model_config = ConfigDict(frozen=True)

    interval_s: float = Field(default=300.0, ge=1)
    """Seconds between runs (the Faust timer's interval)."""
    overlap_s: float = Field(default=120.0, ge=0)
    """Re-read window behind the newest update seen."""
    initial_lookback_s: float = Field(default=86400.0, ge=60)
    """How far back the first run (no watermark yet) looks."""
    page_size: int = Field(default=5, ge=1, le=50)
    """Orders per request (~90 cost points each with 20 lines)."""
    lines_first: int = Field(default=20, ge=1, le=100)
    """Line items read per order."""
    max_pages: int = Field(default=200, ge=1)
    """Pages per run; the next run continues from the watermark."""
    watermark_topic: str = "casebridge.watermarks"

    @property
    def overlap(self) -> timedelta:
        """:attr:`overlap_s` as a duration."""
        return timedelta(seconds=self.overlap_s)

    @property
    def initial_lookback(self) -> timedelta:
        """:attr:`initial_lookback_s` as a duration."""
        return timedelta(seconds=self.initial_lookback_s)


class SinkSettings(BaseModel):
    """The OpenText sink's waits (its concurrency is ``CASEBRIDGE_SINK_CONCURRENCY``)."""

    model_config = ConfigDict(frozen=True)

    outage: Backoff = Backoff(initial_s=1.0, max_s=15.0)
    """Waiting out an OpenText outage: capped, jittered, never giving up."""
    auth_wait: Backoff = Backoff(initial_s=5.0, max_s=60.0)
    """Refused credentials need a person: retry rarely, but keep retrying."""


class WriterSettings(BaseModel):
    """The Shopify writer (the defaults suit a real store and the emulator alike)."""

    model_config = ConfigDict(frozen=True)

    concurrency: int = Field(default=16, ge=1, le=256)
    refund_transactions: Literal["suggested", "omit"] = Field(
        default="suggested",
        description="suggested: send Shopify's suggestedRefund transactions (real stores).",
    )
    """How REFUND gets its money movements. ``suggested``: read the order's
    ``suggestedRefund`` for the lines and send its transactions (gateway, parent
    transaction), as a real store needs: without transactions Shopify records
    the refund and restock but returns no money. ``omit``: send none; for the
    emulator, which has no ``suggestedRefund`` and refunds the lines' value."""
    # Transient userErrors are optimistic-lock conflicts with another writer:
    # they clear in well under a second, so a few quick retries suffice.
    retry: Retry = Retry(initial_s=0.5, max_s=5.0, attempts=4)
    """Backoff for transient ``userErrors``; each attempt re-reads state before writing."""
    # On top of the client's own HTTP retries: a couple of slower re-runs of
    # the whole read-then-write before the agent is told to wait.
    unavailable_retry: Retry = Retry(initial_s=1.0, max_s=10.0, attempts=3)
    """Re-runs of an action while Shopify is unavailable, before ``WriterUnavailableError``."""
    outage: Backoff = Backoff(initial_s=1.0, max_s=30.0)
    """Then the agent waits the outage out, retrying the action without limit."""
    job_timeout_s: float = Field(default=30.0, gt=0)
    """How long to wait for an ``orderCancel`` job before giving up as unavailable."""
    job_poll_interval_s: float = Field(default=0.25, gt=0)
    """Delay between ``job(id:)`` polls."""
    lines_first: int = Field(default=100, ge=1, le=250)
    """Page size of line items read for edits and splits (Shopify caps a page at 250)."""
    fulfillment_orders_first: int = Field(default=20, ge=1, le=250)
    """Fulfillment orders read per order when releasing holds on all of them."""


class EscalationSettings(BaseModel):
    """How the escalation timer runs and which cases it escalates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    """Off: the agent still tracks open cases, but the timer never escalates."""
    interval_s: float = Field(default=30.0, gt=0, le=3600)
    """Seconds between two passes of the timer over the open cases."""
    case_types: frozenset[CaseType] = frozenset({CaseType.COMPLAINT})
    """Case types escalated past their SLA (add ``FULFILLMENT_EXCEPTION`` to cover UC4)."""
    max_level: int = Field(default=2, ge=1, le=10)
    """Highest escalation level; a case at this level is never escalated again."""
    escalate_repeated: bool = True
    """Escalate a repeated complaint (``REPEATED_COMPLAINT`` in its state) at once, one level."""
    level_step_s: float | None = Field(default=None, gt=0)
    """Time after one escalation before the next level while the case stays undecided;
    ``None`` uses the policy SLA of the case type at its escalated priority."""
    concurrency: int = Field(default=8, ge=1, le=256)
    """Escalations (OpenText calls) in flight at once within one timer pass."""


#: Groups that start with the app prefix but are not pipeline consumers: the
#: DLQ replay cursors only move when an operator replays, so their "lag" is
#: the DLQ backlog and would always look stopped.
DEFAULT_EXCLUDES = ("casebridge-dlq-replay-",)

#: Topics a Faust member has assigned but never commits: table changelogs are
#: read during recovery and their position kept in the local store, and the
#: leader-election topic carries nothing. Their "lag" would be a false STALL.
DEFAULT_TOPIC_EXCLUDES = ("*-changelog", "*-__assignor-__leader")


class LagSettings(BaseModel):
    """What the lag monitor watches, how it judges it and whom it tells (the ops stage)."""

    model_config = ConfigDict(frozen=True)

    groups: list[str] = Field(
        default_factory=list,
        description="Consumer groups to watch in addition to those matching the prefix.",
    )
    group_prefix: str | None = Field(
        default=None,
        description="Watch every group whose id starts with this; None means Settings.app_id.",
    )
    exclude_prefixes: list[str] = Field(
        default_factory=lambda: list(DEFAULT_EXCLUDES),
        description="Groups starting with one of these are never watched.",
    )
    exclude_topics: list[str] = Field(
        default_factory=lambda: list(DEFAULT_TOPIC_EXCLUDES),
        description="Shell patterns of topics never measured (Faust-internal by default).",
    )
    read_committed_groups: list[str] = Field(
        default_factory=list,
        description="Groups consuming with isolation.level=read_committed: their lag is "
        "measured against the last stable offset instead of the high watermark.",
    )
    window: int = Field(default=10, ge=2, le=1000, description="Offset samples kept per partition.")
    interval_s: float = Field(
        default=30.0, gt=0, description="Seconds between two evaluations (one sample each)."
    )
    request_timeout_s: float = Field(
        default=10.0, gt=0, description="Timeout of each AdminClient request."
    )
    alert_url: str | None = Field(
        default=None, description="HTTP(S) URL that receives a JSON POST per alert episode."
    )
    alert_after: int = Field(
        default=3,
        ge=1,
        description="Consecutive not-OK evaluations of a group before an alert is sent.",
    )
    alert_timeout_s: float = Field(default=5.0, gt=0)
    webhooks_quiet_alert_s: float = Field(
        default=1800.0,
        gt=0,
        description="Seconds without an accepted webhook before Prometheus' CasebridgeNoWebhooks "
        "alert fires (deploy/prometheus); exported as casebridge_webhooks_quiet_alert_seconds.",
    )

    @field_validator("alert_url")
    @classmethod
    def _is_http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s) URL, got {value!r}")
        return value

    def prefix(self, app_id: str) -> str:
        """The group prefix to watch, defaulting to the application id."""
        return self.group_prefix if self.group_prefix is not None else app_id


class Settings(BaseSettings):
    """All settings of a casebridge process."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
        frozen=True,
    )

    app_id: str = "casebridge"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=6066, ge=1, le=65535)
    data_dir: Path = Field(default_factory=lambda: default_home() / "worker")
    policy_file: Path | None = Field(
        default=None, description="YAML/TOML policy; the bundled default when unset."
    )
    shops_file: Path | None = Field(
        default=None,
        description="YAML shop registry (streams/shops); one shop from `shopify` when unset.",
    )
    shops_reload_s: float = Field(
        default=10.0, gt=0, description="How often workers check the shop registry file."
    )
    sink_concurrency: int = Field(default=32, ge=1, le=1024)
    classify_concurrency: int = Field(
        default=32,
        ge=1,
        le=1024,
        description="Subjects (message keys) whose enrichment and publishing overlap.",
    )
    auto_offset_reset: Literal["earliest", "latest"] = Field(
        default="earliest",
        description="Where a new consumer group starts; tests sharing a cluster use latest.",
    )
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    registry: RegistrySettings = Field(default_factory=RegistrySettings)
    stack: StackSettings = Field(default_factory=StackSettings)
    ingress: IngressSettings = Field(default_factory=IngressSettings)
    shopify: ShopifySettings = Field(default_factory=ShopifySettings)
    opentext: OpenTextSettings = Field(default_factory=OpenTextSettings)
    decisions: DecisionSettings = Field(default_factory=DecisionSettings)
    enrich: EnrichSettings = Field(default_factory=EnrichSettings)
    reconcile: ReconcileSettings = Field(default_factory=ReconcileSettings)
    lag: LagSettings = Field(default_factory=LagSettings)
    sink: SinkSettings = Field(default_factory=SinkSettings)
    writer: WriterSettings = Field(default_factory=WriterSettings)
    escalation: EscalationSettings = Field(default_factory=EscalationSettings)
    smtp: SmtpConfig = Field(default_factory=SmtpConfig)
    """The mail server customer notices go through (policy ``decisions.customer_notifications``)."""


#: Settings whose values are never echoed in an error message.
_SENSITIVE = ("password", "secret", "token")


def _format_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    path = "__".join(str(part) for part in first["loc"]).upper()
    variable = f"{ENV_PREFIX}{path}" if path else ENV_PREFIX + "*"
    value = first.get("input")
    msg = first["msg"]
    if (
        any(word in path.lower() for word in _SENSITIVE)
        or repr(value) in msg
        or isinstance(value, dict)
    ):
        # A secret, a validator message that already quotes the value, or a whole
        # section (which may hold a secret, e.g. smtp's password).
        shown = ""
    else:
        shown = f" (got {value!r})"
    more = f" (+{len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"invalid setting {variable}: {msg}{shown}{more}"


_SOURCE_ERROR = re.compile(r'field "(?P<field>[^"]+)" from source "(?P<source>[^"]+)"')


def _format_source_error(exc: SourceParseError) -> str:
    # pydantic-settings fails before validation when a list/mapping value is not
    # JSON (e.g. CASEBRIDGE_INGRESS__WEBHOOK_SECRETS=a,b); it names only the field.
    match = _SOURCE_ERROR.search(str(exc))
    if match is None:
        return f"invalid settings: {exc}"
    field = match.group("field").upper()
    where = " in .env" if "DotEnv" in match.group("source") else ""
    return (
        f"invalid setting {ENV_PREFIX}{field} or {ENV_PREFIX}{field}__*{where}: "
        'list and mapping values must be JSON, e.g. \'["a", "b"]\''
    )


def _file_values(environ: Mapping[str, str]) -> dict[str, Any]:
    """Values of ``CASEBRIDGE_<NAME>_FILE`` variables, read from their files, as nested kwargs.

    Secrets mounted as files (Docker/Kubernetes secrets) never have to be in the
    environment of the process; a variable set directly wins over its ``_FILE``.
    """
    values: dict[str, Any] = {}
    for name, path in environ.items():
        if not (name.startswith(ENV_PREFIX) and name.endswith("_FILE")):
            continue
        target = name[: -len("_FILE")]
        if target in environ or name[len(ENV_PREFIX) :].lower() in Settings.model_fields:
            # Set directly, or a setting that is itself a path (CASEBRIDGE_SHOPS_FILE,
            # CASEBRIDGE_POLICY_FILE): read where it is used, not as a secret here.
            continue
        try:
            content = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingsError(f"cannot read {name}={path}: {exc.strerror}") from None
        keys = target[len(ENV_PREFIX) :].lower().split("__")
        node = values
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = content
    return values


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_settings(**overrides: Any) -> Settings:
    """Build and validate :class:`Settings`, raising :class:`SettingsError` on bad input.

    Explicit ``overrides`` win over ``CASEBRIDGE_*_FILE`` secrets, which win over
    nothing else: a variable set directly always beats its ``_FILE`` twin.
    """
    try:
        return Settings(**_merge(_file_values(os.environ), overrides))
    except ValidationError as exc:
        raise SettingsError(_format_error(exc)) from None
    except SourceParseError as exc:
        raise SettingsError(_format_source_error(exc)) from None
