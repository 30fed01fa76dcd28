"""Admin routes under ``/_emulator`` (no token needed): faults, state, reset, clock.

- ``GET|POST|DELETE /_emulator/faults``: read, merge (a :class:`FaultPlan`), clear.
- ``GET /_emulator/state``: instances, tasks, counts, faults, callback deliveries.
- ``POST /_emulator/reset``: forget instances, tasks, faults, deliveries
  (``?tokens=true`` also revokes tokens).
- ``POST /_emulator/clock`` ``{"advance_seconds": N}``: move the emulator's time.
- ``POST /_emulator/decisions/run``: complete due auto-decision tasks now.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import ValidationError

from emulators.opentext.clock import format_time
from emulators.opentext.context import base_url, emulator_of, query_bool, read_object
from emulators.opentext.errors import InvalidRequestError
from emulators.opentext.faults import FaultPlan

ADMIN_PREFIX = "/_emulator"


async def get_faults(request: web.Request) -> web.Response:
    """The active faults."""
    return web.json_response(emulator_of(request).faults.snapshot())


async def post_faults(request: web.Request) -> web.Response:
    """Merge a fault plan into the active faults."""
    emu = emulator_of(request)
    body = await read_object(request)
    try:
        plan = FaultPlan.model_validate(body)
    except ValidationError as exc:
        raise InvalidRequestError(
            "invalid fault plan", details=exc.errors(include_url=False, include_context=False)
        ) from None
    emu.faults.apply(plan)
    return web.json_response(emu.faults.snapshot())


async def delete_faults(request: web.Request) -> web.Response:
    """Clear every fault."""
    emu = emulator_of(request)
    emu.faults.clear()
    return web.json_response(emu.faults.snapshot())


async def get_state(request: web.Request) -> web.Response:
    """Everything the emulator holds, for tests and people."""
    emu = emulator_of(request)
    base = base_url(request)
    instances = emu.engine.instances()
    tasks = emu.engine.tasks()
    by_model: dict[str, dict[str, int]] = {}
    for instance in instances:
        counts = by_model.setdefault(instance.model.key, {"running": 0, "ended": 0})
        counts["ended" if instance.ended else "running"] += 1
    body: dict[str, Any] = {
        "now": format_time(emu.clock.now()),
        "clockOffsetSeconds": emu.clock.offset_seconds,
        "tenantId": emu.config.tenant_id,
        "counts": {
            "instances": len(instances),
            "runningInstances": sum(not i.ended for i in instances),
            "endedInstances": sum(i.ended for i in instances),
            "suspendedInstances": sum(i.suspended and not i.ended for i in instances),
            "tasks": len(tasks),
            "openTasks": sum(not t.finished for t in tasks),
            "completedTasks": sum(t.outcome is not None for t in tasks),
            "callbacks": len(emu.callbacks.deliveries),
            "byModel": by_model,
        },
        "instances": [
            emu.views.historic_instance(i, base, include_variables=True) for i in instances
        ],
        "tasks": [emu.views.historic_task(t, base, include_local_variables=True) for t in tasks],
        "faults": emu.faults.snapshot(),
        "callbacks": [d.to_json() for d in emu.callbacks.deliveries],
        "decisions": {"mode": emu.config.decisions.mode},
    }
    return web.json_response(body)


async def reset(request: web.Request) -> web.Response:
    """Forget all cases, faults and deliveries; keep tokens unless ``?tokens=true``."""
    emu = emulator_of(request)
    emu.engine.reset()
    emu.faults.clear()
    emu.callbacks.reset()
    emu.decisions.reseed()
    if query_bool(request.query, "tokens"):
        emu.tokens.revoke_all()
    return web.json_response({"reset": True})


async def advance_clock(request: web.Request) -> web.Response:
    """Move the emulator's clock forward by ``advance_seconds``."""
    emu = emulator_of(request)
    body = await read_object(request)
    seconds = body.get("advance_seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise InvalidRequestError("'advance_seconds' must be a number >= 0")
    emu.clock.advance(float(seconds))
    return web.json_response(
        {"now": format_time(emu.clock.now()), "offsetSeconds": emu.clock.offset_seconds}
    )


async def run_decisions(request: web.Request) -> web.Response:
    """Complete the auto-decision tasks that are due now."""
    emu = emulator_of(request)
    done = emu.decisions.run_due()
    return web.json_response(
        {"completed": [{"taskId": c.task.id, "outcome": c.outcome} for c in done]}
    )


def add_routes(app: web.Application) -> None:
    """Register the admin routes on ``app``."""
    p = ADMIN_PREFIX
    app.router.add_get(f"{p}/faults", get_faults)
    app.router.add_post(f"{p}/faults", post_faults)
    app.router.add_delete(f"{p}/faults", delete_faults)
    app.router.add_get(f"{p}/state", get_state)
    app.router.add_post(f"{p}/reset", reset)
    app.router.add_post(f"{p}/clock", advance_clock)
    app.router.add_post(f"{p}/decisions/run", run_decisions)
