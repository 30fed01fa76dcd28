"""State transitions for storefront content: product edits, themes and shop policies.

``productUpdate`` and ``productVariantsBulkUpdate`` validate like Shopify
(blank title, unknown product or variant, a variant of another product, a
negative price) before writing anything, and queue one ``products/update``.
Themes and shop policies change through the admin endpoints (a merchant
editing the theme or the policies in the Shopify admin), which queue
``themes/update`` / ``themes/publish`` and ``shop/update``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from emulators.shopify import payloads
from emulators.shopify.errors import ResourceNotFound, UserErrorRaised
from emulators.shopify.models import (
    Product,
    ShopPolicy,
    Theme,
    ThemeFile,
    Variant,
    money,
    parse_gid,
)
from emulators.shopify.ops_orders import Ctx, dedup_tags

PRODUCT_STATUSES = frozenset({"ACTIVE", "ARCHIVED", "DRAFT", "UNLISTED"})
THEME_ROLES = frozenset({"MAIN", "UNPUBLISHED", "DEMO", "DEVELOPMENT", "ARCHIVED", "LOCKED"})
POLICY_TYPES = frozenset(
    {
        "REFUND_POLICY",
        "SHIPPING_POLICY",
        "PRIVACY_POLICY",
        "TERMS_OF_SERVICE",
        "TERMS_OF_SALE",
        "LEGAL_NOTICE",
        "SUBSCRIPTION_POLICY",
        "CONTACT_INFORMATION",
    }
)


def product_update(ctx: Ctx, changes: dict[str, Any]) -> Product:
    """productUpdate: the given fields overwrite (``tags`` replaces every tag)."""
    ref = changes.get("id")
    if not ref:
        raise UserErrorRaised("Product id must be specified", ["id"])
    try:
        product = ctx.shop.product(str(ref))
    except ResourceNotFound:
        raise UserErrorRaised("Product does not exist", ["id"]) from None
    if "title" in changes and not (changes["title"] or "").strip():
        raise UserErrorRaised("Title can't be blank", ["title"])
    if "status" in changes and changes["status"] not in PRODUCT_STATUSES:
        raise UserErrorRaised("Status is not included in the list", ["status"])
    if changes.get("title") is not None:
        product.title = changes["title"]
    if "descriptionHtml" in changes:
        product.description_html = changes["descriptionHtml"] or ""
    if "productType" in changes:
        product.product_type = changes["productType"] or ""
    if "vendor" in changes:
        product.vendor = changes["vendor"] or ""
    if changes.get("status") is not None:
        product.status = changes["status"]
    if "tags" in changes:
        product.tags = dedup_tags(changes["tags"] or [])
    _changed(ctx, product)
    return product


def variants_bulk_update(
    ctx: Ctx, product_ref: str, inputs: list[dict[str, Any]]
) -> tuple[Product, list[Variant]]:
    """productVariantsBulkUpdate of prices; every input is checked before any is written."""
    try:
        product = ctx.shop.product(product_ref)
    except ResourceNotFound:
        raise UserErrorRaised(
            "Product does not exist", ["productId"], "PRODUCT_DOES_NOT_EXIST"
        ) from None
    planned: list[tuple[Variant, dict[str, Decimal | None]]] = []
    for index, item in enumerate(inputs):
        path = ["variants", str(index)]
        if not item.get("id"):
            raise UserErrorRaised(
                "Product variant id is missing", [*path, "id"], "PRODUCT_VARIANT_ID_MISSING"
            )
        try:
            variant = ctx.shop.variant(str(item["id"]))
        except ResourceNotFound:
            raise UserErrorRaised(
                "Product variant does not exist", [*path, "id"], "PRODUCT_VARIANT_DOES_NOT_EXIST"
            ) from None
        if variant.product_id != product.id:
            raise UserErrorRaised(
                "Product variant is not for this product", [*path, "id"], "MUST_BE_FOR_THIS_PRODUCT"
            )
        values: dict[str, Decimal | None] = {}
        for name in ("price", "compareAtPrice"):
            if name in item:
                values[name] = _price(item[name], [*path, name])
        if "price" in values and values["price"] is None:
            raise UserErrorRaised("Price can't be blank", [*path, "price"], "BLANK")
        planned.append((variant, values))
    for variant, values in planned:
        if "price" in values and values["price"] is not None:
            variant.price = values["price"]
        if "compareAtPrice" in values:
            variant.compare_at_price = values["compareAtPrice"]
    _changed(ctx, product)
    return product, [variant for variant, _ in planned]


def _price(value: Any, path: list[str]) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise UserErrorRaised("Price is invalid", path, "INVALID_INPUT") from None
    if amount < 0:
        raise UserErrorRaised("Price must be non-negative", path, "NEGATIVE_PRICE_VALUE")
    return money(amount)


def _changed(ctx: Ctx, product: Product) -> None:
    product.updated_at = ctx.now
    ctx.shop.emit("products/update", payloads.product(ctx.shop, product))


# -- themes ----------------------------------------------------------------------------------


def create_theme(ctx: Ctx, *, name: str, role: str, files: dict[str, str]) -> Theme:
    """A theme with text files (seeded: no webhook, as for a store's existing themes)."""
    role = role.upper()
    if role not in THEME_ROLES:
        raise UserErrorRaised(f"unknown theme role {role!r}", ["role"])
    theme = Theme(
        id=ctx.shop.new_id(),
        name=name,
        role=role,
        files={
            filename: ThemeFile(filename, content, ctx.now, ctx.now)
            for filename, content in files.items()
        },
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.shop.themes[theme.id] = theme
    return theme


def edit_theme(ctx: Ctx, theme: Theme, files: dict[str, str]) -> Theme:
    """Files written in the theme editor: queue ``themes/update``."""
    for filename, content in files.items():
        existing = theme.files.get(filename)
        created = existing.created_at if existing else ctx.now
        theme.files[filename] = ThemeFile(filename, content, created, ctx.now)
    theme.updated_at = ctx.now
    ctx.shop.emit("themes/update", payloads.theme(theme))
    return theme


def publish_theme(ctx: Ctx, theme: Theme) -> Theme:
    """Make ``theme`` the live (MAIN) theme; the previous one becomes UNPUBLISHED."""
    for other in ctx.shop.themes.values():
        if other.role == "MAIN" and other.id != theme.id:
            other.role = "UNPUBLISHED"
            other.updated_at = ctx.now
    theme.role = "MAIN"
    theme.updated_at = ctx.now
    ctx.shop.emit("themes/publish", payloads.theme(theme))
    return theme


def theme_files(theme: Theme, filenames: list[str] | None) -> list[ThemeFile]:
    """The files matching ``filenames`` (``*`` matches any run of characters), by name."""
    import fnmatch

    chosen = sorted(theme.files.values(), key=lambda f: f.filename)
    if filenames is None:
        return chosen
    return [
        f for f in chosen if any(fnmatch.fnmatchcase(f.filename, pattern) for pattern in filenames)
    ]


def theme_ref(ref: str) -> int:
    """The numeric id of an ``OnlineStoreTheme`` gid (or bare id)."""
    return parse_gid(ref, "OnlineStoreTheme")[1]


# -- shop policies ---------------------------------------------------------------------------


def set_policy(ctx: Ctx, policy_type: str, body: str, *, title: str | None = None) -> ShopPolicy:
    """Create or change a shop policy; queue ``shop/update`` (as Shopify does)."""
    policy_type = policy_type.upper()
    if policy_type not in POLICY_TYPES:
        raise UserErrorRaised(f"unknown shop policy type {policy_type!r}", ["type"])
    existing = ctx.shop.shop_policies.get(policy_type)
    now: datetime = ctx.now
    if existing is None:
        existing = ShopPolicy(
            id=ctx.shop.new_id(),
            type=policy_type,
            title=title or policy_type.replace("_", " ").title(),
            body=body,
            created_at=now,
            updated_at=now,
        )
        ctx.shop.shop_policies[policy_type] = existing
    else:
        existing.body = body
        existing.title = title or existing.title
        existing.updated_at = now
    ctx.shop.emit("shop/update", payloads.shop(ctx.shop, now))
    return existing
