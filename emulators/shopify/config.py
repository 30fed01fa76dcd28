"""The emulator's configuration: shops, webhook subscriptions, retry schedule.

Defaults work out of the box: one shop ``casebridge-demo.myshopify.com`` with
token ``shpat_emulator_token`` and webhook secret ``emulator-webhook-secret``.
A YAML file with the same field names overrides them (:func:`load_config`)::

    shops:
      - domain: casebridge-demo.myshopify.com
        access_token: shpat_emulator_token
        app_secret: emulator-webhook-secret
        api_version: "2026-04"
        plan: standard            # standard | advanced | plus | enterprise
    webhooks:                     # topic "*" subscribes to every topic
      - {topic: "*", address: "http://127.0.0.1:8080/webhooks/shopify"}
    delivery: {retry_schedule_s: [60, 120, 240], time_scale: 0.01}
    throttle_status: 200          # or 429 (with Retry-After)
    seed: 7
    seed_orders: 50
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from emulators.shopify.errors import EmulatorConfigError

PlanName = Literal["standard", "advanced", "plus", "enterprise"]

#: Shopify's documented GraphQL bucket per plan: (maximumAvailable, restoreRate/s).
PLAN_LIMITS: dict[str, tuple[int, float]] = {
    "standard": (1000, 100.0),
    "advanced": (2000, 200.0),
    "plus": (10000, 1000.0),
    "enterprise": (20000, 2000.0),
}

#: Shopify retries a failed delivery 8 times over about 4 hours; exponential
#: backoff from one minute gives 60 * (2**8 - 1) s = 4.25 h.
SHOPIFY_RETRY_SCHEDULE_S: tuple[float, ...] = (60, 120, 240, 480, 960, 1920, 3840, 7680)

DEFAULT_DOMAIN = "casebridge-demo.myshopify.com"
DEFAULT_TOKEN = "shpat_emulator_token"
DEFAULT_SECRET = "emulator-webhook-secret"
DEFAULT_API_VERSION = "2026-04"
#: What the fulfillment service app (a 3PL) installed on each shop is granted: only the
#: fulfillment orders assigned to its location (it accepts, rejects and closes their requests).
FULFILLMENT_SERVICE_SCOPES = (
    "read_assigned_fulfillment_orders",
    "write_assigned_fulfillment_orders",
)
#: What a full casebridge install is granted (``currentAppInstallation.accessScopes``).
DEFAULT_ACCESS_SCOPES = (
    "read_orders",
    "write_orders",
    "read_customers",
    "read_returns",
    "write_returns",
    "read_merchant_managed_fulfillment_orders",
    "write_merchant_managed_fulfillment_orders",
    "read_order_edits",
    "write_order_edits",
    "read_draft_orders",
    "write_draft_orders",
    "read_products",
    "write_products",
    "read_shopify_payments_disputes",
    "read_shopify_payments_dispute_evidences",
    "write_shopify_payments_dispute_evidences",
    "read_themes",
    "read_legal_policies",
    "read_payment_terms",
    "write_payment_terms",
)


class ShopConfig(BaseModel):
    """One emulated store and the app installed on it.

    Attributes:
        domain: the ``*.myshopify.com`` domain (``X-Shopify-Shop-Domain``).
        access_token: the Admin API token the app sends as ``X-Shopify-Access-Token``.
        app_secret: the app's client secret; signs webhooks (HMAC-SHA256).
        api_version: the version stamped on webhooks (``X-Shopify-API-Version``).
        plan: picks the bucket size and restore rate from :data:`PLAN_LIMITS`.
        maximum_available: overrides the plan's bucket size.
        restore_rate: overrides the plan's restore rate (points per second).
        currency: the shop currency.
        access_denied: root fields the app lacks the scope for (e.g.
            ``disputeEvidenceUpdate``); they answer ``ACCESS_DENIED``.
        access_scopes: the scope handles the token was granted, as
            ``currentAppInstallation { accessScopes { handle } }`` answers them.
        fulfillment_service_token: the token of the fulfillment service app (a 3PL)
            installed on the shop, granted :data:`FULFILLMENT_SERVICE_SCOPES` only;
            by default the app's token with ``_3pl`` appended (see :attr:`service_token`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    domain: str = DEFAULT_DOMAIN
    access_token: str = DEFAULT_TOKEN
    app_secret: str = DEFAULT_SECRET
    api_version: str = DEFAULT_API_VERSION
    plan: PlanName = "standard"
    maximum_available: int | None = Field(default=None, gt=0)
    restore_rate: float | None = Field(default=None, gt=0)
    currency: str = "USD"
    access_denied: list[str] = Field(default_factory=list)
    access_scopes: list[str] = Field(default_factory=lambda: list(DEFAULT_ACCESS_SCOPES))
    fulfillment_service_token: str | None = Field(default=None, min_length=1)

    @property
    def service_token(self) -> str:
        """The fulfillment service app's token (``shpat_emulator_token_3pl`` by default)."""
        return self.fulfillment_service_token or f"{self.access_token}_3pl"

    def bucket_limits(self) -> tuple[int, float]:
        """(maximumAvailable, restoreRate) after applying overrides to the plan preset."""
        size, rate = PLAN_LIMITS[self.plan]
        return (self.maximum_available or size, self.restore_rate or rate)


