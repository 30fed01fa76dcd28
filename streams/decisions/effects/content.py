"""CONTENT_REVIEW effects: apply a held change, keep it back with notes, or put back the approved.

The case variables come from the content rule (:mod:`streams.classify.rules.content`):
``productId``, ``contentHold`` (``restore``, ``draft`` or ``none``),
``proposedContent`` and ``approvedContent`` (snapshots of the changed fields),
``restoreStatus`` (the status a drafted product had). Decision variables:
``reviewNotes`` (else ``notes``, else ``reason``) for a revision request.

========================  ====================================================
outcome                   actions
========================  ====================================================
approve                   UPDATE_PRODUCT: the proposed content, the status it
                          had when casebridge drafted it, the approval tag
                          ``<approval_tag_prefix><case id>`` (the classifier
                          knows its own write by it), revision tag removed
request revision          SET_METAFIELD ``<namespace>.<review_notes_key>`` with
                          the notes, ADD_TAGS ``revision_tag``; the change
                          stays held
reject                    UPDATE_PRODUCT: the approved content, and ACTIVE again
                          when drafted (``reactivate_on_reject``); a new product
                          without approved content stays DRAFT
========================  ====================================================

A case that held nothing (``contentHold`` ``none`` or absent: holding is off,
the product was not on the storefront, it was first seen on an update, or a
theme review) gets none of these: the change is live already.
"""

from __future__ import annotations

from typing import Any

from schemas.records import ActionKind
from streams.decisions.effects.base import ActionDraft, EffectContext
from streams.decisions.errors import DecisionDataError
from streams.runtime.keys import gid

__all__ = ["apply_content", "note_revision", "restore_content"]

HOLD_MODES = frozenset({"restore", "draft", "none"})
RESTORABLE_STATUSES = frozenset({"ACTIVE", "UNLISTED"})
NOTES_VARIABLES = ("reviewNotes", "notes", "reason")
MAX_NOTES = 65_000


def _hold(ctx: EffectContext) -> str | None:
    mode = ctx.variables.text("contentHold")
    if mode is not None and mode not in HOLD_MODES:
        raise DecisionDataError(
            f"variable 'contentHold': expected one of {sorted(HOLD_MODES)}, got {mode!r}"
        )
    return mode


def _snapshot(ctx: EffectContext, name: str) -> dict[str, Any] | None:
    content = ctx.variables.json_object(name)
    if content is None:
        return None
    bad = [
        key for key, value in content.items() if value is not None and not isinstance(value, str)
    ]
    if bad:
        raise DecisionDataError(f"variable {name!r}: {bad[0]!r} must be text or null")
    return content


def _restore_status(ctx: EffectContext) -> str | None:
    status = ctx.variables.text("restoreStatus")
    if status is not None and status.upper() not in RESTORABLE_STATUSES:
        raise DecisionDataError(
            f"variable 'restoreStatus': expected ACTIVE or UNLISTED, got {status!r}"
        )
    return status.upper() if status else None


def apply_content(ctx: EffectContext) -> list[ActionDraft]:
    """approve: the held change goes live (see the module docstring)."""
    hold = _hold(ctx)
    proposed = _snapshot(ctx, "proposedContent")
    if hold in (None, "none") or proposed is None:
        return []  # nothing was held back: the change is live already
    product = gid("Product", ctx.variables.require("productId", "to apply a content change"))
    prefix = ctx.policy.approval_tag_prefix
    params: dict[str, Any] = {
        "content": proposed,
        "status": _restore_status(ctx) if hold == "draft" else None,
        "addTags": [f"{prefix}{ctx.case_id}"],
        "removeTags": [ctx.policy.revision_tag],
        "removeTagPrefix": prefix,
    }
    return [ActionDraft(ActionKind.UPDATE_PRODUCT, product, params)]


def restore_content(ctx: EffectContext) -> list[ActionDraft]:
    """reject: the approved content stays (and a drafted product is live again, per policy)."""
    hold = _hold(ctx)
    approved = _snapshot(ctx, "approvedContent")
    if hold in (None, "none") or approved is None:
        return []  # nothing was held, or a new product: it stays a draft
    product = gid("Product", ctx.variables.require("productId", "to restore a product"))
    reactivate = hold == "draft" and ctx.policy.reactivate_on_reject
    params: dict[str, Any] = {
        "content": approved,
        "status": _restore_status(ctx) if reactivate else None,
        "removeTags": [ctx.policy.revision_tag],
    }
    return [ActionDraft(ActionKind.UPDATE_PRODUCT, product, params)]


def note_revision(ctx: EffectContext) -> list[ActionDraft]:
    """request revision: the reviewers' notes and a tag on the product; the change stays held."""
    product_id = ctx.variables.text("productId")
    if product_id is None:
        return []  # a theme or shop policy review: no product to write to
    product = gid("Product", product_id)
    notes = ctx.variables.first_text(*NOTES_VARIABLES) or "revision requested"
    value = f"{ctx.team} ({ctx.case_id}): {notes}"[:MAX_NOTES]
    metafield = {
        "ownerId": product,
        "namespace": ctx.policy.metafield_namespace,
        "key": ctx.policy.review_notes_key,
        "type": "multi_line_text_field",
        "value": value,
    }
    return [
        ActionDraft(ActionKind.SET_METAFIELD, product, metafield),
        ActionDraft(ActionKind.ADD_TAGS, product, {"tags": [ctx.policy.revision_tag]}),
    ]
