"""Bringing a product to a content snapshot, writing only what differs.

Content is a flat snapshot (see :mod:`streams.classify.rules.approved`): ``title``,
``body_html``, ``product_type``, ``vendor`` and ``variant:<id>:price`` /
``variant:<id>:compare_at_price``. :func:`put_content` reads the product,
writes only the fields (and status and tags) that differ, and reports the
mutations it ran, so a second run, a redelivery or a replay writes nothing.
The content hold (classify) and the CONTENT_REVIEW outcomes (writer) both use it.

The product fields go in one ``productUpdate`` (with status and tags), the
variant prices in one ``productVariantsBulkUpdate`` after it: an approval tag
is then on the product in every ``products/update`` the write causes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.shopify import operations as ops
from connectors.shopify.cost import GraphQLExecutor
from connectors.shopify.ids import gid

__all__ = [
    "PRODUCT_FIELDS",
    "PRODUCT_STATUSES",
    "ContentError",
    "ContentWrite",
    "TagChange",
    "put_content",
]

#: Snapshot field -> ProductUpdateInput field.
PRODUCT_FIELDS = {
    "title": "title",
    "body_html": "descriptionHtml",
    "product_type": "productType",
    "vendor": "vendor",
}
#: Variant snapshot field -> ProductVariantsBulkInput field.
VARIANT_FIELDS = {"price": "price", "compare_at_price": "compareAtPrice"}
PRODUCT_STATUSES = frozenset({"ACTIVE", "ARCHIVED", "DRAFT", "UNLISTED"})
VARIANT_PREFIX = "variant:"


class ContentError(ValueError):
    """The content to write is malformed, or the product does not exist. Permanent."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class TagChange:
    """Tags to add and remove (exactly, or by prefix), compared case-insensitively."""

    add: Sequence[str] = ()
    remove: Sequence[str] = ()
    remove_prefix: str | None = None

    def apply(self, current: Sequence[str]) -> list[str] | None:
        """The product's new tag list, or None when it stays as it is."""
        drop = {t.casefold() for t in self.remove}
        prefix = self.remove_prefix.casefold() if self.remove_prefix else None
        wanted = {t.casefold() for t in self.add}
        kept = [
            t
            for t in current
            if t.casefold() in wanted
            or (t.casefold() not in drop and not (prefix and t.casefold().startswith(prefix)))
        ]
        present = {t.casefold() for t in kept}
        new = kept + [t for t in self.add if t.casefold() not in present]
        return None if [t.casefold() for t in new] == [t.casefold() for t in current] else new


@dataclass
class ContentWrite:
    """What :func:`put_content` did."""

    mutations: list[str] = field(default_factory=list)
    status_before: str | None = None

    @property
    def written(self) -> bool:
        """Whether anything was written."""
        return bool(self.mutations)


def _same_money(current: Any, wanted: str | None) -> bool:
    if current is None or wanted is None:
        return current is None and wanted is None
    try:
        return Decimal(str(current)) == Decimal(wanted)
    except InvalidOperation:
        return False


def _split(content: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """``content`` as (product fields, variant id -> fields); unknown keys are refused."""
    product: dict[str, Any] = {}
    variants: dict[str, dict[str, Any]] = {}
    for key, value in content.items():
        if value is not None and not isinstance(value, str):
            raise ContentError("INVALID_PARAMS", f"content {key!r} must be text or null")
        if key in PRODUCT_FIELDS:
            product[PRODUCT_FIELDS[key]] = value
            continue
        variant_id, _, name = key[len(VARIANT_PREFIX) :].partition(":")
        if not key.startswith(VARIANT_PREFIX) or not variant_id or name not in VARIANT_FIELDS:
            raise ContentError("INVALID_PARAMS", f"unknown content field {key!r}")
        variants.setdefault(gid("ProductVariant", variant_id), {})[VARIANT_FIELDS[name]] = value
    return product, variants


async def put_content(
    client: GraphQLExecutor,
    product_id: str,
    content: Mapping[str, Any],
    *,
    status: str | None = None,
    tags: TagChange | None = None,
) -> ContentWrite:
    """Make ``product_id`` show ``content`` (and ``status``, ``tags``); write only differences.

    Raises:
        ContentError: malformed content or status, a variant not of this product,
            or no such product.
        ShopifyError: from the client (userErrors included).
    """
    if status is not None and status not in PRODUCT_STATUSES:
        raise ContentError("INVALID_PARAMS", f"unknown product status {status!r}")
    fields, variant_values = _split(content)
    product = await ops.get_product_content(client, product_id)
    if product is None:
        raise ContentError("NOT_FOUND", f"product {product_id} does not exist")
    result = ContentWrite(status_before=str(product.get("status") or "") or None)
    update: dict[str, Any] = {
        name: value or ""
        for name, value in fields.items()
        if (product.get(name) or "") != (value or "")
    }
    if status is not None and product.get("status") != status:
        update["status"] = status
    if tags is not None:
        new_tags = tags.apply([str(t) for t in product.get("tags") or []])
        if new_tags is not None:
            update["tags"] = new_tags
    current = {
        str(node.get("id")): node
        for node in (product.get("variants") or {}).get("nodes") or []
        if isinstance(node, dict)
    }
    variant_inputs = []
    for variant_id, values in sorted(variant_values.items()):
        node = current.get(variant_id)
        if node is None:
            raise ContentError("NOT_FOUND", f"variant {variant_id} is not of product {product_id}")
        differs = {k: v for k, v in values.items() if not _same_money(node.get(k), v)}
        if differs:
            variant_inputs.append({"id": variant_id, **differs})
    if update:
        await ops.product_update(client, {"id": product_id, **update})
        result.mutations.append("productUpdate")
    if variant_inputs:
        await ops.product_variants_bulk_update(client, product_id, variant_inputs)
        result.mutations.append("productVariantsBulkUpdate")
    return result
