"""Calculated query cost and the per-shop leaky bucket.

Cost model (Shopify's documented rules, simplified):

* scalars and enums cost 0; every object field costs 1;
* a connection costs 2 plus ``first``/``last`` times the cost of one node
  (``edges``/``node``/``nodes`` are the node, ``pageInfo`` is in the 2);
* a mutation field costs ``mutation_cost`` (10), whatever it returns.

``requested`` is computed from the AST before execution; ``actual`` walks the
result data, counting the nodes really returned. The bucket reserves the
requested cost and refunds the difference once the actual cost is known.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

from emulators.shopify.clock import Clock

#: Connections without ``first``/``last`` fail validation anyway; cost them as 1 node.
_DEFAULT_PAGE = 1
_OBJECTS = (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)


def _is_connection(type_name: str) -> bool:
    return type_name.endswith("Connection")


class CostCalculator:
    """Requested and actual query cost for one operation.

    Args:
        schema: the executable schema (types of each field).
        document: the parsed and validated query.
        variables: the coerced variable values (``first: $n``).
        operation_name: which operation of the document runs.
        mutation_cost: the cost of one mutation field.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        operation_name: str | None = None,
        mutation_cost: int = 10,
    ) -> None:
        self.schema = schema
        self.variables = variables or {}
        self.mutation_cost = mutation_cost
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        named = [
            o for o in ops if operation_name is None or (o.name and o.name.value == operation_name)
        ]
        self.operation = named[0] if named else None

    def _root(self) -> GraphQLObjectType | None:
        if self.operation is None:
            return None
        if self.operation.operation == OperationType.MUTATION:
            return self.schema.mutation_type
        return self.schema.query_type

    @property
    def is_mutation(self) -> bool:
        """True for a mutation operation."""
        return self.operation is not None and self.operation.operation == OperationType.MUTATION

    def requested(self) -> int:
        """The cost before execution, from ``first``/``last`` arguments."""
        root = self._root()
        if root is None or self.operation is None:
            return 0
        if self.is_mutation:
            return self.mutation_cost * len(self._fields(self.operation.selection_set))
        return self._selection(root, self.operation.selection_set, None, measure=False)

    def actual(self, data: dict[str, Any] | None) -> int:
        """The cost of what was returned (nodes actually present in ``data``)."""
        root = self._root()
        if root is None or self.operation is None or data is None:
            return 0
        if self.is_mutation:
            return self.mutation_cost * len(self._fields(self.operation.selection_set))
        return self._selection(root, self.operation.selection_set, data, measure=True)

    def _fields(self, selection_set: SelectionSetNode | None) -> list[FieldNode]:
        """Flatten fragments into the list of field nodes."""
        out: list[FieldNode] = []
        if selection_set is None:
            return out
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                out.append(sel)
            elif isinstance(sel, InlineFragmentNode):
                out.extend(self._fields(sel.selection_set))
            elif isinstance(sel, FragmentSpreadNode):
                frag = self.fragments.get(sel.name.value)
                if frag is not None:
                    out.extend(self._fields(frag.selection_set))
        return out

    def _int_arg(self, node: FieldNode, name: str) -> int | None:
        for arg in node.arguments or ():
            if arg.name.value != name:
                continue
            if isinstance(arg.value, IntValueNode):
                return int(arg.value.value)
            if isinstance(arg.value, VariableNode):
                value = self.variables.get(arg.value.name.value)
                return int(value) if isinstance(value, int) else None
        return None

    def _field_type(self, parent: Any, node: FieldNode) -> Any:
        fields = getattr(parent, "fields", None)
        if fields is None or node.name.value not in fields:
            return None
        return fields[node.name.value].type

    def _selection(
        self, parent: Any, selection_set: SelectionSetNode | None, data: Any, *, measure: bool
    ) -> int:
        total = 0
        for node in self._fields(selection_set):
            if node.name.value.startswith("__"):
                continue
            field_type = self._field_type(parent, node)
            if field_type is None:
                continue
            named = get_named_type(field_type)
            if not isinstance(named, _OBJECTS):
                continue
            key = node.alias.value if node.alias else node.name.value
            value = data.get(key) if isinstance(data, dict) else None
            if measure and value is None:
                continue
            if _is_connection(named.name):
                total += self._connection(named, node, value, measure=measure)
            elif _is_list(field_type):
                items = value if measure and isinstance(value, list) else [None]
                total += sum(
                    1 + self._selection(named, node.selection_set, i, measure=measure)
                    for i in items
                )
            else:
                total += 1 + self._selection(named, node.selection_set, value, measure=measure)
        return total

    def _connection(self, conn_type: Any, node: FieldNode, value: Any, *, measure: bool) -> int:
        """2 + per-node cost times the page size (requested) or the nodes returned (actual)."""
        node_type = get_named_type(conn_type.fields["nodes"].type)
        per_page = self._int_arg(node, "first") or self._int_arg(node, "last") or _DEFAULT_PAGE
        total = 2
        for child in self._fields(node.selection_set):
            name = child.name.value
            key = child.alias.value if child.alias else name
            items = value.get(key) if measure and isinstance(value, dict) else None
            if name == "edges":  # the edge itself is free; only its node counts
                for edge in self._fields(child.selection_set):
                    if edge.name.value != "node":
                        continue
                    edge_key = edge.alias.value if edge.alias else "node"
                    if measure:
                        total += sum(
                            1
                            + self._selection(
                                node_type, edge.selection_set, (e or {}).get(edge_key), measure=True
                            )
                            for e in items or []
                        )
                    else:
                        total += per_page * (
                            1 + self._selection(node_type, edge.selection_set, None, measure=False)
                        )
            elif name == "nodes":
                if measure:
                    total += sum(
                        1 + self._selection(node_type, child.selection_set, n, measure=True)
                        for n in items or []
                    )
                else:
                    total += per_page * (
                        1 + self._selection(node_type, child.selection_set, None, measure=False)
                    )
        return total


