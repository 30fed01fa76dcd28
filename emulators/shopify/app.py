"""The aiohttp application: GraphQL Admin endpoint, auth, cost, faults.

Request pipeline of ``POST /admin/api/{version}/graphql.json``: authenticate
the token (and Host, when it names a shop) -> injected faults -> parse JSON ->
parse and validate GraphQL -> coerce variables -> requested cost (single-query
cap, bucket) -> execute -> actual cost (refund the difference) -> answer with
``extensions.cost``. Everything but unparseable bodies answers HTTP 200 with a
GraphQL ``errors`` array, like Shopify; a bug never leaks a traceback.
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
import uuid
from typing import Any

import httpx
from aiohttp import web
from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    execute,
    get_operation_ast,
)
from graphql.execution.values import get_variable_values

from emulators.shopify.admin import add_admin_routes, stop_streams
from emulators.shopify.clock import Clock, SystemClock
from emulators.shopify.config import FULFILLMENT_SERVICE_SCOPES, EmulatorConfig
from emulators.shopify.cost import CostCalculator, LeakyBucket
from emulators.shopify.instance import EMULATOR, Emulator, buckets_for
from emulators.shopify.resolvers_mutation import MUTATION_RESOLVERS
from emulators.shopify.resolvers_query import QUERY_RESOLVERS
from emulators.shopify.scenario import generate
from emulators.shopify.schema import RequestContext, build, default_resolver
from emulators.shopify.store import ShopState, Store
from emulators.shopify.webhooks import WebhookDispatcher

log = logging.getLogger(__name__)

INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
_VERSION = re.compile(r"^(\d{4}-\d{2}|unstable)$")
_FAULT_BODIES = {
    429: "Exceeded 2 calls per second for api client. "
    "Reduce request rates to resume uninterrupted service.",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers, dumps=lambda v: json.dumps(v))


def _authenticate(emu: Emulator, request: web.Request) -> tuple[ShopState, bool] | None:
    """The token's shop, and whether the token is its fulfillment service app's."""
    token = request.headers.get("X-Shopify-Access-Token", "")
    shop = emu.store.shop_for_token(token) if token else None
    service = False
    if shop is None and token:
        shop, service = emu.store.fulfillment_service_shop(token), True
    if shop is None:
        return None
    host = (request.host or "").split(":")[0].lower()
    # A Host naming a configured shop must match the token's shop; 127.0.0.1 cannot.
    if host in emu.store.shops and host != shop.domain:
        return None
    return shop, service


def _cost_ext(requested: int, actual: int | None, bucket: LeakyBucket) -> dict[str, Any]:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": bucket.status().as_dict(),
        }
    }


def _errors_response(
    errors: list[GraphQLError], bucket: LeakyBucket, headers: dict[str, str]
) -> web.Response:
    # Shopify answers invalid documents with HTTP 200 and a GraphQL errors array.
    return _json(
        {"errors": [e.formatted for e in errors], "extensions": _cost_ext(0, 0, bucket)},
        headers=headers,
    )


async def graphql_handler(request: web.Request) -> web.Response:
    """``POST /admin/api/{version}/graphql.json``."""
    emu = request.app[EMULATOR]
    version = request.match_info["version"]
    if not _VERSION.match(version):
        return _json({"errors": "Not Found"}, status=404)
    app = _authenticate(emu, request)
    if app is None:
        return _json({"errors": INVALID_TOKEN}, status=401)
    shop, service = app
    headers = {"X-Shopify-API-Version": version, "X-Request-Id": str(uuid.uuid4())}
    faults = emu.faults
    if faults.latency_s:
        await emu.clock.sleep(faults.latency_s)
    if faults.error_rate and emu.rng.random() < faults.error_rate:
        if faults.error_status == 200:
            # Shopify's GraphQL-level outage: HTTP 200 with INTERNAL_SERVER_ERROR.
            request_id = headers["X-Request-Id"]
            error = {
                "message": "Internal error. Looks like something went wrong on our end.\n"
                f"Request ID: {request_id} (include this in support requests).",
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
            }
            return _json({"errors": [error]}, headers=headers)
        extra = {"Retry-After": "1.0"} if faults.error_status == 429 else {}
        body = _FAULT_BODIES.get(faults.error_status, "Error")
        return _json({"errors": body}, status=faults.error_status, headers={**headers, **extra})

    raw = await request.read()
    query, variables, operation_name, problem = _read_body(request.content_type, raw)
    if problem is not None:
        return _json({"errors": problem}, status=400, headers=headers)
    bucket = emu.buckets[shop.domain]
    try:
        document, errors = emu.document(query)
    except GraphQLError as err:
        return _errors_response([err], bucket, headers)
    if errors:
        return _errors_response(errors, bucket, headers)
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return _errors_response(
            [
                GraphQLError(
                    "An operation name is required when the document has several operations."
                )
            ],
            bucket,
            headers,
        )
    coerced = get_variable_values(emu.schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        return _errors_response(coerced, bucket, headers)

    # graphql-core 3.3 wraps the values (VariableValues.coerced); 3.2 returns the dict.
    values: dict[str, Any] = getattr(coerced, "coerced", coerced)  # type: ignore[arg-type]
    denied = _denied_fields(operation, shop, service)
    if denied:
        return _errors_response(denied, bucket, headers)
    calc = CostCalculator(emu.schema, document, values, operation_name, emu.config.mutation_cost)
    requested = calc.requested()
    cap = emu.config.max_query_cost
    if requested > cap:
        too_big = GraphQLError(
            f"Query cost is {requested}, which exceeds the single query max cost limit ({cap}).",
            extensions={"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": cap},
        )
        return _json(
            {"errors": [too_big.formatted], "extensions": _cost_ext(requested, None, bucket)},
            headers=headers,
        )
    if not bucket.try_take(requested):
        emu.journal.count_throttled(shop.domain)
        return _throttled(emu, bucket, requested, headers)

    ctx = RequestContext(
        store=emu.store,
        shop=shop,
        clock=emu.clock,
        config=emu.config,
        api_version=version,
        fulfillment_service=service,
    )
    result = execute(
        emu.schema,
        document,
        context_value=ctx,
        variable_values=variables,
        operation_name=operation_name,
        field_resolver=default_resolver,
    )
    if not isinstance(result, ExecutionResult):  # all resolvers are sync; guard anyway
        result = await result
    actual = min(requested, calc.actual(result.data)) if not calc.is_mutation else requested
    bucket.give_back(requested - actual)
    if calc.is_mutation:
        fields = [
            s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)
        ]
        emu.journal.record(shop.domain, fields, variables, result.data, len(result.errors or ()))
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        for failure in result.errors:
            original = failure.original_error
            if original is not None and not isinstance(original, GraphQLError):
                log.warning("resolver error: %r", original)
        answer["errors"] = [e.formatted for e in result.errors]
    answer["extensions"] = _cost_ext(requested, actual, bucket)
    return _json(answer, headers=headers)


#: Root fields and the access scope Shopify requires for them (write_x grants read_x).
#: Only the fields added with a scope of their own are listed; ``access_denied``
#: denies any field explicitly.
FIELD_SCOPES = {
    "theme": "read_themes",
    "themes": "read_themes",
    "productUpdate": "write_products",
    "productVariantsBulkUpdate": "write_products",
    # A fulfillment service acts on the fulfillment orders assigned to its location;
    # the merchant's app requests their fulfillment.
    "fulfillmentOrderAcceptFulfillmentRequest": "write_assigned_fulfillment_orders",
    "fulfillmentOrderRejectFulfillmentRequest": "write_assigned_fulfillment_orders",
    "fulfillmentOrderClose": "write_assigned_fulfillment_orders",
    "fulfillmentOrderSubmitFulfillmentRequest": "write_third_party_fulfillment_orders",
}
#: Root fields a fulfillment service app reads without a scope of their own (with
#: ``read_assigned_fulfillment_orders``); every other field outside its scopes is denied.
SERVICE_READS = frozenset({"fulfillmentOrder"})


def _has_scope(granted: set[str], scope: str) -> bool:
    return scope in granted or scope.replace("read_", "write_", 1) in granted


def _denied_fields(
    operation: OperationDefinitionNode, shop: ShopState, service: bool = False
) -> list[GraphQLError]:
    """ACCESS_DENIED errors for root fields outside the app's (configured) scopes.

    ``service``: the caller is the shop's fulfillment service app, granted
    :data:`FULFILLMENT_SERVICE_SCOPES` only: it reaches its fulfillment orders and nothing else.
    """
    denied = set(shop.config.access_denied)
    granted = set(FULFILLMENT_SERVICE_SCOPES if service else shop.config.access_scopes)
    errors = []
    for sel in operation.selection_set.selections:
        if not isinstance(sel, FieldNode):
            continue
        name = sel.name.value
        scope = FIELD_SCOPES.get(name)
        if service and scope is None and name not in SERVICE_READS and name != "__typename":
            denied.add(name)
        if name in denied:
            errors.append(
                GraphQLError(
                    f"Access denied for {name} field.", extensions={"code": "ACCESS_DENIED"}
                )
            )
        elif scope is not None and not _has_scope(granted, scope):
            errors.append(
                GraphQLError(
                    f"Access denied for {name} field. Required access: `{scope}` access scope.",
                    extensions={"code": "ACCESS_DENIED"},
                )
            )
    return errors


def _throttled(
    emu: Emulator, bucket: LeakyBucket, requested: int, headers: dict[str, str]
) -> web.Response:
    body = {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {
                    "code": "THROTTLED",
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
        ],
        "extensions": _cost_ext(requested, None, bucket),
    }
    status = emu.faults.throttle_status or emu.config.throttle_status
    if status == 429:
        wait = max(1, math.ceil(bucket.retry_after(requested)))
        return _json(body, status=429, headers={**headers, "Retry-After": str(wait)})
    return _json(body, headers=headers)


def _read_body(content_type: str, raw: bytes) -> tuple[str, dict[str, Any] | None, str | None, Any]:
    """(query, variables, operationName, problem); ``problem`` is a 400 ``errors`` value."""
    if content_type == "application/graphql":
        return raw.decode("utf-8", "replace"), None, None, None
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        return "", None, None, "Invalid JSON in request body"
    if not isinstance(body, dict):
        return "", None, None, "Invalid JSON in request body"
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        return "", None, None, {"query": "Required parameter missing or invalid"}
    variables = body.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return "", None, None, {"variables": "Invalid variables, must be an object"}
    name = body.get("operationName")
    return query, variables, name if isinstance(name, str) else None, None


@web.middleware
async def _no_tracebacks(request: web.Request, handler: Any) -> web.StreamResponse:
    """Unexpected errors answer a JSON 500 without internals (and get logged)."""
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except web.HTTPException:
        raise
    except Exception:
        log.exception("emulator error on %s %s", request.method, request.path)
        return _json({"errors": "Internal error in the emulator"}, status=500)


def create_app(
    config: EmulatorConfig | None = None,
    *,
    clock: Clock | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> web.Application:
    """Build the emulator application.

    Args:
        config: the emulator config (defaults work out of the box).
        clock: a time source; :class:`FakeClock` in tests.
        transport: an httpx transport for webhook delivery (tests can capture requests).
    """

    config = config or EmulatorConfig()
    clock = clock or SystemClock()
    store = Store(config, clock)
    emu = Emulator(
        config=config,
        clock=clock,
        store=store,
        dispatcher=WebhookDispatcher(config, store, clock, transport),
        schema=build({**QUERY_RESOLVERS, **MUTATION_RESOLVERS}),
        buckets=buckets_for(config, clock),
        rng=random.Random(config.seed),
    )
    app = web.Application(middlewares=[_no_tracebacks], client_max_size=2 * 1024 * 1024)
    app[EMULATOR] = emu
    app.router.add_post("/admin/api/{version}/graphql.json", graphql_handler)
    add_admin_routes(app)

    async def _start(_app: web.Application) -> None:
        await emu.dispatcher.start()

    async def _stop(_app: web.Application) -> None:
        await stop_streams(emu)
        await emu.dispatcher.stop()

    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)
    if config.seed_orders:
        generate(store, config.seed_orders, seed=config.seed)
    return app


def run(host: str, port: int, config: EmulatorConfig | None = None) -> None:
    """Serve the emulator until interrupted (blocking)."""
    app = create_app(config)
    web.run_app(app, host=host, port=port, print=lambda msg: log.info("%s", msg))
