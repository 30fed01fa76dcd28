"""Shopify's API versions and their support window.

Shopify releases a version each quarter (``YYYY-01``, ``-04``, ``-07``,
``-10``) and supports each for at least twelve months; a request naming a
version past its window is served by the oldest supported one instead, so
the documents silently run against another schema. The worker therefore
refuses such a version at start, and warns while one is about to leave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from connectors.shopify.errors import ShopifyError

__all__ = [
    "DEFAULT_API_VERSION",
    "SUPPORT_MONTHS",
    "WARN_DAYS",
    "ApiVersionError",
    "VersionSupport",
    "next_version",
    "support",
]

#: The version casebridge's documents are written and contract-tested against.
DEFAULT_API_VERSION = "2026-04"
#: Shopify supports a stable version for (at least) this long after its release.
SUPPORT_MONTHS = 12
#: Fewer days of support left than this is a warning (and a metric) at start.
WARN_DAYS = 60

_VERSION = re.compile(r"^(\d{4})-(01|04|07|10)$")


class ApiVersionError(ShopifyError):
    """The configured API version is not a stable one, or is outside Shopify's support window."""

    transient = False


@dataclass(frozen=True, slots=True)
class VersionSupport:
    """Where ``version`` stands on ``today``."""

    version: str
    released: date
    ends: date
    today: date

    @property
    def days_left(self) -> int:
        """Days until Shopify stops serving the version (negative once past)."""
        return (self.ends - self.today).days

    @property
    def supported(self) -> bool:
        """Released and not yet past the end of its window."""
        return self.released <= self.today < self.ends

    @property
    def ending_soon(self) -> bool:
        """Supported, with fewer than :data:`WARN_DAYS` days left."""
        return self.supported and self.days_left < WARN_DAYS

    def problem(self) -> str | None:
        """One line saying why the version cannot be used, or ``None``."""
        if self.today < self.released:
            return (
                f"Shopify API version {self.version} is not released until "
                f"{self.released.isoformat()}; set CASEBRIDGE_SHOPIFY__API_VERSION to a "
                "supported one"
            )
        if self.today >= self.ends:
            return (
                f"Shopify API version {self.version} left Shopify's support window on "
                f"{self.ends.isoformat()}; set CASEBRIDGE_SHOPIFY__API_VERSION to "
                f"{DEFAULT_API_VERSION} or newer"
            )
        return None


def _parse(version: str) -> tuple[int, int]:
    match = _VERSION.match(version)
    if match is None:
        raise ApiVersionError(
            f"not a stable Shopify API version: {version!r} (expected YYYY-01/04/07/10)"
        )
    return int(match.group(1)), int(match.group(2))


def _add_months(year: int, month: int, months: int) -> date:
    index = year * 12 + (month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def support(version: str, today: date) -> VersionSupport:
    """The support window of ``version`` seen from ``today``.

    Raises:
        ApiVersionError: ``version`` is not a quarterly stable version.
    """
    year, month = _parse(version)
    return VersionSupport(
        version=version,
        released=date(year, month, 1),
        ends=_add_months(year, month, SUPPORT_MONTHS),
        today=today,
    )


def next_version(version: str) -> str:
    """The quarterly version released after ``version`` (``2026-04`` -> ``2026-07``)."""
    year, month = _parse(version)
    following = _add_months(year, month, 3)
    return f"{following.year:04d}-{following.month:02d}"