def _is_list(field_type: Any) -> bool:
    inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    return isinstance(inner, GraphQLList)


@dataclass
class ThrottleStatus:
    """The bucket as reported in ``extensions.cost.throttleStatus``."""

    maximum_available: float
    currently_available: float
    restore_rate: float

    def as_dict(self) -> dict[str, float]:
        """Shopify's camelCase shape."""
        return {
            "maximumAvailable": float(self.maximum_available),
            "currentlyAvailable": float(math.floor(self.currently_available)),
            "restoreRate": float(self.restore_rate),
        }


class LeakyBucket:
    """A cost bucket that refills at ``restore_rate`` points per second up to its maximum.

    Args:
        maximum_available: the bucket size.
        restore_rate: points restored per second.
        clock: the monotonic time source (a fake one in tests).
    """

    def __init__(self, maximum_available: float, restore_rate: float, clock: Clock) -> None:
        self.maximum_available = float(maximum_available)
        self.restore_rate = float(restore_rate)
        self._clock = clock
        self._available = float(maximum_available)
        self._stamp = clock.monotonic()

    def _refill(self) -> None:
        now = self._clock.monotonic()
        elapsed = max(0.0, now - self._stamp)
        self._available = min(self.maximum_available, self._available + elapsed * self.restore_rate)
        self._stamp = now

    @property
    def available(self) -> float:
        """Points available now."""
        self._refill()
        return self._available

    def try_take(self, cost: float) -> bool:
        """Reserve ``cost`` points if they are there; otherwise take nothing."""
        self._refill()
        if cost > self._available:
            return False
        self._available -= cost
        return True

    def give_back(self, points: float) -> None:
        """Return reserved points that the query did not use."""
        self._refill()
        self._available = min(self.maximum_available, self._available + max(0.0, points))

    def retry_after(self, cost: float) -> float:
        """Seconds until ``cost`` points are available."""
        missing = cost - self.available
        return max(0.0, missing / self.restore_rate) if self.restore_rate else math.inf

    def configure(
        self, maximum_available: float | None = None, restore_rate: float | None = None
    ) -> None:
        """Change size or rate (the fault-injection admin route)."""
        self._refill()
        if maximum_available is not None:
            self.maximum_available = float(maximum_available)
            self._available = min(self._available, self.maximum_available)
        if restore_rate is not None:
            self.restore_rate = float(restore_rate)

    def status(self) -> ThrottleStatus:
        """Current throttle status."""
        return ThrottleStatus(self.maximum_available, self.available, self.restore_rate)
