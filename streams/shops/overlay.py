"""A shop's policy: its overlay merged, key by key, over the deployment's base policy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from streams.policy.model import Policy


def merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """``overlay`` over ``base``: mappings merge recursively, anything else is replaced.

    Lists are replaced whole (a shop's ``countries`` list is its list, not an
    addition to the base one), so an overlay can also shorten a list.
    """
    merged = dict(base)
    for key, value in overlay.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = merge(current, value)
        else:
            merged[key] = value
    return merged


def overlay_policy(base: Policy, overlay: Mapping[str, Any]) -> Policy:
    """The policy of a shop; raises pydantic's ``ValidationError`` naming the bad key."""
    if not overlay:
        return base
    # The Python-mode dump validates back to an equal policy (durations stay timedeltas).
    return Policy.model_validate(merge(base.model_dump(), overlay))
