"""The ``/_emulator/...`` admin surface (JSON, no auth, not rate limited).

Routes:

* ``POST /_emulator/seed`` — ``{"scenario": {"n": 20, "seed": 7, "kinds": [...]}}`` and/or
  explicit ``customers`` / ``products`` / ``orders`` (snake_case, see :func:`_seed_orders`;
  an order's ``fulfillments``, ``[{"line_items": [{"variant_id", "quantity"}]}]``, ship
  those units: fewer than ordered sends ``orders/partially_fulfilled``; ``"fulfillment_service":
  true`` assigns its fulfillment order to the fulfillment service (3PL) location and
  ``"request_fulfillment": true`` submits it there, as the merchant's admin does),
  ``themes`` (``{"name", "role", "files": {filename: text}}``, no webhook: existing themes)
  and ``shop_policies`` (``{"type", "body", "title"}``); optional ``"shop"``.
* ``POST /_emulator/themes/{id}`` — ``{"files": {...}, "publish": true}``: the merchant
  saving files in the theme editor (``themes/update``) or publishing (``themes/publish``).
* ``POST /_emulator/shop_policies`` — ``{"type", "body", "title"}``: the merchant editing
  a legal policy (``shop/update``).
* ``POST /_emulator/stream`` ``{"rate_per_s": 2, "seed": 3}`` (optional ``"shop"``: one stream
  per shop, so several stores can have traffic at once) / ``DELETE /_emulator/stream``
  (every shop's).
* ``GET /_emulator/state`` — every shop's resources as REST payloads plus bucket and faults.
* ``GET /_emulator/{resource}/{id}`` — one resource (orders, customers, products,
  fulfillment_orders, returns, disputes, refunds, draft_orders); numeric id or gid.
* ``GET /_emulator/webhooks/deliveries`` — every delivery with its attempts
  (filters: ``topic``, ``shop``, ``event_id``, ``state``; ``after=<id>`` for polling;
  ``body=0`` leaves the payloads out).
* ``POST /_emulator/faults`` / ``DELETE /_emulator/faults`` — error rate and status,
  latency, throttle status, bucket size / restore rate.
* ``GET /_emulator/mutations`` — every executed GraphQL mutation with the wall-clock
  time it committed (``after=<seq>``, ``shop``), and THROTTLED answers per shop
  (:mod:`emulators.shopify.journal`; for benchmarks).
* ``POST /_emulator/orders/{id}/comments`` ``{"author", "message"}`` — a staff comment on
  the order's timeline (``Order.events``: a ``CommentEvent``).
* ``POST /_emulator/disputes/{id}/status`` ``{"status": "won"}`` — a dispute ends (won,
  lost, accepted, charge_refunded, prevented); queues ``disputes/update``.
* ``POST /_emulator/reset`` — empty everything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from emulators.shopify import ops_catalog as catalog
from emulators.shopify import ops_content as content
from emulators.shopify import ops_fulfillment as ful
from emulators.shopify import ops_fulfillment_service as service
from emulators.shopify import ops_orders as ops
from emulators.shopify import payloads
from emulators.shopify.errors import ResourceNotFound, UserErrorRaised
from emulators.shopify.instance import EMULATOR, Emulator, Faults
from emulators.shopify.models import Address
from emulators.shopify.scenario import KINDS, ScenarioGenerator, ScenarioStream
from emulators.shopify.store import ShopState


class FaultsInput(BaseModel):
    """Body of ``POST /_emulator/faults``."""

    model_config = ConfigDict(extra="forbid")

    shop: str | None = None
    error_rate: float | None = Field(default=None, ge=0, le=1)
    error_status: int | None = Field(default=None, ge=200, le=599)
    latency_s: float | None = Field(default=None, ge=0)
    throttle_status: int | None = None
    maximum_available: float | None = Field(default=None, gt=0)
    restore_rate: float | None = Field(default=None, gt=0)


def _bad(message: str, status: int = 400) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw:
        return {}
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ValueError("body must be a JSON object")
    return value


def _emu(request: web.Request) -> Emulator:
    return request.app[EMULATOR]


def _shop(emu: Emulator, domain: str | None) -> ShopState:
    return emu.store.shop(domain)


def _address(value: dict[str, Any] | None) -> Address | None:
    if not value:
        return None
    return Address(**{k: str(v) for k, v in value.items() if k in Address.__dataclass_fields__})


def _seed_explicit(emu: Emulator, shop: ShopState, body: dict[str, Any]) -> dict[str, list[str]]:
    """Create explicit resources: customers, products, then orders (snake_case input)."""
    created: dict[str, list[str]] = {
        "customers": [],
        "products": [],
        "orders": [],
        "themes": [],
        "shop_policies": [],
    }
    with emu.store.transaction(shop):
        ctx = _ctx(emu, shop)
        for c in body.get("customers", []):
            cust = catalog.create_customer(
                ctx,
                email=c["email"],
                first_name=c.get("first_name", ""),
                last_name=c.get("last_name", ""),
                tags=c.get("tags", []),
                address=_address(c.get("default_address")),
                note=c.get("note", ""),
            )
            created["customers"].append(cust.gid)
        for p in body.get("products", []):
            prod = catalog.create_product(
                ctx,
                title=p["title"],
                tags=p.get("tags", []),
                description_html=p.get("body_html", ""),
                product_type=p.get("product_type", ""),
                variants=[
                    (
                        v.get("title", "Default"),
                        v.get("sku", ""),
                        Decimal(str(v["price"])),
                        int(v.get("inventory_quantity", 0)),
                    )
                    for v in p.get("variants", [{"price": p.get("price", "10.00")}])
                ],
            )
            _seed_metafields(ctx, prod.gid, p.get("metafields", []))
            created["products"].append(prod.gid)
        for o in body.get("orders", []):
            created["orders"].append(_seed_order(ctx, shop, o).gid)
        for t in body.get("themes", []):
            theme = content.create_theme(
                ctx, name=t["name"], role=t.get("role", "MAIN"), files=dict(t.get("files", {}))
            )
            created["themes"].append(theme.gid)
        for p in body.get("shop_policies", []):
            policy = content.set_policy(ctx, p["type"], p["body"], title=p.get("title"))
            created["shop_policies"].append(policy.gid)
    return created


#: A change made in the Shopify admin: (the change's context, the request body) -> the answer.
AdminChange = Callable[[ops.Ctx, dict[str, Any]], dict[str, Any]]


async def _admin_change(request: web.Request, what: str, change: AdminChange) -> web.Response:
    """Run ``change`` in one transaction of the body's shop; bad input is a 400 naming it."""
    emu = _emu(request)
    try:
        body = await _body(request)
        shop = _shop(emu, body.get("shop"))
        with emu.store.transaction(shop):
            clock = emu.clock
            ctx = ops.Ctx(shop, clock.now(), clock.monotonic(), emu.config.job_duration_s)
            answer = change(ctx, body)
    except (ValueError, KeyError, TypeError, ResourceNotFound, UserErrorRaised) as exc:
        return _bad(f"invalid {what} request: {exc}")
    return web.json_response(answer)


