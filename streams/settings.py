"""Typed settings for every casebridge process, validated once at start.

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
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as SourceParseError

from connectors.errors import ConfigurationError
from connectors.mail.config import SmtpConfig
from connectors.shopify.versions import DEFAULT_API_VERSION
from streams.escalation.settings import EscalationSettings
from streams.ops.config import LagSettings

ENV_PREFIX = "CASEBRIDGE_"


class SettingsError(ConfigurationError):
    """A setting is missing or has an invalid value."""


def _default_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "casebridge"


class KafkaSettings(BaseModel):
    """How to reach the Kafka cluster; TLS/SASL values are passed to every client."""

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

    url: str = "http://127.0.0.1:18081/apis/ccompat/v7"
    username: str | None = None
    password: SecretStr | None = None

    @field_validator("url")
    @classmethod
    def _is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s) URL, got {value!r}")
        return value.rstrip("/")


class StackSettings(BaseModel):
    """The local Kafka + Apicurio stack fetched from Maven Central."""

    kafka_version: str = "4.4.0"
    apicurio_version: str = "3.0.9"
    kafka_port: int = Field(default=19092, ge=1, le=65535)
    controller_port: int = Field(default=19093, ge=1, le=65535)
    registry_port: int = Field(default=18081, ge=1, le=65535)
    cache_dir: Path = Field(default_factory=lambda: _default_home() / "artifacts")
    data_dir: Path = Field(default_factory=lambda: _default_home() / "stack" / "data")
    log_dir: Path = Field(default_factory=lambda: _default_home() / "stack" / "logs")
    kafka_heap: str = "1g"
    registry_heap: str = "512m"
    start_timeout_s: float = Field(default=120.0, gt=0)


class IngressSettings(BaseModel):
    """The Shopify webhook endpoint served by the worker."""

    webhook_secrets: list[SecretStr] = Field(
        default_factory=list,
        description="App client secrets, newest first; several during a rotation.",
    )
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    dedup_window_s: float = Field(default=24 * 3600.0, ge=1.0)
    path: str = "/webhooks/shopify"


class ShopifySettings(BaseModel):
    """The Shopify Admin API (or the emulator: set ``base_url``)."""

    shop_domain: str = "casebridge-demo.myshopify.com"
    api_version: str = DEFAULT_API_VERSION
    access_token: SecretStr = SecretStr("shpat_emulator_token")
    base_url: str | None = Field(
        default=None, description="Override https://{shop} e.g. with the emulator's URL."
    )
    timeout_s: float = Field(default=10.0, gt=0)


class OpenTextSettings(BaseModel):
    """OpenText Workflow Service (or the emulator)."""

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
    """Shopify enrichment of cases before they open, and review holds."""

    history_orders: int = Field(default=10, ge=1, le=100)
    returns_per_order: int = Field(default=2, ge=1, le=50)
    fulfillment_orders_first: int = Field(default=5, ge=1, le=50)
    hold_fulfillment_orders_first: int = Field(default=2, ge=1, le=50)
    fulfillments_first: int = Field(default=5, ge=1, le=50)
    place_holds: bool = True
    notify_merchant: bool = False
    defer_after_s: float = Field(
        default=1.0,
        gt=0,
        description="Defer enrichment when its read would wait longer for the store's budget.",
    )
    deferred_concurrency: int = Field(default=4, ge=1, le=64)
    deferred_limit: int = Field(default=10_000, ge=1)


class ReconcileSettings(BaseModel):
    """The poller that re-fetches what webhooks may have missed."""

    interval_s: float = Field(default=300.0, ge=1)
    overlap_s: float = Field(default=120.0, ge=0)
    initial_lookback_s: float = Field(default=86400.0, ge=60)
    page_size: int = Field(default=5, ge=1, le=50)
    lines_first: int = Field(default=20, ge=1, le=100)
    max_pages: int = Field(default=200, ge=1)
    watermark_topic: str = "casebridge.watermarks"


class WriterSettings(BaseModel):
    """The Shopify writer."""

    concurrency: int = Field(default=16, ge=1, le=256)
    refund_transactions: Literal["suggested", "omit"] = Field(
        default="suggested",
        description="suggested: send Shopify's suggestedRefund transactions (real stores).",
    )


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
    data_dir: Path = Field(default_factory=lambda: _default_home() / "worker")
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
