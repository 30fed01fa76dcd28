"""State transitions for the catalog and customers (products, variants, customers)."""

from __future__ import annotations

from decimal import Decimal

from emulators.shopify import payloads
from emulators.shopify.models import Address, Customer, Product, Variant, money
from emulators.shopify.ops_orders import Ctx, dedup_tags


def create_customer(
    ctx: Ctx,
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    tags: list[str] | None = None,
    address: Address | None = None,
    phone: str = "",
    note: str = "",
) -> Customer:
    """Create a customer and queue ``customers/create``."""
    cust = Customer(
        id=ctx.shop.new_id(),
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        tags=dedup_tags(tags or []),
        note=note,
        default_address=address,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.shop.customers[cust.id] = cust
    ctx.shop.emit("customers/create", payloads.customer(ctx.shop, cust))
    return cust


def create_product(
    ctx: Ctx,
    *,
    title: str,
    variants: list[tuple[str, str, Decimal, int]],
    tags: list[str] | None = None,
    description_html: str = "",
    vendor: str = "Casebridge Demo",
    product_type: str = "",
) -> Product:
    """Create a product with (title, sku, price, stock) variants; queue ``products/create``."""
    shop = ctx.shop
    prod = Product(
        id=shop.new_id(),
        title=title,
        handle=title.lower().replace(" ", "-"),
        description_html=description_html,
        vendor=vendor,
        product_type=product_type,
        status="ACTIVE",
        tags=dedup_tags(tags or []),
        variant_ids=[],
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    shop.products[prod.id] = prod
    for v_title, sku, price, qty in variants:
        var = Variant(
            id=shop.new_id(),
            product_id=prod.id,
            title=v_title,
            sku=sku,
            price=money(price),
            inventory_quantity=qty,
            inventory_item_id=shop.new_id(),
        )
        shop.variants[var.id] = var
        prod.variant_ids.append(var.id)
    shop.emit("products/create", payloads.product(shop, prod))
    return prod


def update_product(
    ctx: Ctx,
    product: Product,
    *,
    title: str | None = None,
    description_html: str | None = None,
    prices: dict[int, Decimal] | None = None,
) -> None:
    """Change content or variant prices; queue ``products/update``."""
    if title is not None:
        product.title = title
    if description_html is not None:
        product.description_html = description_html
    for var_id, price in (prices or {}).items():
        ctx.shop.variants[var_id].price = money(price)
    product.updated_at = ctx.now
    ctx.shop.emit("products/update", payloads.product(ctx.shop, product))