async def theme_edit(request: web.Request) -> web.Response:
    """``POST /_emulator/themes/{id}``: ``{"files": {name: text}, "publish": bool}`` as a
    merchant saving the theme editor (``themes/update``) or publishing (``themes/publish``)."""

    def change(ctx: ops.Ctx, body: dict[str, Any]) -> dict[str, Any]:
        theme = ctx.shop.theme(request.match_info["id"])
        files = body.get("files") or {}
        if not isinstance(files, dict):
            raise ValueError("files must be an object of filename -> text")
        if files:
            content.edit_theme(ctx, theme, {str(k): str(v) for k, v in files.items()})
        if body.get("publish"):
            content.publish_theme(ctx, theme)
        return {"id": theme.gid, "role": theme.role}

    return await _admin_change(request, "theme", change)


async def shop_policy_edit(request: web.Request) -> web.Response:
    """``POST /_emulator/shop_policies``: ``{"type", "body", "title"}``: ``shop/update``."""

    def change(ctx: ops.Ctx, body: dict[str, Any]) -> dict[str, Any]:
        policy = content.set_policy(ctx, body["type"], str(body["body"]), title=body.get("title"))
        return {"id": policy.gid, "type": policy.type}

    return await _admin_change(request, "shop policy", change)


def _seed_metafields(ctx: ops.Ctx, owner_gid: str, items: list[dict[str, Any]]) -> None:
    """``[{"namespace", "key", "type", "value"}]`` on a seeded resource (``metafieldsSet``)."""
    if items:
        ops.metafields_set(ctx, [{**item, "ownerId": owner_gid} for item in items])


