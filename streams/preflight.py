"""Checks a worker makes before it consumes anything: the Shopify API version and scopes.

Both fail late otherwise: a version past Shopify's support window is served
by another version's schema; a missing scope fails the first call that needs
it, hours after a deploy. A refusal is one line naming what to fix.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime

from connectors.errors import ConfigurationError
from connectors.shopify.client import GraphQLExecutor
from connectors.shopify.errors import ShopifyAuthError, ShopifyError
from connectors.shopify.scopes import check_scopes, required_scopes
from connectors.shopify.versions import WARN_DAYS, ApiVersionError, VersionSupport, support
from streams.ops.metrics import SHOPIFY_API_VERSION_DAYS_LEFT
from streams.settings import Settings

__all__ = ["StartupRefused", "check_access_scopes", "check_api_version", "preflight"]

log = logging.getLogger(__name__)


class StartupRefused(ConfigurationError):
    """The worker must not start as configured; the message says what to change."""


def check_api_version(version: str, today: date) -> VersionSupport:
    """``version``'s window; a warning and the days-left gauge when it ends soon.

    Raises:
        StartupRefused: not a stable version, not released yet, or past its window.
    """
    try:
        window = support(version, today)
    except ApiVersionError as exc:
        raise StartupRefused(str(exc)) from exc
    problem = window.problem()
    if problem is not None:
        raise StartupRefused(problem)
    SHOPIFY_API_VERSION_DAYS_LEFT.labels(version=version).set(window.days_left)
    if window.ending_soon:
        log.warning(
            "Shopify API version %s leaves Shopify's support window on %s (%d days, under %d):"
            " move CASEBRIDGE_SHOPIFY__API_VERSION to a newer version",
            version,
            window.ends.isoformat(),
            window.days_left,
            WARN_DAYS,
        )
    return window


async def check_access_scopes(client: GraphQLExecutor, roles: Sequence[str]) -> list[str]:
    """The token's scopes, checked against what ``roles`` need.

    Raises:
        StartupRefused: a scope is missing (each named, with its roles) or the token
            is refused. Shopify being unreachable is only a warning: the scopes
            cannot be known, and refusing to start would turn an outage into two.
    """
    try:
        return await check_scopes(client, roles)
    except ShopifyAuthError as exc:
        raise StartupRefused(str(exc)) from exc
    except ShopifyError as exc:
        log.warning("could not read the Shopify token's access scopes (%s); starting anyway", exc)
        return []


def preflight(settings: Settings, roles: Sequence[str], *, today: date | None = None) -> None:
    """Every start-up check for a worker running ``roles``.

    Raises:
        StartupRefused: with the one line to show.
    """
    check_api_version(settings.shopify.api_version, today or datetime.now(UTC).date())
    if required_scopes(roles):
        asyncio.run(_scopes(settings, roles))


async def _scopes(settings: Settings, roles: Sequence[str]) -> None:
    from streams.services import Services

    services = Services(settings)
    try:
        await check_access_scopes(services.shopify, roles)
    finally:
        await services.aclose()
