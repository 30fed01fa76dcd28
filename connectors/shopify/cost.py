"""What a Shopify call costs, read from its document alone, and the seam that runs one.

Kept apart from :mod:`connectors.shopify.client` (httpx, the connection pool):
the enrichment and the writer plan and type their calls with these, and the
stages' logic must not load an HTTP library to do so.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from typing import Any, Protocol

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    parse,
)

__all__ = [
    "MAX_QUERY_COST",
    "MUTATION_COST",
    "GraphQLExecutor",
    "JsonObject",
    "estimate_query_cost",
    "operation_name",
]

JsonObject = dict[str, Any]

#: Shopify caps a single query at 1000 points; a mutation field costs about 10.
MAX_QUERY_COST = 1000.0
MUTATION_COST = 10.0


class GraphQLExecutor(Protocol):
    """What :mod:`connectors.shopify.operations` needs: the seam for fakes."""

    async def execute(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        cost_estimate: float | None = None,
    ) -> JsonObject:
        """Run one GraphQL document and return its ``data``."""
        ...


# -- cost estimation ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _parse(document: str) -> DocumentNode | None:
    try:
        return parse(document, no_location=True)
    except GraphQLError:
        return None  # Shopify will say what is wrong; the estimate falls back.


def operation_name(document: str) -> str:
    """The operation's name, or a short hash for anonymous documents (the learning key)."""
    doc = _parse(document)
    if doc is not None:
        for definition in doc.definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                return definition.name.value
    return "anonymous-" + hashlib.sha256(document.encode()).hexdigest()[:12]


def estimate_query_cost(document: str, variables: Mapping[str, Any] | None = None) -> float:
    """A static upper-ish estimate of Shopify's *requested* cost for ``document``.

    Follows Shopify's published rules without the schema: a field with a
    selection set is an object (1 point), a field with ``first``/``last`` is a
    connection costing ``2 + n * (its selection)``, scalars are free, and a
    mutation costs about 10. Capped at the single-query limit of 1000.
    """
    doc = _parse(document)
    if doc is None:
        return MUTATION_COST
    fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    variables = variables or {}
    total = 0.0
    for definition in doc.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if definition.operation is OperationType.MUTATION:
            total += MUTATION_COST * len(definition.selection_set.selections)
        else:
            total += _selection_cost(definition.selection_set, fragments, variables, 0)
    return float(min(max(total, 1.0), MAX_QUERY_COST))


def _selection_cost(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    depth: int,
) -> float:
    if selection_set is None or depth > 20:
        return 0.0
    cost = 0.0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if selection.selection_set is None or name == "pageInfo":
                continue  # scalars and enums are free; so is a connection's pageInfo
            inner = _selection_cost(selection.selection_set, fragments, variables, depth + 1)
            if name == "edges":
                cost += inner  # a wrapper: the ``node`` inside carries the object cost
                continue
            page = _page_size(selection, variables)
            cost += 2 + page * inner if page is not None else 1 + inner
        elif isinstance(selection, InlineFragmentNode):
            cost += _selection_cost(selection.selection_set, fragments, variables, depth + 1)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                cost += _selection_cost(fragment.selection_set, fragments, variables, depth + 1)
    return cost


def _page_size(field: FieldNode, variables: Mapping[str, Any]) -> int | None:
    for argument in field.arguments or ():
        if argument.name.value not in ("first", "last"):
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            raw = variables.get(value.name.value)
            if isinstance(raw, int) and not isinstance(raw, bool):
                return raw
        return 50  # unknown page size: assume a typical one rather than the maximum
    return None
