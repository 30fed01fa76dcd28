"""The runtime API under ``/workflow/v1``: models, process instances, variables, tasks."""

from __future__ import annotations

from aiohttp import web

from emulators.opentext.context import (
    TOKEN,
    base_url,
    emulator_of,
    optional_str,
    query_bool,
    read_json,
    read_object,
)
from emulators.opentext.errors import InvalidRequestError, NotFoundError
from emulators.opentext.hal import SortKey, hal_list, parse_page_request, sort_and_page
from emulators.opentext.state import ProcessInstance, Task
from emulators.opentext.variables import parse_variable, parse_variables
from emulators.opentext.views import RUNTIME_PREFIX

INSTANCE_SORTS: dict[str, SortKey[ProcessInstance]] = {
    "startTime": lambda i: i.start_time,
    "id": lambda i: i.id,
    "businessKey": lambda i: i.business_key,
    "name": lambda i: i.name,
    "processDefinitionKey": lambda i: i.model.key,
    "processDefinitionId": lambda i: i.model.id,
}
TASK_SORTS: dict[str, SortKey[Task]] = {
    "createTime": lambda t: t.create_time,
    "id": lambda t: t.id,
    "name": lambda t: t.step.name,
    "assignee": lambda t: t.assignee,
    "priority": lambda t: 50,
    "dueDate": lambda t: None,
}


def _instance_seq(instance: ProcessInstance) -> int:
    return instance.seq


def _task_seq(task: Task) -> int:
    return task.seq


