"""UPDATE_PRODUCT: a CONTENT_REVIEW outcome, written through
:func:`connectors.shopify.content.put_content` (read the product, write only what differs,
so a second run, a redelivery or a replay writes nothing).

The approval tag (:func:`streams.classify.rules.content.approval_tag`) rides in the same
``productUpdate``, so every ``products/update`` the write causes carries it.
"""

from __future__ import annotations

from connectors.shopify.content import ContentError, TagChange, put_content
from streams.writer.context import ActionContext, Outcome
from streams.writer.errors import ActionRejected

__all__ = ["update_product"]


async def update_product(ctx: ActionContext) -> Outcome:
    """UPDATE_PRODUCT: the product brought to ``content``/``status``/tags; differences only.

    Params: ``content`` (snapshot object), ``status`` (optional), ``addTags``,
    ``removeTags`` (lists, optional), ``removeTagPrefix`` (optional).
    """
    product_id = ctx.text("id", required=False) or ctx.action.target_id
    content = ctx.params.get("content") or {}
    if not isinstance(content, dict):
        raise ActionRejected("INVALID_PARAMS", "UPDATE_PRODUCT param 'content' must be an object")
    change = TagChange(
        add=_strings(ctx, "addTags"),
        remove=_strings(ctx, "removeTags"),
        remove_prefix=ctx.text("removeTagPrefix", required=False),
    )
    try:
        written = await put_content(
            ctx.client,
            product_id,
            content,
            status=ctx.text("status", required=False),
            tags=change,
        )
    except ContentError as exc:
        raise ActionRejected(exc.code, str(exc), mutation="productUpdate") from None
    if not written.written:
        return Outcome.already("productUpdate", product_id)
    return Outcome.applied("+".join(written.mutations), product_id)


def _strings(ctx: ActionContext, name: str) -> list[str]:
    value = ctx.params.get(name)
    if value is None or value == []:
        return []
    return ctx.strings(name)
