"""The Admin API access scopes each casebridge role needs, and the check made at start.

A token lacking a scope is not noticed until the first call that needs it
(``ACCESS_DENIED`` on the first hold, hours after a deploy). The worker reads
the scopes its token was granted (``currentAppInstallation.accessScopes``)
before it consumes anything and refuses to start, naming every missing scope.

Shopify grants ``read_x`` with ``write_x``; a write scope satisfies the read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from connectors.shopify.cost import GraphQLExecutor
from connectors.shopify.documents.scopes import ACCESS_SCOPES
from connectors.shopify.errors import ShopifyAuthError, ShopifyGraphQLError

__all__ = [
    "ACCESS_SCOPES",
    "ROLE_SCOPES",
    "MissingScopesError",
    "check_scopes",
    "granted_scopes",
    "missing_scopes",
    "required_scopes",
]

#: role -> the scopes its Shopify calls need (roles absent here make no Admin API call).
ROLE_SCOPES: Mapping[str, tuple[str, ...]] = {
    # Enrichment: the order (and its timeline), its customer's history and tags, returns,
    # the returned products' warranty metafields, disputes; holds.
    "classify": (
        "read_orders",
        "read_customers",
        "read_returns",
        "read_products",
        "read_shopify_payments_disputes",
        "write_merchant_managed_fulfillment_orders",
        # UC6: content holds (restore / draft), theme files and shop policies read for claims.
        "write_products",
        "read_themes",
        "read_legal_policies",
    ),
    # Reconciliation: orders updated since the watermark, with customer and address.
    "reconcile": ("read_orders", "read_customers"),
    # Write-back: every action a decision can ask for.
    "writer": (
        "write_orders",
        "write_order_edits",
        "write_draft_orders",
        "write_returns",
        "write_merchant_managed_fulfillment_orders",
        "read_shopify_payments_disputes",
        "write_shopify_payments_dispute_evidences",
        "write_products",
        "read_customers",
        # Offline orders approved on payment terms (paymentTermsCreate).
        "write_payment_terms",
    ),
}


class MissingScopesError(ShopifyAuthError):
    """The token lacks scopes the worker's roles need. Permanent: grant them, reinstall."""

    def __init__(self, missing: Mapping[str, Sequence[str]]) -> None:
        self.missing = {scope: tuple(roles) for scope, roles in missing.items()}
        listed = "; ".join(
            f"{scope} (for {', '.join(roles)})" for scope, roles in self.missing.items()
        )
        super().__init__(f"the Shopify token lacks access scope(s): {listed}", status=403)


def required_scopes(roles: Iterable[str]) -> dict[str, list[str]]:
    """scope -> the roles (of ``roles``) needing it, in table order."""
    needed: dict[str, list[str]] = {}
    for role in roles:
        for scope in ROLE_SCOPES.get(role, ()):
            needed.setdefault(scope, []).append(role)
    return needed


def _covers(granted: set[str], scope: str) -> bool:
    if scope in granted:
        return True
    action, _, resource = scope.partition("_")
    return action == "read" and f"write_{resource}" in granted


def missing_scopes(granted: Iterable[str], roles: Iterable[str]) -> dict[str, list[str]]:
    """scope -> roles, for every scope ``roles`` need that ``granted`` does not cover."""
    have = {scope.strip() for scope in granted}
    return {scope: who for scope, who in required_scopes(roles).items() if not _covers(have, scope)}


async def granted_scopes(client: GraphQLExecutor) -> list[str]:
    """The handles of the scopes Shopify granted the calling token."""
    data = await client.execute(ACCESS_SCOPES)
    installation = data.get("currentAppInstallation")
    scopes = installation.get("accessScopes") if isinstance(installation, dict) else None
    if not isinstance(scopes, list):
        raise ShopifyGraphQLError(
            ["currentAppInstallation.accessScopes missing from the answer"],
            operation="CasebridgeAccessScopes",
        )
    return [str(s["handle"]) for s in scopes if isinstance(s, dict) and s.get("handle")]


async def check_scopes(client: GraphQLExecutor, roles: Iterable[str]) -> list[str]:
    """The granted scopes, after checking they cover ``roles``; no call when none needs one.

    Raises:
        MissingScopesError: naming each missing scope and the roles that need it.
    """
    roles = list(roles)
    if not required_scopes(roles):
        return []
    granted = await granted_scopes(client)
    missing = missing_scopes(granted, roles)
    if missing:
        raise MissingScopesError(missing)
    return granted