def _json(body: object, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


# -- models ------------------------------------------------------------------


async def list_models(request: web.Request) -> web.Response:
    """``GET /runtime/models?key=&latestVersion=true``."""
    emu = emulator_of(request)
    query = request.query
    latest = bool(query_bool(query, "latestVersion"))
    models = emu.engine.models(key=query.get("key") or None, latest_only=latest)
    page = parse_page_request(
        query, sort_fields=("key", "name", "version", "id"), default_sort="key", default_count=100
    )
    order = {m.id: n for n, m in enumerate(models)}
    sorts = {
        "key": lambda m: m.key,
        "name": lambda m: m.name,
        "version": lambda m: m.version,
        "id": lambda m: m.id,
    }
    items = sort_and_page(models, page, sorts, lambda m: order[m.id])
    base = base_url(request)
    return _json(
        hal_list(
            "models",
            [emu.views.model(m, base) for m in items],
            total=len(models),
            page=page,
            url=request.url,
            totals=not emu.config.strict.omit_totals,
        )
    )


async def get_model(request: web.Request) -> web.Response:
    """``GET /runtime/models/{id}``."""
    emu = emulator_of(request)
    model_id = request.match_info["model_id"]
    for model in emu.engine.models():
        if model.id == model_id or model.key == model_id:
            return _json(emu.views.model(model, base_url(request)))
    raise NotFoundError(f"no process definition with id '{model_id}'")


# -- process instances -------------------------------------------------------


async def start_instance(request: web.Request) -> web.Response:
    """``POST /process-instances``: start a case; 201 with the instance."""
    emu = emulator_of(request)
    body = await read_object(request)
    model = emu.engine.resolve_model(
        key=optional_str(body, "processDefinitionKey"),
        definition_id=optional_str(body, "processDefinitionId"),
        message=optional_str(body, "message"),
    )
    variables = parse_variables(body.get("variables"))
    return_variables = body.get("returnVariables", False)
    if not isinstance(return_variables, bool):
        raise InvalidRequestError("'returnVariables' must be true or false")
    instance = emu.engine.start(
        model,
        business_key=optional_str(body, "businessKey"),
        name=optional_str(body, "name"),
        variables=variables,
    )
    view = emu.views.instance(instance, base_url(request), include_variables=return_variables)
    return _json(view, status=201)


async def list_instances(request: web.Request) -> web.Response:
    """``GET /process-instances`` filtered by key, business key, id, suspension."""
    emu = emulator_of(request)
    query = request.query
    page = parse_page_request(query, sort_fields=tuple(INSTANCE_SORTS), default_sort="startTime")
    include_vars = bool(query_bool(query, "includeProcessVariables"))
    suspended = query_bool(query, "suspended", default=None)
    key = query.get("processDefinitionKey")
    definition_id = query.get("processDefinitionId")
    business_key = query.get("businessKey")
    instance_id = query.get("id")
    include_ended = emu.config.runtime_includes_ended
    found = [
        i
        for i in emu.engine.instances(business_key)
        if (include_ended or not i.ended)
        and (key is None or i.model.key == key)
        and (definition_id is None or i.model.id == definition_id)
        and (business_key is None or i.business_key == business_key)
        and (instance_id is None or i.id == instance_id)
        and (suspended is None or i.suspended == suspended)
    ]
    items = sort_and_page(found, page, INSTANCE_SORTS, _instance_seq)
    base = base_url(request)
    return _json(
        hal_list(
            "process-instances",
            [emu.views.instance(i, base, include_variables=include_vars) for i in items],
            total=len(found),
            page=page,
            url=request.url,
            totals=not emu.config.strict.omit_totals,
        )
    )


async def get_instance(request: web.Request) -> web.Response:
    """``GET /process-instances/{id}?includeProcessVariables=true``."""
    emu = emulator_of(request)
    instance = emu.engine.instance(
        request.match_info["instance_id"], include_ended=emu.config.runtime_includes_ended
    )
    include_vars = bool(query_bool(request.query, "includeProcessVariables"))
    return _json(emu.views.instance(instance, base_url(request), include_variables=include_vars))


async def update_instance(request: web.Request) -> web.Response:
    """``PUT /process-instances/{id}`` with ``{"action": "suspend"|"activate"}``."""
    emu = emulator_of(request)
    body = await read_object(request)
    action = body.get("action")
    if action not in ("suspend", "activate"):
        raise InvalidRequestError("'action' must be 'suspend' or 'activate'")
    instance = emu.engine.set_suspended(request.match_info["instance_id"], action == "suspend")
    return _json(emu.views.instance(instance, base_url(request), include_variables=False))


async def delete_instance(request: web.Request) -> web.Response:
    """``DELETE /process-instances/{id}?deleteReason=``: terminate; 204."""
    emu = emulator_of(request)
    reason = request.query.get("deleteReason")
    if reason is None and request.can_read_body:
        body = await read_json(request, required=False)
        if isinstance(body, dict) and isinstance(body.get("deleteReason"), str):
            reason = body["deleteReason"]
    emu.engine.terminate(request.match_info["instance_id"], reason)
    return web.Response(status=204)


# -- variables ---------------------------------------------------------------


async def list_variables(request: web.Request) -> web.Response:
    """``GET /process-instances/{id}/variables`` as a HAL list."""
    emu = emulator_of(request)
    instance = emu.engine.instance(
        request.match_info["instance_id"], include_ended=emu.config.runtime_includes_ended
    )
    variables = list(instance.variables.values())
    page = parse_page_request(
        request.query, sort_fields=("name",), default_sort="name", default_count=1000
    )
    order = {v.name: n for n, v in enumerate(variables)}
    items = sort_and_page(variables, page, {"name": lambda v: v.name}, lambda v: order[v.name])
    return _json(
        hal_list(
            "variables",
            [v.to_json() for v in items],
            total=len(variables),
            page=page,
            url=request.url,
            totals=not emu.config.strict.omit_totals,
        )
    )


async def create_variables(request: web.Request) -> web.Response:
    """``POST /process-instances/{id}/variables``: create or overwrite; 201."""
    emu = emulator_of(request)
    body = await read_json(request)
    # Accept a bare list (engine style) or {"variables": [...]}.
    raw = body.get("variables") if isinstance(body, dict) else body
    variables = parse_variables(raw)
    if not variables:
        raise InvalidRequestError("at least one variable is required")
    stored = emu.engine.set_variables(request.match_info["instance_id"], variables)
    return _json([v.to_json() for v in stored], status=201)


async def put_variable(request: web.Request) -> web.Response:
    """``PUT /process-instances/{id}/variables/{name}``: set one variable."""
    emu = emulator_of(request)
    name = request.match_info["name"]
    body = await read_object(request)
    body.setdefault("name", name)
    if body["name"] != name:
        raise InvalidRequestError(
            f"body names variable '{body['name']}' but the path names '{name}'"
        )
    variable = parse_variable(body)
    stored = emu.engine.set_variables(request.match_info["instance_id"], [variable])
    return _json(stored[0].to_json())


async def get_variable(request: web.Request) -> web.Response:
    """``GET /process-instances/{id}/variables/{name}``."""
    emu = emulator_of(request)
    instance = emu.engine.instance(
        request.match_info["instance_id"], include_ended=emu.config.runtime_includes_ended
    )
    name = request.match_info["name"]
    variable = instance.variables.get(name)
    if variable is None:
        raise NotFoundError(f"process instance {instance.id} has no variable '{name}'")
    return _json(variable.to_json())


# -- tasks -------------------------------------------------------------------


async def list_tasks(request: web.Request) -> web.Response:
    """``GET /tasks`` (open tasks) filtered by instance, business key, group, assignee."""
    emu = emulator_of(request)
    query = request.query
    page = parse_page_request(query, sort_fields=tuple(TASK_SORTS), default_sort="createTime")
    include_vars = bool(query_bool(query, "includeProcessVariables"))
    instance_id = query.get("processInstanceId")
    with_children = query.get("processInstanceIdWithChildren")
    business_key = query.get("processInstanceBusinessKey")
    visible = emu.tokens.groups_of(request[TOKEN])
    group = query.get("candidateGroup")
    groups_in = query.get("candidateGroupIn")
    wanted_groups = set(groups_in.split(",")) if groups_in else None
    assignee = query.get("assignee")
    unassigned = query_bool(query, "unassigned", default=None)
    key = query.get("processDefinitionKey")
    task_key = query.get("taskDefinitionKey")
    found = [
        t
        for t in emu.engine.tasks()
        if not t.finished
        and t.visible_to(visible)
        and (instance_id is None or t.in_process(instance_id))
        and (with_children is None or t.in_process(with_children, with_children=True))
        and (business_key is None or t.home.business_key == business_key)
        and (group is None or group in t.step.candidate_groups)
        and (wanted_groups is None or bool(wanted_groups & set(t.step.candidate_groups)))
        and (assignee is None or t.assignee == assignee)
        and (unassigned is None or (t.assignee is None) == unassigned)
        and (key is None or t.home.model.key == key)
        and (task_key is None or t.step.key == task_key)
    ]
    items = sort_and_page(found, page, TASK_SORTS, _task_seq)
    base = base_url(request)
    return _json(
        hal_list(
            "tasks",
            [emu.views.task(t, base, include_process_variables=include_vars) for t in items],
            total=len(found),
            page=page,
            url=request.url,
            totals=not emu.config.strict.omit_totals,
        )
    )


async def get_task(request: web.Request) -> web.Response:
    """``GET /tasks/{id}`` (open tasks only, like the engine)."""
    emu = emulator_of(request)
    task = _visible_task(request, include_finished=False)
    include_vars = bool(query_bool(request.query, "includeProcessVariables"))
    return _json(emu.views.task(task, base_url(request), include_process_variables=include_vars))


async def act_on_task(request: web.Request) -> web.Response:
    """``POST /tasks/{id}``: ``claim`` / ``unclaim`` / ``complete``."""
    emu = emulator_of(request)
    task_id = _visible_task(request).id
    body = await read_object(request)
    action = body.get("action")
    base = base_url(request)
    if action == "claim":
        assignee = optional_str(body, "assignee")
        if not assignee:
            raise InvalidRequestError("claim needs an 'assignee'")
        task = emu.engine.claim(task_id, assignee)
        return _json(emu.views.task(task, base, include_process_variables=False))
    if action == "unclaim":
        task = emu.engine.claim(task_id, None)
        return _json(emu.views.task(task, base, include_process_variables=False))
    if action == "complete":
        variables = parse_variables(body.get("variables"))
        completion = emu.engine.complete(
            task_id,
            optional_str(body, "outcome"),
            variables,
            user=optional_str(body, "assignee") or emu.config.start_user_id,
        )
        return _json(emu.views.historic_task(completion.task, base, include_local_variables=True))
    raise InvalidRequestError(f"unsupported task action {action!r}; use claim, unclaim or complete")


def _visible_task(request: web.Request, *, include_finished: bool = True) -> Task:
    """The task of the path, if the calling token may see it; like the engine, 404 otherwise."""
    emu = emulator_of(request)
    task_id = request.match_info["task_id"]
    task = emu.engine.task(task_id, include_finished=include_finished)
    if not task.visible_to(emu.tokens.groups_of(request[TOKEN])):
        raise NotFoundError(f"could not find a task with id '{task_id}'")
    return task


def add_routes(app: web.Application) -> None:
    """Register the runtime routes on ``app``."""
    p = RUNTIME_PREFIX
    app.router.add_get(f"{p}/runtime/models", list_models)
    app.router.add_get(f"{p}/runtime/models/{{model_id}}", get_model)
    app.router.add_post(f"{p}/process-instances", start_instance)
    app.router.add_get(f"{p}/process-instances", list_instances)
    app.router.add_get(f"{p}/process-instances/{{instance_id}}", get_instance)
    app.router.add_put(f"{p}/process-instances/{{instance_id}}", update_instance)
    app.router.add_delete(f"{p}/process-instances/{{instance_id}}", delete_instance)
    app.router.add_get(f"{p}/process-instances/{{instance_id}}/variables", list_variables)
    app.router.add_post(f"{p}/process-instances/{{instance_id}}/variables", create_variables)
    app.router.add_put(f"{p}/process-instances/{{instance_id}}/variables", create_variables)
    app.router.add_get(f"{p}/process-instances/{{instance_id}}/variables/{{name}}", get_variable)
    app.router.add_put(f"{p}/process-instances/{{instance_id}}/variables/{{name}}", put_variable)
    app.router.add_get(f"{p}/tasks", list_tasks)
    app.router.add_get(f"{p}/tasks/{{task_id}}", get_task)
    app.router.add_post(f"{p}/tasks/{{task_id}}", act_on_task)
