"""The history API under ``/workflow-history/v1``: ended and running instances, tasks."""

from __future__ import annotations

from aiohttp import web

from emulators.opentext.context import base_url, emulator_of, query_bool, query_time
from emulators.opentext.hal import (
    SortKey,
    hal_list,
    history_page,
    parse_page_request,
    sort_and_page,
)
from emulators.opentext.state import ProcessInstance, Task
from emulators.opentext.views import HISTORY_PREFIX

HISTORIC_INSTANCE_SORTS: dict[str, SortKey[ProcessInstance]] = {
    "startTime": lambda i: i.start_time,
    "endTime": lambda i: i.end_time,
    "id": lambda i: i.id,
    "businessKey": lambda i: i.business_key,
    "processDefinitionKey": lambda i: i.model.key,
    "duration": lambda i: i.duration_ms(),
}
HISTORIC_TASK_SORTS: dict[str, SortKey[Task]] = {
    "startTime": lambda t: t.create_time,
    "createTime": lambda t: t.create_time,
    "endTime": lambda t: t.end_time,
    "id": lambda t: t.id,
    "name": lambda t: t.step.name,
    "assignee": lambda t: t.assignee,
    "duration": lambda t: t.duration_ms(),
}


def _instance_seq(instance: ProcessInstance) -> int:
    return instance.seq


def _task_seq(task: Task) -> int:
    return task.seq


async def list_historic_instances(request: web.Request) -> web.Response:
    """``GET /historic-process-instances`` filtered by key, business key, finished, times."""
    emu = emulator_of(request)
    query = request.query
    strict = emu.config.strict
    page = history_page(
        parse_page_request(
            query, sort_fields=tuple(HISTORIC_INSTANCE_SORTS), default_sort="startTime"
        ),
        ignore_sort=strict.ignore_sort,
        ignore_offset=strict.ignore_offset,
    )
    include_vars = bool(query_bool(query, "includeProcessVariables"))
    finished = query_bool(query, "finished", default=None)
    finished_after = query_time(query, "finishedAfter")
    finished_before = query_time(query, "finishedBefore")
    started_after = query_time(query, "startedAfter")
    started_before = query_time(query, "startedBefore")
    key = query.get("processDefinitionKey")
    business_key = query.get("businessKey")
    instance_id = query.get("processInstanceId")
    found = []
    for i in emu.engine.instances(business_key):
        if finished is not None and i.ended != finished:
            continue
        # Time bounds are inclusive: a poller re-reads its watermark item and
        # must tolerate it, but never misses one finished in the same millisecond.
        if finished_after is not None and (i.end_time is None or i.end_time < finished_after):
            continue
        if finished_before is not None and (i.end_time is None or i.end_time > finished_before):
            continue
        if started_after is not None and i.start_time < started_after:
            continue
        if started_before is not None and i.start_time > started_before:
            continue
        if key is not None and i.model.key != key:
            continue
        if business_key is not None and i.business_key != business_key:
            continue
        if instance_id is not None and i.id != instance_id:
            continue
        found.append(i)
    items = sort_and_page(found, page, HISTORIC_INSTANCE_SORTS, _instance_seq)
    base = base_url(request)
    return web.json_response(
        hal_list(
            "historic-process-instances",
            [emu.views.historic_instance(i, base, include_variables=include_vars) for i in items],
            total=len(found),
            page=page,
            url=request.url,
            totals=not emu.config.strict.omit_totals,
        )
    )


async def get_historic_instance(request: web.Request) -> web.Response:
    """``GET /historic-process-instances/{id}`` (variables included)."""
    emu = emulator_of(request)
    instance = emu.engine.instance(request.match_info["instance_id"])
    include_vars = query_bool(request.query, "includeProcessVariables", default=True)
    return web.json_response(
        emu.views.historic_instance(
            instance, base_url(request), include_variables=bool(include_vars)
        )
    )


async def list_historic_tasks(request: web.Request) -> web.Response:
    """``GET /historic-task-instances`` filtered by instance, business key, finished, times."""
    emu = emulator_of(request)
    query = request.query
    strict = emu.config.strict
    page = history_page(
        parse_page_request(query, sort_fields=tuple(HISTORIC_TASK_SORTS), default_sort="startTime"),
        ignore_sort=strict.ignore_sort,
        ignore_offset=strict.ignore_offset,
    )
    include_vars = bool(query_bool(query, "includeTaskLocalVariables"))
    finished = query_bool(query, "finished", default=None)
    completed_after = query_time(query, "taskCompletedAfter")
    completed_before = query_time(query, "taskCompletedBefore")
    instance_id = query.get("processInstanceId")
    with_children = query.get("processInstanceIdWithChildren")
    business_key = query.get("processBusinessKey")
    key = query.get("processDefinitionKey")
    task_key = query.get("taskDefinitionKey")
    assignee = query.get("taskAssignee") or query.get("assignee")
    found = []
    for t in emu.engine.tasks():
        if finished is not None and t.finished != finished:
            continue
        if completed_after is not None and (t.end_time is None or t.end_time < completed_after):
            continue
        if completed_before is not None and (t.end_time is None or t.end_time > completed_before):
            continue
        if instance_id is not None and not t.in_process(instance_id):
            continue
        if with_children is not None and not t.in_process(with_children, with_children=True):
            continue
        if business_key is not None and t.home.business_key != business_key:
            continue
        if key is not None and t.home.model.key != key:
            continue
        if task_key is not None and t.step.key != task_key:
            continue
        if assignee is not None and t.assignee != assignee:
            continue
        found.append(t)
    items = sort_and_page(found, page, HISTORIC_TASK_SORTS, _task_seq)
    base = base_url(request)
    return web.json_response(
        hal_list(
            "historic-task-instances",
            [emu.views.historic_task(t, base, include_local_variables=include_vars) for t in items],
            total=len(found),
            page=page,
            url=request.url,
            totals=not emu.config.strict.omit_totals,
        )
    )


async def get_historic_task(request: web.Request) -> web.Response:
    """``GET /historic-task-instances/{id}``."""
    emu = emulator_of(request)
    task = emu.engine.task(request.match_info["task_id"])
    return web.json_response(
        emu.views.historic_task(task, base_url(request), include_local_variables=True)
    )


def add_routes(app: web.Application) -> None:
    """Register the history routes on ``app``."""
    p = HISTORY_PREFIX
    app.router.add_get(f"{p}/historic-process-instances", list_historic_instances)
    app.router.add_get(f"{p}/historic-process-instances/{{instance_id}}", get_historic_instance)
    app.router.add_get(f"{p}/historic-task-instances", list_historic_tasks)
    app.router.add_get(f"{p}/historic-task-instances/{{task_id}}", get_historic_task)