def _seed_order(ctx: ops.Ctx, shop: ShopState, o: dict[str, Any]) -> Any:
    customer_id = None
    if o.get("customer"):
        c = o["customer"]
        found = next((x for x in shop.customers.values() if x.email == c.get("email")), None)
        found = found or catalog.create_customer(
            ctx,
            email=c.get("email", ""),
            first_name=c.get("first_name", ""),
            last_name=c.get("last_name", ""),
            tags=c.get("tags", []),
        )
        customer_id = found.id
    lines = []
    for li in o.get("line_items", []):
        variant_id = None
        if li.get("variant_id"):
            variant_id = shop.variant(
                li["variant_id"] if isinstance(li["variant_id"], str) else int(li["variant_id"])
            ).id
        lines.append(
            ops.LineSpec(
                li.get("title", "Item"),
                int(li.get("quantity", 1)),
                Decimal(str(li.get("price", "10.00"))),
                li.get("sku", ""),
                variant_id,
            )
        )
    order = ops.create_order(
        ctx,
        ops.OrderSpec(
            lines=lines,
            email=o.get("email", ""),
            currency=o.get("currency"),
            customer_id=customer_id,
            shipping_address=_address(o.get("shipping_address")),
            billing_address=_address(o.get("billing_address")),
            tags=o.get("tags", []),
            note=o.get("note", ""),
            note_attributes=[(a["name"], a["value"]) for a in o.get("note_attributes", [])],
            source_name=o.get("source_name", "web"),
            financial_status=str(o.get("financial_status", "paid")).upper(),
            shipping_price=Decimal(str(o.get("shipping_price", "0"))),
            tax=Decimal(str(o.get("tax", "0"))),
            decrement_inventory=bool(o.get("decrement_inventory", True)),
            gateway=str(o.get("gateway", "")),
            fulfillment_service=bool(o.get("fulfillment_service", False)),
        ),
    )
    if o.get("request_fulfillment"):
        # The merchant's "Request fulfillment" in the admin: the fulfillment service's
        # fulfillment orders are submitted to it (it accepts or rejects them by API).
        for fo in shop.fulfillment_orders_of(order):
            service.submit(ctx, fo, str(o.get("request_message", "")), None)
    for number, shipment in enumerate(o.get("fulfillments", []), start=1):
        by_variant = {li.variant_id: li.id for li in shop.lines_of(order)}
        quantities: dict[int, int] = {}
        for li in shipment.get("line_items", []):
            variant = shop.variant(
                li["variant_id"] if isinstance(li["variant_id"], str) else int(li["variant_id"])
            )
            quantities[by_variant[variant.id]] = int(li["quantity"])
        ful.fulfill(
            ctx,
            order,
            company=str(shipment.get("company", "UPS")),
            number=str(shipment.get("number", f"1ZSEED{order.id}{number}")),
            quantities=quantities,
        )
    if o.get("risk_level"):
        ops.set_risk(ctx, order, str(o["risk_level"]).upper(), [("Seeded risk", "NEGATIVE")])
    return order


async def seed(request: web.Request) -> web.Response:
    """``POST /_emulator/seed``."""
    emu = _emu(request)
    try:
        body = await _body(request)
        shop = _shop(emu, body.get("shop"))
        result: dict[str, Any] = _seed_explicit(emu, shop, body)
        if "scenario" in body:
            spec = body["scenario"] or {}
            gen = ScenarioGenerator(emu.store, shop.domain, int(spec.get("seed", emu.config.seed)))
            events = gen.generate(int(spec.get("n", 10)), spec.get("kinds"))
            result["scenario"] = [e.as_dict() for e in events]
    except (ValueError, KeyError, TypeError, ResourceNotFound, UserErrorRaised) as exc:
        return _bad(f"invalid seed request: {exc}")
    return web.json_response(result)


async def stream_start(request: web.Request) -> web.Response:
    """``POST /_emulator/stream``: emit scenario events continuously."""
    emu = _emu(request)
    try:
        body = await _body(request)
        rate = float(body.get("rate_per_s", 1.0))
        if rate <= 0:
            raise ValueError("rate_per_s must be positive")
        gen = ScenarioGenerator(emu.store, body.get("shop"), int(body.get("seed", emu.config.seed)))
        domain = _shop(emu, body.get("shop")).domain
    except (ValueError, ResourceNotFound) as exc:
        return _bad(str(exc))
    streams = _streams(emu)
    old = streams.pop(domain, None)
    if old is not None:
        await old.stop()
    stream = ScenarioStream(gen, rate)
    stream.start()
    streams[domain] = stream
    return web.json_response({"streaming": True, "rate_per_s": rate, "shop": domain})


def _streams(emu: Emulator) -> dict[str, ScenarioStream]:
    """The running scenario streams, one per shop."""
    streams: dict[str, ScenarioStream] = emu.extras.setdefault("streams", {})
    return streams


