"""Builds the executable GraphQL schema: SDL + scalars + resolvers.

Resolvers are attached per ``Type.field``; every other field falls back to
:func:`default_resolver`, which maps the camelCase field name to the snake_case
attribute of the model (``cancelledAt`` -> ``cancelled_at``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLError, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema, build_schema

from emulators.shopify import models
from emulators.shopify.clock import Clock, isoformat
from emulators.shopify.config import EmulatorConfig
from emulators.shopify.ops_orders import Ctx
from emulators.shopify.sdl import SDL
from emulators.shopify.sdl_mutations import MUTATION_SDL
from emulators.shopify.store import ShopState, Store

Resolver = Callable[..., Any]


@dataclass
class RequestContext:
    """Per-request context handed to every resolver as ``info.context``."""

    store: Store
    shop: ShopState
    clock: Clock
    config: EmulatorConfig
    api_version: str
    #: The caller is the shop's fulfillment service app (not the merchant's app).
    fulfillment_service: bool = False

    def ops(self) -> Ctx:
        """The context the state operations need."""
        return Ctx(
            shop=self.shop,
            now=self.clock.now(),
            monotonic=self.clock.monotonic(),
            job_duration_s=self.config.job_duration_s,
        )


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    """``cancelledAt`` -> ``cancelled_at``."""
    return _CAMEL.sub("_", name).lower()


def default_resolver(source: Any, info: GraphQLResolveInfo[Any], **_: Any) -> Any:
    """Dicts by key; models by snake_case attribute; ``id`` is the model's gid."""
    name = info.field_name
    if isinstance(source, dict):
        return source.get(name)
    if name == "id" and isinstance(source, models.Resource):
        return source.gid
    return getattr(source, snake(name), None)


def _serialize_datetime(value: Any) -> str:
    return isoformat(value) if isinstance(value, datetime) else str(value)


def _parse_datetime(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise GraphQLError(f"Invalid DateTime: {value!r}") from None
    if moment.tzinfo is None:
        raise GraphQLError(f"DateTime needs a timezone: {value!r}")
    return moment


def _serialize_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, date) else str(value)


def _serialize_decimal(value: Any) -> str:
    if isinstance(value, Decimal):
        return (
            str(value.quantize(Decimal("0.01")))
            if value == value.quantize(Decimal("0.01"))
            else str(value)
        )
    return str(value)


def _parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise GraphQLError(f"Invalid decimal: {value!r}")
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise GraphQLError(f"Invalid decimal: {value!r}") from None
    if not result.is_finite():
        raise GraphQLError(f"Invalid decimal: {value!r}")
    return result


def _parse_u64(value: Any) -> int:
    try:
        result = int(str(value))
    except ValueError:
        raise GraphQLError(f"Invalid UnsignedInt64: {value!r}") from None
    if not 0 <= result < 2**64:
        raise GraphQLError(f"Invalid UnsignedInt64: {value!r}")
    return result


_NODE_TYPES: dict[type, str] = {
    models.Order: "Order",
    models.LineItem: "LineItem",
    models.Customer: "Customer",
    models.Product: "Product",
    models.Variant: "ProductVariant",
    models.FulfillmentOrder: "FulfillmentOrder",
    models.FulfillmentOrderLine: "FulfillmentOrderLineItem",
    models.Fulfillment: "Fulfillment",
    models.FulfillmentHold: "FulfillmentHold",
    models.FulfillmentEvent: "FulfillmentEvent",
    models.Refund: "Refund",
    models.OrderTransaction: "OrderTransaction",
    models.Return: "Return",
    models.ReturnLine: "ReturnLineItem",
    models.Dispute: "ShopifyPaymentsDispute",
    models.DraftOrder: "DraftOrder",
    models.Metafield: "Metafield",
    models.WebhookSubscription: "WebhookSubscription",
    models.OrderEdit: "CalculatedOrder",
}


def _resolve_node_type(value: Any, *_: Any) -> str | None:
    if isinstance(value, models.OrderEvent):
        return _resolve_event_type(value)
    return _NODE_TYPES.get(type(value))


def _resolve_event_type(value: Any, *_: Any) -> str | None:
    """An order's timeline entry: a staff comment or one of Shopify's own events."""
    if isinstance(value, models.OrderEvent):
        return "CommentEvent" if value.comment else "BasicEvent"
    return None


def _scalar(gql_type: Any, out: Callable[[Any], Any], into: Callable[[Any], Any] | None) -> None:
    """Install output/input coercion on a custom scalar (graphql-core 3.2 and 3.3 names)."""
    # build_schema gives custom scalars identity coercion; 3.3 reads the
    # coerce_* attributes, 3.2 the serialize/parse_* ones, so set both.
    gql_type.serialize = out
    gql_type.coerce_output_value = out
    if into is not None:
        gql_type.parse_value = into
        gql_type.coerce_input_value = into


def build(resolvers: dict[str, dict[str, Resolver]]) -> GraphQLSchema:
    """The executable schema with ``resolvers[type][field]`` attached.

    Raises:
        KeyError: a resolver names a type or field the SDL does not have (a bug).
    """
    schema = build_schema(SDL + MUTATION_SDL)
    scalars = schema.type_map
    _scalar(scalars["DateTime"], _serialize_datetime, _parse_datetime)
    _scalar(scalars["Date"], _serialize_date, None)
    for name in ("Decimal", "Money"):
        _scalar(scalars[name], _serialize_decimal, _parse_decimal)
    _scalar(scalars["UnsignedInt64"], str, _parse_u64)
    setattr(scalars["Node"], "resolve_type", _resolve_node_type)  # noqa: B010
    setattr(scalars["Event"], "resolve_type", _resolve_event_type)  # noqa: B010
    # Shopify types a return's lines by the interface; the emulator has one kind of line.
    setattr(scalars["ReturnLineItemType"], "resolve_type", _resolve_node_type)  # noqa: B010
    for type_name, fields in resolvers.items():
        gql_type = scalars[type_name]
        if not isinstance(gql_type, GraphQLObjectType):
            raise KeyError(type_name)
        for field_name, fn in fields.items():
            gql_type.fields[field_name].resolve = fn
    return schema