class WebhookSubscriptionConfig(BaseModel):
    """A webhook subscription known at start.

    Attributes:
        topic: REST topic (``orders/create``), GraphQL enum (``ORDERS_CREATE``) or ``*``.
        address: the HTTP(S) URL deliveries are POSTed to.
        shop: the shop domain; ``None`` subscribes every configured shop.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    topic: str
    address: str
    shop: str | None = None


class DeliveryConfig(BaseModel):
    """How webhooks are delivered, including the test knobs.

    Attributes:
        retry_schedule_s: waits before each retry; its length is the retry count.
        time_scale: multiplies every wait (0.001 turns 4 hours into 15 s).
        timeout_s: a receiver slower than this counts as failed (Shopify: 5 s).
        duplicate_rate: probability that a successful delivery is sent again.
        added_delay_s: extra wait before every attempt.
        out_of_order: shuffle each batch of queued deliveries before sending.
        batch_window_s: how long the worker collects a batch when shuffling.
    """

    model_config = ConfigDict(extra="forbid")

    retry_schedule_s: list[float] = Field(default_factory=lambda: list(SHOPIFY_RETRY_SCHEDULE_S))
    time_scale: float = Field(default=1.0, ge=0)
    timeout_s: float = Field(default=5.0, gt=0)
    duplicate_rate: float = Field(default=0.0, ge=0, le=1)
    added_delay_s: float = Field(default=0.0, ge=0)
    out_of_order: bool = False
    batch_window_s: float = Field(default=0.05, ge=0)


class EmulatorConfig(BaseModel):
    """Everything the emulator needs to start.

    Attributes:
        shops: the emulated stores (tokens must be unique: they identify the shop).
        webhooks: subscriptions created at start.
        delivery: webhook delivery and retry behaviour.
        throttle_status: 200 answers THROTTLED like Shopify's GraphQL; 429 adds Retry-After.
        max_query_cost: the single-query cap (Shopify: 1000).
        mutation_cost: what one mutation field costs (Shopify: about 10).
        job_duration_s: how long an async job (orderCancel) reports ``done: false``.
        idempotency_required_from: API version from which refundCreate needs ``@idempotent``.
        seed: random seed for the scenario generator.
        seed_orders: scenario events generated at start (0 = start empty).
    """

    model_config = ConfigDict(extra="forbid")

    shops: list[ShopConfig] = Field(default_factory=lambda: [ShopConfig()])
    webhooks: list[WebhookSubscriptionConfig] = Field(default_factory=list)
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    throttle_status: Literal[200, 429] = 200
    max_query_cost: int = Field(default=1000, gt=0)
    mutation_cost: int = Field(default=10, ge=0)
    job_duration_s: float = Field(default=0.2, ge=0)
    idempotency_required_from: str = "2026-04"
    seed: int = 1
    seed_orders: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _unique_shops(self) -> EmulatorConfig:
        # The token picks the shop when the Host header cannot (127.0.0.1:port).
        if not self.shops:
            raise ValueError("at least one shop is required")
        tokens = [t for s in self.shops for t in (s.access_token, s.service_token)]
        if len(set(tokens)) != len(tokens):
            raise ValueError(
                "shops must have distinct access tokens (fulfillment service tokens included)"
            )
        if len({s.domain for s in self.shops}) != len(self.shops):
            raise ValueError("shops must have distinct domains")
        return self


def load_config(path: str | Path | None) -> EmulatorConfig:
    """Read a YAML config file; ``None`` gives the defaults.

    Raises:
        EmulatorConfigError: the file is missing, not YAML, or fails validation.
    """
    if path is None:
        return EmulatorConfig()
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise EmulatorConfigError(f"cannot read emulator config {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise EmulatorConfigError(f"emulator config {path} must be a mapping")
    try:
        return EmulatorConfig.model_validate(raw)
    except ValidationError as exc:
        raise EmulatorConfigError(f"invalid emulator config {path}: {exc}") from exc