async def stop_streams(emu: Emulator) -> int:
    """Stop every shop's stream; the events they emitted."""
    streams = _streams(emu)
    emitted = 0
    while streams:
        _, stream = streams.popitem()
        await stream.stop()
        emitted += stream.emitted
    return emitted


async def stream_stop(request: web.Request) -> web.Response:
    """``DELETE /_emulator/stream``."""
    emitted = await stop_streams(_emu(request))
    return web.json_response({"streaming": False, "emitted": emitted})


def _shop_state(emu: Emulator, shop: ShopState) -> dict[str, Any]:
    bucket = emu.buckets[shop.domain]
    return {
        "domain": shop.domain,
        "throttle_status": bucket.status().as_dict(),
        "orders": [payloads.order(shop, o) for o in shop.orders.values()],
        "customers": [payloads.customer(shop, c) for c in shop.customers.values()],
        "products": [payloads.product(shop, p) for p in shop.products.values()],
        "fulfillment_orders": [
            payloads.fulfillment_order(shop, f) for f in shop.fulfillment_orders.values()
        ],
        "returns": [payloads.return_(shop, r) for r in shop.returns.values()],
        "disputes": [payloads.dispute(shop, d) for d in shop.disputes.values()],
        "refunds": [payloads.refund(shop, r) for r in shop.refunds.values()],
        "draft_orders": [payloads.draft_order(shop, d) for d in shop.draft_orders.values()],
        "webhook_subscriptions": [
            {"id": s.gid, "topic": s.topic, "uri": s.uri} for s in shop.subscriptions.values()
        ],
    }


async def state(request: web.Request) -> web.Response:
    """``GET /_emulator/state``."""
    emu = _emu(request)
    return web.json_response(
        {
            "shops": [_shop_state(emu, s) for s in emu.store.shops.values()],
            "faults": vars(emu.faults),
            "scenario_kinds": list(KINDS),
        }
    )


_RESOURCES = {
    "orders": ("order", payloads.order),
    "customers": ("customer", payloads.customer),
    "products": ("product", payloads.product),
    "fulfillment_orders": ("fulfillment_order", payloads.fulfillment_order),
    "returns": ("return_", payloads.return_),
    "disputes": ("dispute", payloads.dispute),
    "draft_orders": ("draft_order", payloads.draft_order),
}


async def resource(request: web.Request) -> web.Response:
    """``GET /_emulator/{resource}/{id}``."""
    emu = _emu(request)
    kind, ident = request.match_info["resource"], request.match_info["id"]
    if kind not in _RESOURCES:
        return _bad(f"unknown resource {kind}", 404)
    getter, render = _RESOURCES[kind]
    ref: str | int = int(ident) if ident.isdigit() else ident
    for shop in emu.store.shops.values():
        if request.query.get("shop") not in (None, shop.domain):
            continue
        try:
            value = getattr(shop, getter)(ref)
        except ResourceNotFound:
            continue
        return web.json_response(render(shop, value))  # type: ignore[operator]
    return _bad(f"{kind} {ident} not found", 404)


async def deliveries(request: web.Request) -> web.Response:
    """``GET /_emulator/webhooks/deliveries``."""
    emu = _emu(request)
    filters = {
        k: request.query[k] for k in ("topic", "shop", "event_id", "state") if k in request.query
    }
    with_body = request.query.get("body", "1") != "0"
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        return _bad("after must be a delivery id (integer)")
    out = [
        d.as_dict(with_body)
        for d in list(emu.dispatcher.deliveries)
        if d.id > after and all(getattr(d, k) == v for k, v in filters.items())
    ]
    return web.json_response({"deliveries": out, "count": len(out)})


async def mutations(request: web.Request) -> web.Response:
    """``GET /_emulator/mutations``."""
    emu = _emu(request)
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        return _bad("after must be a mutation sequence number (integer)")
    entries = emu.journal.after(after, request.query.get("shop"))
    return web.json_response(
        {"mutations": entries, "count": len(entries), "throttled": dict(emu.journal.throttled)}
    )


async def faults_set(request: web.Request) -> web.Response:
    """``POST /_emulator/faults``."""
    emu = _emu(request)
    try:
        body = FaultsInput.model_validate(await _body(request))
    except (ValueError, ValidationError) as exc:
        return _bad(str(exc))
    f = emu.faults
    if body.error_rate is not None:
        f.error_rate = body.error_rate
    if body.error_status is not None:
        f.error_status = body.error_status
    if body.latency_s is not None:
        f.latency_s = body.latency_s
    if body.throttle_status is not None:
        f.throttle_status = body.throttle_status
    for domain, bucket in emu.buckets.items():
        if body.shop in (None, domain):
            bucket.configure(body.maximum_available, body.restore_rate)
    return web.json_response(
        {
            "faults": vars(f),
            "buckets": {d: b.status().as_dict() for d, b in emu.buckets.items()},
        }
    )


