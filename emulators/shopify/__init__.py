"""A stateful emulator of the Shopify GraphQL Admin API and its webhooks.

Public surface::

    from emulators.shopify import EmulatorConfig, create_app, run
    run("127.0.0.1", 8765, EmulatorConfig())            # blocking
    app = create_app(EmulatorConfig(), clock=FakeClock())  # aiohttp app for tests

The same client code runs against the emulator and a real store: only the
base URL and the access token change.
"""

from __future__ import annotations

from emulators.shopify.app import create_app, run
from emulators.shopify.clock import Clock, FakeClock, SystemClock
from emulators.shopify.config import (
    PLAN_LIMITS,
    DeliveryConfig,
    EmulatorConfig,
    ShopConfig,
    WebhookSubscriptionConfig,
    load_config,
)
from emulators.shopify.cost import CostCalculator, LeakyBucket
from emulators.shopify.errors import EmulatorConfigError, EmulatorError
from emulators.shopify.instance import Emulator
from emulators.shopify.scenario import KINDS, ScenarioGenerator, ScenarioStream, generate
from emulators.shopify.webhooks import sign

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
