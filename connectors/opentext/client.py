"""Async client for OpenText Workflow Service (runtime and history APIs).

One :class:`OpenTextClient` per process is enough: it is safe to use from many
tasks at once and keeps one connection pool and one cached token.

This module holds the operations (start, look up, act on tasks, read
history) and the typed models they return. Sending, token refresh on 401,
retries with backoff and the error mapping all happen in
:class:`~connectors.opentext.transport.OpenTextTransport`.

The only I/O seam is the ``httpx.AsyncClient`` (or just its transport): tests
pass an ``httpx.MockTransport``, and the same code runs against the emulator
and the real service by changing ``base_url`` and credentials.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from connectors.http import pooled_transport
from connectors.opentext.auth import TokenProvider
from connectors.opentext.config import OpenTextConfig, ResponseHook
from connectors.opentext.errors import (
    OpenTextNotFoundError,
    OpenTextProtocolError,
    OpenTextUnavailableError,
)
from connectors.opentext.hal import PagingReport, page_items
from connectors.opentext.models import (
    HistoricProcessInstance,
    HistoricTask,
    ProcessInstance,
    StartProcessInstanceRequest,
    Task,
    TaskActionRequest,
    Variable,
    VariablesInput,
    WorkflowModel,
    to_variables,
)
from connectors.opentext.transport import OpenTextTransport, QueryValue, Sleep, decode_json
from connectors.retry import retrying

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

# List names under ``_embedded``. The history API's names are not documented, so
# both the specific and the runtime name are accepted (hal.page_items also falls
# back to the only list present).
_PROCESS_INSTANCES = ("process-instances",)
_HISTORIC_PROCESS_INSTANCES = ("historic-process-instances", "process-instances")
_TASKS = ("tasks",)
_HISTORIC_TASKS = ("historic-task-instances", "tasks")
_MODELS = ("models",)
_VARIABLES = ("variables",)


class OpenTextClient:
    """Async OpenText Workflow Service client.

    Args:
        config: Where the service is and how to authenticate.
        http: An ``httpx.AsyncClient`` to use (not closed by :meth:`aclose`).
            When omitted the client creates and owns one.
        transport: Transport for the client-owned ``httpx.AsyncClient``; the
            test seam (``httpx.MockTransport``). Ignored when ``http`` is given.
        tokens: A token provider to share; by default one is made from ``config``.
        sleep: Awaitable used between retries; tests pass a recorder.
        on_response: Metrics hook ``(endpoint_template, status, duration_s)``.
    """

    def __init__(
        self,
        config: OpenTextConfig,
        *,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        tokens: TokenProvider | None = None,
        sleep: Sleep = asyncio.sleep,
        on_response: ResponseHook | None = None,
    ) -> None:
        self._config = config
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(
            transport=transport or pooled_transport(),
            timeout=httpx.Timeout(config.timeout_s),
            headers={"User-Agent": config.user_agent},
        )
        self._tokens = tokens or TokenProvider(config, self._http, on_response=on_response)
        self._sleep = sleep  # for ensure_process_instance's own lookup-then-start rounds
        self._transport = OpenTextTransport(
            config, self._http, self._tokens, sleep=sleep, on_response=on_response
        )

    def __repr__(self) -> str:
        config = self._config
        return f"OpenTextClient(base_url={config.base_url!r}, tenant_id={config.tenant_id!r})"

    @property
    def config(self) -> OpenTextConfig:
        """The settings this client was built with."""
        return self._config

    @property
    def tokens(self) -> TokenProvider:
        """The token provider (shared by every call of this client)."""
        return self._tokens

    async def __aenter__(self) -> OpenTextClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this client created it."""
        if self._owns_http:
            await self._http.aclose()

    # ------------------------------------------------------------------ process instances

    async def start_process_instance(
        self,
        process_definition_key: str,
        business_key: str,
        variables: VariablesInput | None = None,
        name: str | None = None,
        *,
        retry: bool = True,
    ) -> ProcessInstance:
        """Start an instance of model ``process_definition_key``: ``POST /process-instances``.

        With ``retry`` transient failures are retried, so a timeout after the
        server already started the instance can start a second one. Use
        :meth:`ensure_process_instance`, or ``retry=False`` and a lookup before
        trying again, wherever a duplicate would matter.
        """
        return await self._start(process_definition_key, business_key, variables, name, retry=retry)

    async def ensure_process_instance(
        self,
        process_definition_key: str,
        business_key: str,
        variables: VariablesInput | None = None,
        name: str | None = None,
    ) -> tuple[ProcessInstance, bool]:
        """The instance for ``business_key``, started only if none exists yet.

        This is the crash- and replay-safe start: it looks the business key up
        on the runtime API (unless disabled by
        ``config.runtime_business_key_filter``) and on the history API (which
        also holds instances that have already ended), and starts an instance
        only when both come back empty. The start itself is attempted once per
        round; after a transient failure the lookup runs again before the next
        attempt, because the failed POST may have succeeded on the server.

        Returns:
            ``(instance, created)``; ``created`` is ``False`` when it already existed.
        """
        failures = 0

        async def look_up_then_start() -> tuple[ProcessInstance, bool]:
            nonlocal failures
            existing = await self._find_existing(process_definition_key, business_key)
            if existing is not None:
                return existing, False
            try:
                started = await self._start(
                    process_definition_key, business_key, variables, name, retry=False
                )
            except OpenTextUnavailableError as exc:
                # Only the start is retried here (the look-up's own failures propagate:
                # the transport has retried them already).
                failures += 1
                raise _StartFailed(exc) from exc
            return started, True

        def log_retry(error: BaseException, _number: int, delay: float) -> None:
            log.warning(
                "OpenText start of %s failed transiently (%s); looking up again in %.2fs",
                business_key,
                error,
                delay,
            )

        try:
            async for attempt in retrying(
                self._config.retry, on=_StartFailed, sleep=self._sleep, on_retry=log_retry
            ):
                with attempt:
                    return await look_up_then_start()
        except _StartFailed as failed:
            exc = failed.error
            raise OpenTextUnavailableError(
                f"{exc} (gave up after {failures} start attempts)",
                status=exc.status,
                attempts=failures,
                endpoint=exc.endpoint,
                retry_after_s=exc.retry_after_s,
            ) from exc
        raise AssertionError("retrying() returns the instance or raises")

    async def find_process_instances(
        self,
        business_key: str | None = None,
        process_definition_key: str | None = None,
        *,
        include_process_variables: bool = False,
    ) -> list[ProcessInstance]:
        """Running instances matching the filters (runtime API, all pages).

        The runtime ``businessKey`` filter is not documented for certain, so
        results are also checked client-side: a server that ignores the filter
        costs pages, never wrong answers.
        """
        params: dict[str, QueryValue] = {
            "businessKey": business_key,
            "processDefinitionKey": process_definition_key,
            "includeProcessVariables": include_process_variables or None,
        }
        found: list[ProcessInstance] = []
        async for item in self._transport.paged(
            "runtime", "/process-instances", _PROCESS_INSTANCES, params
        ):
            instance = _parse(ProcessInstance, item)
            if business_key is None or instance.business_key == business_key:
                found.append(instance)
        return found

    async def find_historic_process_instances(
        self,
        business_key: str | None = None,
        process_definition_key: str | None = None,
        *,
        finished: bool | None = None,
        include_process_variables: bool = False,
    ) -> list[HistoricProcessInstance]:
        """Instances (running and ended) matching the filters, from the history API."""
        found: list[HistoricProcessInstance] = []
        async for instance in self.historic_process_instances(
            finished=finished,
            business_key=business_key,
            process_definition_key=process_definition_key,
            include_process_variables=include_process_variables,
        ):
            if business_key is None or instance.business_key == business_key:
                found.append(instance)
        return found

    async def get_process_instance(
        self, instance_id: str, include_variables: bool = True
    ) -> ProcessInstance:
        """One running instance: ``GET /process-instances/{id}``.

        Raises:
            OpenTextNotFoundError: No running instance has this id.
        """
        response = await self._transport.request(
            "GET",
            "runtime",
            "/process-instances/{id}",
            {"id": instance_id},
            params={"includeProcessVariables": include_variables},
        )
        return _parse(ProcessInstance, decode_json(response))

    async def get_historic_process_instance(self, instance_id: str) -> HistoricProcessInstance:
        """One instance from the history API, with its end time and duration."""
        response = await self._transport.request(
            "GET", "history", "/historic-process-instances/{id}", {"id": instance_id}
        )
        return _parse(HistoricProcessInstance, decode_json(response))

    async def get_variables(self, instance_id: str) -> list[Variable]:
        """All variables of a running instance: ``GET /process-instances/{id}/variables``."""
        response = await self._transport.request(
            "GET", "runtime", "/process-instances/{id}/variables", {"id": instance_id}
        )
        return [_parse(Variable, item) for item in page_items(decode_json(response), _VARIABLES)]

    async def set_variables(self, instance_id: str, variables: VariablesInput) -> list[Variable]:
        """Create or overwrite variables: ``POST /process-instances/{id}/variables``.

        Returns the variables echoed by the service (empty if it answers 204).
        """
        body = [variable.to_wire() for variable in to_variables(variables)]
        response = await self._transport.request(
            "POST", "runtime", "/process-instances/{id}/variables", {"id": instance_id}, json=body
        )
        if not response.content:
            return []
        return [_parse(Variable, item) for item in page_items(decode_json(response), _VARIABLES)]

    async def update_variable(
        self, instance_id: str, name: str, variable: Variable | Any
    ) -> Variable:
        """Set one variable: ``PUT /process-instances/{id}/variables/{name}``.

        ``variable`` is a :class:`Variable` or a plain value (type inferred).
        """
        if not isinstance(variable, Variable):
            variable = Variable.of(name, variable)
        elif variable.name != name:
            variable = variable.model_copy(update={"name": name})
        response = await self._transport.request(
            "PUT",
            "runtime",
            "/process-instances/{id}/variables/{name}",
            {"id": instance_id, "name": name},
            json=variable.to_wire(),
        )
        if not response.content:
            return variable
        return _parse(Variable, decode_json(response))

    async def suspend_process_instance(self, instance_id: str) -> ProcessInstance | None:
        """Suspend: ``PUT /process-instances/{id} {"action": "suspend"}``."""
        return await self._instance_action(instance_id, "suspend")

    async def activate_process_instance(self, instance_id: str) -> ProcessInstance | None:
        """Resume a suspended instance: ``PUT /process-instances/{id} {"action": "activate"}``."""
        return await self._instance_action(instance_id, "activate")

    async def delete_process_instance(
        self, instance_id: str, *, delete_reason: str | None = None, missing_ok: bool = False
    ) -> bool:
        """Terminate an instance: ``DELETE /process-instances/{id}``.

        Returns ``True`` if it was deleted, ``False`` if it did not exist and
        ``missing_ok`` is set (a replayed delete is then a no-op).
        """
        try:
            await self._transport.request(
                "DELETE",
                "runtime",
                "/process-instances/{id}",
                {"id": instance_id},
                params={"deleteReason": delete_reason},
            )
        except OpenTextNotFoundError:
            if missing_ok:
                return False
            raise
        return True

    # ------------------------------------------------------------------ tasks

    async def iter_tasks(
        self,
        *,
        process_instance_id: str | None = None,
        process_instance_id_with_children: str | None = None,
        process_instance_business_key: str | None = None,
        candidate_group: str | None = None,
        assignee: str | None = None,
        include_process_variables: bool | None = None,
        **filters: QueryValue,
    ) -> AsyncIterator[Task]:
        """Open tasks matching the filters, all pages: ``GET /tasks``.

        ``process_instance_id_with_children`` also finds tasks of the child
        processes a call activity started (where OpenText's sample models keep them).

        ``filters`` are passed through as query parameters under the given
        (camelCase) names, for filters the contract does not list.
        """
        params: dict[str, QueryValue] = {
            "processInstanceId": process_instance_id,
            "processInstanceIdWithChildren": process_instance_id_with_children,
            "processInstanceBusinessKey": process_instance_business_key,
            "candidateGroup": candidate_group,
            "assignee": assignee,
            "includeProcessVariables": include_process_variables,
            **filters,
        }
        async for item in self._transport.paged("runtime", "/tasks", _TASKS, params):
            yield _parse(Task, item)

    async def list_tasks(
        self,
        *,
        process_instance_id: str | None = None,
        process_instance_id_with_children: str | None = None,
        process_instance_business_key: str | None = None,
        candidate_group: str | None = None,
        assignee: str | None = None,
        include_process_variables: bool | None = None,
        **filters: QueryValue,
    ) -> list[Task]:
        """Like :meth:`iter_tasks`, collected into a list."""
        return [
            task
            async for task in self.iter_tasks(
                process_instance_id=process_instance_id,
                process_instance_id_with_children=process_instance_id_with_children,
                process_instance_business_key=process_instance_business_key,
                candidate_group=candidate_group,
                assignee=assignee,
                include_process_variables=include_process_variables,
                **filters,
            )
        ]

    async def claim_task(self, task_id: str, assignee: str | None) -> None:
        """Claim a task for ``assignee`` (``None`` unclaims): ``POST /tasks/{id}``."""
        body = TaskActionRequest(action="claim", assignee=assignee).to_wire()
        if assignee is None:
            body["assignee"] = None  # explicit null is how the engine unclaims
        await self._transport.request("POST", "runtime", "/tasks/{id}", {"id": task_id}, json=body)

    async def complete_task(
        self,
        task_id: str,
        outcome: str | None = None,
        variables: VariablesInput | None = None,
        *,
        missing_ok: bool = False,
    ) -> bool:
        """Complete a task with an ``outcome`` (e.g. ``"approved"``): ``POST /tasks/{id}``.

        A completed task disappears from the runtime API, so replaying a
        completion gets a 404. With ``missing_ok`` that replay returns ``False``
        instead of raising; ``True`` means this call completed the task.
        """
        request = TaskActionRequest(
            action="complete",
            outcome=outcome,
            variables=to_variables(variables) if variables is not None else None,
        )
        try:
            await self._transport.request(
                "POST", "runtime", "/tasks/{id}", {"id": task_id}, json=request.to_wire()
            )
        except OpenTextNotFoundError:
            if missing_ok:
                return False
            raise
        return True

    # ------------------------------------------------------------------ history

    async def historic_process_instances(
        self,
        *,
        finished: bool | None = True,
        finished_after: datetime | str | None = None,
        process_definition_key: str | None = None,
        business_key: str | None = None,
        include_process_variables: bool = True,
        sort: str | None = None,
        order: Literal["asc", "desc"] | None = None,
        page_size: int | None = None,
        report: PagingReport | None = None,
    ) -> AsyncIterator[HistoricProcessInstance]:
        """Every matching historic process instance, over all pages (as far as the service pages).

        ``finished_after`` (the decision poller's watermark) is sent as ISO 8601
        UTC; naive datetimes are taken as UTC. ``sort``, ``order`` and paging are
        not documented for history: ``report`` says whether the walk saw the
        whole list, and the order must be checked, not assumed.
        """
        params: dict[str, QueryValue] = {
            "businessKey": business_key,
            "processDefinitionKey": process_definition_key,
            "finished": finished,
            "finishedAfter": finished_after,
            "includeProcessVariables": include_process_variables,
            "sort": sort,
            "order": order if sort else None,
        }
        async for item in self._transport.paged(
            "history",
            "/historic-process-instances",
            _HISTORIC_PROCESS_INSTANCES,
            params,
            page_size=page_size,
            report=report,
        ):
            yield _parse(HistoricProcessInstance, item)

    async def historic_task_instances(
        self,
        *,
        finished: bool | None = True,
        task_completed_after: datetime | str | None = None,
        process_business_key: str | None = None,
        process_instance_id: str | None = None,
        process_instance_id_with_children: str | None = None,
        include_task_local_variables: bool = True,
        sort: str | None = None,
        order: Literal["asc", "desc"] | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[HistoricTask]:
        """Every matching historic task instance (task-level outcomes), over all pages.

        ``process_instance_id_with_children`` also finds the tasks of the child
        processes a call activity started (where OpenText's sample models keep them).
        """
        params: dict[str, QueryValue] = {
            "processInstanceId": process_instance_id,
            "processInstanceIdWithChildren": process_instance_id_with_children,
            "processBusinessKey": process_business_key,
            "finished": finished,
            "taskCompletedAfter": task_completed_after,
            "includeTaskLocalVariables": include_task_local_variables,
            "sort": sort,
            "order": order if sort else None,
        }
        async for item in self._transport.paged(
            "history", "/historic-task-instances", _HISTORIC_TASKS, params, page_size=page_size
        ):
            yield _parse(HistoricTask, item)

    # ------------------------------------------------------------------ models

    async def get_models(
        self, key: str | None = None, *, latest_version: bool = True
    ) -> list[WorkflowModel]:
        """Deployed models, optionally only ``key``: ``GET /runtime/models``."""
        params: dict[str, QueryValue] = {"key": key, "latestVersion": latest_version}
        return [
            _parse(WorkflowModel, item)
            async for item in self._transport.paged("runtime", "/runtime/models", _MODELS, params)
        ]

    # ------------------------------------------------------------------ internals

    async def _start(
        self,
        process_definition_key: str,
        business_key: str,
        variables: VariablesInput | None,
        name: str | None,
        *,
        retry: bool,
    ) -> ProcessInstance:
        body = StartProcessInstanceRequest(
            process_definition_key=process_definition_key,
            business_key=business_key,
            name=name,
            variables=to_variables(variables),
        ).to_wire()
        response = await self._transport.request(
            "POST", "runtime", "/process-instances", json=body, retry=retry
        )
        instance = _parse(ProcessInstance, decode_json(response))
        if instance.business_key is None:
            # Some answers omit what we sent; callers key on it, so fill it in.
            instance = instance.model_copy(update={"business_key": business_key})
        return instance

    async def _find_existing(
        self, process_definition_key: str, business_key: str
    ) -> ProcessInstance | None:
        """The instance already started for ``business_key``, running or ended, if any."""
        candidates: list[ProcessInstance] = []
        if self._config.runtime_business_key_filter:
            candidates = list(
                await self.find_process_instances(business_key, process_definition_key)
            )
        if not candidates:
            # History also lists running instances, and it is the only place an
            # instance that already ended (e.g. rejected quickly) can be found.
            candidates = list(
                await self.find_historic_process_instances(business_key, process_definition_key)
            )
        if not candidates:
            return None
        if len(candidates) > 1:
            log.warning(
                "OpenText has %d instances for business key %s; using the oldest",
                len(candidates),
                business_key,
            )
        return min(candidates, key=_start_sort_key)

    async def _instance_action(self, instance_id: str, action: str) -> ProcessInstance | None:
        response = await self._transport.request(
            "PUT",
            "runtime",
            "/process-instances/{id}",
            {"id": instance_id},
            json={"action": action},
        )
        if not response.content:
            return None
        return _parse(ProcessInstance, decode_json(response))


def _parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise OpenTextProtocolError(f"unexpected {model.__name__} from OpenText: {exc}") from exc


def _start_sort_key(instance: ProcessInstance) -> tuple[int, float, str]:
    # Instances without a start time sort last; ties broken by id for determinism.
    start = instance.start_time
    if start is None:
        return (1, 0.0, instance.id)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return (0, start.timestamp(), instance.id)


class _StartFailed(Exception):
    """A start that failed transiently, retried by ``ensure_process_instance`` (after a look-up)."""

    def __init__(self, error: OpenTextUnavailableError) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after_s = error.retry_after_s