async def faults_clear(request: web.Request) -> web.Response:
    """``DELETE /_emulator/faults``: no injected errors; plan bucket limits again."""
    emu = _emu(request)
    emu.faults = Faults()
    for shop in emu.config.shops:
        size, rate = shop.bucket_limits()
        emu.buckets[shop.domain].configure(size, rate)
    return web.json_response({"faults": vars(emu.faults)})


class CommentInput(BaseModel):
    """Body of ``POST /_emulator/orders/{id}/comments``: a staff comment on the timeline."""

    model_config = ConfigDict(extra="forbid")

    author: str = Field(min_length=1, max_length=255)
    message: str = Field(min_length=1, max_length=5000)


def _find(emu: Emulator, getter: str, ident: str) -> tuple[ShopState, Any] | None:
    """The shop holding resource ``ident`` (numeric id or gid) and the resource."""
    for shop in emu.store.shops.values():
        try:
            return shop, getattr(shop, getter)(int(ident) if ident.isdigit() else ident)
        except ResourceNotFound:
            continue
    return None


def _ctx(emu: Emulator, shop: ShopState) -> ops.Ctx:
    clock = emu.clock
    return ops.Ctx(shop, clock.now(), clock.monotonic(), emu.config.job_duration_s)


async def order_comment(request: web.Request) -> web.Response:
    """``POST /_emulator/orders/{id}/comments``: what staff type into the order's timeline
    (the Admin API has no mutation for it, so an app never writes one)."""
    emu = _emu(request)
    try:
        body = CommentInput.model_validate(await _body(request))
    except (ValueError, ValidationError) as exc:
        return _bad(str(exc))
    found = _find(emu, "order", request.match_info["id"])
    if found is None:
        return _bad(f"order {request.match_info['id']} not found", 404)
    shop, order = found
    with emu.store.transaction(shop):
        event = ops.record_event(
            _ctx(emu, shop), order, "comment", body.message, author=body.author
        )
    return web.json_response({"id": event.gid})


class DisputeStatusInput(BaseModel):
    """Body of ``POST /_emulator/disputes/{id}/status``: how the dispute ended."""

    model_config = ConfigDict(extra="forbid")

    status: str = Field(min_length=1)


async def dispute_status(request: web.Request) -> web.Response:
    """``POST /_emulator/disputes/{id}/status`` ``{"status": "won"}``: the card network's
    ruling (or the merchant accepting it in the admin); queues ``disputes/update``."""
    emu = _emu(request)
    try:
        body = DisputeStatusInput.model_validate(await _body(request))
    except (ValueError, ValidationError) as exc:
        return _bad(str(exc))
    found = _find(emu, "dispute", request.match_info["id"])
    if found is None:
        return _bad(f"dispute {request.match_info['id']} not found", 404)
    shop, dispute = found
    try:
        with emu.store.transaction(shop):
            ful.finalize_dispute(_ctx(emu, shop), dispute, body.status.strip().lower())
    except UserErrorRaised as exc:
        return _bad(str(exc), 409)
    return web.json_response(payloads.dispute(shop, dispute))


async def reset(request: web.Request) -> web.Response:
    """``POST /_emulator/reset``."""
    emu = _emu(request)
    await stop_streams(emu)
    emu.reset()
    return web.json_response({"reset": True})


def add_admin_routes(app: web.Application) -> None:
    """Mount the admin routes on the emulator app."""
    app.router.add_post("/_emulator/seed", seed)
    app.router.add_post("/_emulator/stream", stream_start)
    app.router.add_delete("/_emulator/stream", stream_stop)
    app.router.add_get("/_emulator/state", state)
    app.router.add_get("/_emulator/webhooks/deliveries", deliveries)
    app.router.add_get("/_emulator/mutations", mutations)
    app.router.add_post("/_emulator/faults", faults_set)
    app.router.add_delete("/_emulator/faults", faults_clear)
    app.router.add_post("/_emulator/reset", reset)
    app.router.add_post("/_emulator/themes/{id}", theme_edit)
    app.router.add_post("/_emulator/shop_policies", shop_policy_edit)
    app.router.add_post("/_emulator/orders/{id}/comments", order_comment)
    app.router.add_post("/_emulator/disputes/{id}/status", dispute_status)
    app.router.add_get("/_emulator/{resource}/{id}", resource)
