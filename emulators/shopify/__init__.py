"""A stateful emulator of the Shopify GraphQL Admin API and its webhooks.

Public surface::

    from connectors.shopify.emulator import EmulatorConfig, create_app, run
    run("127.0.0.1", 8765, EmulatorConfig())            # blocking
    app = create_app(EmulatorConfig(), clock=FakeClock())  # aiohttp app for tests

The same client code runs against the emulator and a real store: only the
base URL and the access token change.
"""

from __future__ import annotations

from connectors.shopify.emulator.app import Emulator, create_app, run
from connectors.shopify.emulator.clock import Clock, FakeClock, SystemClock
from connectors.shopify.emulator.config import (
    PLAN_LIMITS,
    DeliveryConfig,
    EmulatorConfig,
    ShopConfig,
    WebhookSubscriptionConfig,
    load_config,
)
from connectors.shopify.emulator.cost import CostCalculator, LeakyBucket
from connectors.shopify.emulator.errors import EmulatorConfigError, EmulatorError
from connectors.shopify.emulator.scenario import KINDS, ScenarioGenerator, ScenarioStream, generate
from connectors.shopify.emulator.webhooks import sign

__all__ = [
    "KINDS",
    "PLAN_LIMITS",
    "Clock",
    "CostCalculator",
    "DeliveryConfig",
    "Emulator",
    "EmulatorConfig",
    "EmulatorConfigError",
    "EmulatorError",
    "FakeClock",
    "LeakyBucket",
    "ScenarioGenerator",
    "ScenarioStream",
    "ShopConfig",
    "SystemClock",
    "WebhookSubscriptionConfig",
    "create_app",
    "generate",
    "load_config",
    "run",
    "sign",
]
