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
from typing import TYPE_CHECKING

from connectors.errors import ConfigurationError
from connectors.shopify.cost import GraphQLExecutor
from connectors.shopify.errors import ShopifyAuthError, ShopifyError
from connectors.shopify.scopes import check_scopes, required_scopes
from connectors.shopify.versions import WARN_DAYS, ApiVersionError, VersionSupport, support
from streams.ops.metrics import SHOPIFY_API_VERSION_DAYS_LEFT
from streams.settings import Settings

if TYPE_CHECKING:
    from streams.services import Services

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
    from streams.services import Services

    # Every shop of the registry (one with the single-shop settings): its version, its token.
    services = Services(settings)
    for shop in services.shops:
        try:
            check_api_version(shop.api_version, today or datetime.now(UTC).date())
        except StartupRefused as exc:
            raise StartupRefused(_for_shop(shop.domain, services, exc)) from exc
    if required_scopes(roles):
        asyncio.run(_scopes(services, roles))


def _for_shop(domain: str, services: Services, exc: StartupRefused) -> str:
    # Named only when there are several: a single-shop deployment reads as before.
    return f"shop {domain}: {exc}" if len(services.shops) > 1 else str(exc)


async def _scopes(services: Services, roles: Sequence[str]) -> None:
    try:
        for shop in services.shops:
            try:
                await check_access_scopes(services.shopify_for(shop.domain), roles)
            except StartupRefused as exc:
                raise StartupRefused(_for_shop(shop.domain, services, exc)) from exc
    finally:
        await services.aclose()
