"""The workflow engine: models, process instances, tasks, variables and history.

Pure in-memory state with no I/O, so it is tested without sockets. An instance
of a model walks its steps in order; each step is one approval task offered to
the step's candidate groups. Completing a task stores the outcome in the
model's outcome variable and either opens the next step or ends the instance.
Ended instances and completed tasks are kept: they are the history.

Listeners registered with :meth:`Engine.add_completion_listener` hear every
completed task; the callback dispatcher is one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from emulators.opentext.clock import Clock, truncate_ms
from emulators.opentext.config import EmulatorConfig, ModelConfig, StepConfig
from emulators.opentext.errors import (
    ConflictError,
    InvalidRequestError,
    NotFoundError,
)
from emulators.opentext.variables import Variable

# Process variables are local to their instance, as the engine reports them;
# seen from a task they are "global" (the task's own variables are "local").
PROCESS_SCOPE = "local"

# Fixed namespace: the same model key and version always give the same
# definition id, across restarts, so a client may cache it.
_MODEL_NAMESPACE = uuid.UUID("6f1d7a52-3c1b-4c55-9a3e-6b0c2f1e8a10")


@dataclass(frozen=True)
class ModelDefinition:
    """A deployed model version."""

    config: ModelConfig
    id: str
    deployment_id: str

    @property
    def key(self) -> str:
        """The processDefinitionKey."""
        return self.config.key

    @property
    def version(self) -> int:
        """The deployed version."""
        return self.config.version

    @property
    def name(self) -> str:
        """The processDefinitionName."""
        return self.config.name


@dataclass(eq=False)
class ProcessInstance:
    """A running or ended case."""

    id: str
    seq: int
    model: ModelDefinition
    business_key: str | None
    name: str | None
    start_time: datetime
    start_user_id: str
    variables: dict[str, Variable] = field(default_factory=dict)
    suspended: bool = False
    end_time: datetime | None = None
    completed: bool = False
    delete_reason: str | None = None
    end_activity_id: str | None = None
    activity_id: str | None = None
    #: The instance whose call activity started this one (strict ``child_process_tasks``).
    super_instance: ProcessInstance | None = None

    @property
    def ended(self) -> bool:
        """Completed or terminated."""
        return self.end_time is not None

    def duration_ms(self) -> int | None:
        """Milliseconds from start to end, once ended."""
        if self.end_time is None:
            return None
        return int((self.end_time - self.start_time).total_seconds() * 1000)


@dataclass(eq=False)
class Task:
    """One approval task (a step of an instance)."""

    id: str
    seq: int
    instance: ProcessInstance
    step_index: int
    step: StepConfig
    create_time: datetime
    assignee: str | None = None
    claim_time: datetime | None = None
    end_time: datetime | None = None
    outcome: str | None = None
    local_variables: dict[str, Variable] = field(default_factory=dict)
    delete_reason: str | None = None
    #: The instance the task lives in: ``instance`` itself, or the child process of a
    #: call activity (strict ``child_process_tasks``). ``instance`` is always the case.
    process: ProcessInstance | None = None

    @property
    def home(self) -> ProcessInstance:
        """The process instance the task belongs to, as the API reports it."""
        return self.process or self.instance

    def in_process(self, instance_id: str, *, with_children: bool = False) -> bool:
        """``processInstanceId`` (or ``processInstanceIdWithChildren``) matches."""
        return self.home.id == instance_id or (with_children and self.instance.id == instance_id)

    def visible_to(self, groups: tuple[str, ...] | None) -> bool:
        """Whether a token seeing ``groups`` (``None``: all) sees this task."""
        return groups is None or bool(set(groups) & set(self.step.candidate_groups))

    @property
    def finished(self) -> bool:
        """Completed, or cancelled with its instance."""
        return self.end_time is not None

    def duration_ms(self) -> int | None:
        """Milliseconds from creation to end, once finished."""
        if self.end_time is None:
            return None
        return int((self.end_time - self.create_time).total_seconds() * 1000)


@dataclass(frozen=True)
class Completion:
    """What happened when a task was completed."""

    task: Task
    instance: ProcessInstance
    outcome: str
    completed_at: datetime
    instance_ended: bool


CompletionListener = Callable[[Completion], None]


class Engine:
    """All workflow state of one emulator."""

    def __init__(self, config: EmulatorConfig, clock: Clock) -> None:
        self._config = config
        self._clock = clock
        self._models = [
            ModelDefinition(
                config=model,
                id=f"{model.key}:{model.version}:"
                f"{uuid.uuid5(_MODEL_NAMESPACE, f'{model.key}:{model.version}')}",
                deployment_id=str(uuid.uuid5(_MODEL_NAMESPACE, f"deployment:{model.key}")),
            )
            for model in config.models
        ]
        # The models the call activities of strict ``child_process_tasks`` start.
        self._child_models = {
            model.key: ModelDefinition(
                config=model.config.model_copy(update={"key": f"{model.key}.task"}),
                id=f"{model.key}.task:{model.version}:"
                f"{uuid.uuid5(_MODEL_NAMESPACE, f'{model.key}.task:{model.version}')}",
                deployment_id=model.deployment_id,
            )
            for model in self._models
        }
        self._listeners: list[CompletionListener] = []
        self._instances: dict[str, ProcessInstance] = {}
        # Business keys are what clients look instances up by (once per case): an
        # index keeps that lookup O(1) as the emulator fills up.
        self._by_business_key: dict[str, list[ProcessInstance]] = {}
        self._tasks: dict[str, Task] = {}
        self._seq = 0

    # -- plumbing -----------------------------------------------------------

    def add_completion_listener(self, listener: CompletionListener) -> None:
        """Call ``listener`` after every task completion."""
        self._listeners.append(listener)

    def reset(self) -> None:
        """Forget all instances and tasks; models stay deployed."""
        self._instances.clear()
        self._by_business_key.clear()
        self._tasks.clear()

    def _now(self) -> datetime:
        return truncate_ms(self._clock.now())

    def _next_seq(self) -> int:
        # A global creation counter: the stable tie-breaker for sorting.
        self._seq += 1
        return self._seq

    # -- models -------------------------------------------------------------

    def models(self, *, key: str | None = None, latest_only: bool = False) -> list[ModelDefinition]:
        """Deployed models, optionally one key and only each key's latest version."""
        found = [m for m in self._models if key is None or m.key == key]
        if latest_only:
            latest: dict[str, ModelDefinition] = {}
            for model in found:
                if model.key not in latest or model.version > latest[model.key].version:
                    latest[model.key] = model
            found = [m for m in found if latest[m.key] is m]
        return found

    def resolve_model(
        self, *, key: str | None, definition_id: str | None, message: str | None
    ) -> ModelDefinition:
        """Find the model a start request names by exactly one of its three ways.

        Raises:
            InvalidRequestError: not exactly one of the three is given.
            NotFoundError: no deployed model matches.
        """
        given = [v for v in (key, definition_id, message) if v is not None]
        if len(given) != 1:
            raise InvalidRequestError(
                "exactly one of processDefinitionKey, processDefinitionId or message is required"
            )
        if key is not None:
            candidates = self.models(key=key, latest_only=True)
            what = f"process definition with key '{key}'"
        elif definition_id is not None:
            candidates = [m for m in self._models if m.id == definition_id]
            what = f"process definition with id '{definition_id}'"
        else:
            candidates = [m for m in self._models if m.config.start_message == message]
            candidates = [m for m in candidates if self.models(key=m.key, latest_only=True)[0] is m]
            what = f"process definition subscribed to message '{message}'"
        if not candidates:
            raise NotFoundError(f"no {what}")
        return candidates[0]

    # -- instances ----------------------------------------------------------

    def start(
        self,
        model: ModelDefinition,
        *,
        business_key: str | None = None,
        name: str | None = None,
        variables: Iterable[Variable] = (),
        start_user_id: str | None = None,
    ) -> ProcessInstance:
        """Start an instance of ``model`` and open its first task."""
        now = self._now()
        instance = ProcessInstance(
            id=str(uuid.uuid4()),
            seq=self._next_seq(),
            model=model,
            business_key=business_key,
            name=name,
            start_time=now,
            start_user_id=start_user_id or self._config.start_user_id,
        )
        for variable in variables:
            # On start every variable belongs to the instance, whatever its scope says.
            instance.variables[variable.name] = Variable(
                variable.name, variable.type, variable.value, PROCESS_SCOPE
            )
        self._instances[instance.id] = instance
        if business_key is not None:
            self._by_business_key.setdefault(business_key, []).append(instance)
        self._open_step(instance, 0, now)
        return instance

    def instances(self, business_key: str | None = None) -> list[ProcessInstance]:
        """Every instance (of ``business_key`` if given), running and ended, in creation order."""
        if business_key is not None:
            return list(self._by_business_key.get(business_key, ()))
        return list(self._instances.values())

    def instance(self, instance_id: str, *, include_ended: bool = True) -> ProcessInstance:
        """One instance by id.

        Raises:
            NotFoundError: unknown id, or ended and ``include_ended`` is false.
        """
        instance = self._instances.get(instance_id)
        if instance is None or (instance.ended and not include_ended):
            raise NotFoundError(f"could not find a process instance with id '{instance_id}'")
        return instance

    def set_suspended(self, instance_id: str, suspended: bool) -> ProcessInstance:
        """Suspend or activate a running instance.

        Raises:
            NotFoundError: unknown or ended instance.
            ConflictError: already in the requested state.
        """
        instance = self.instance(instance_id, include_ended=False)
        if instance.suspended == suspended:
            state = "suspended" if suspended else "active"
            raise ConflictError(f"process instance {instance_id} is already {state}")
        instance.suspended = suspended
        return instance

    def terminate(self, instance_id: str, reason: str | None) -> ProcessInstance:
        """End a running instance without an outcome; its open task is cancelled.

        Raises:
            NotFoundError: unknown or already ended instance.
        """
        instance = self.instance(instance_id, include_ended=False)
        now = self._now()
        instance.end_time = now
        instance.delete_reason = reason or "terminated"
        instance.end_activity_id = None
        instance.activity_id = None
        for task in self._open_tasks_of(instance):
            task.end_time = now
            task.delete_reason = instance.delete_reason
            if task.process is not None and not task.process.ended:
                task.process.end_time = now
                task.process.delete_reason = instance.delete_reason
        return instance

    def set_variables(
        self, instance_id: str, variables: Iterable[Variable], *, include_ended: bool = False
    ) -> list[Variable]:
        """Create or overwrite process variables.

        Raises:
            NotFoundError: unknown (or ended) instance.
        """
        instance = self.instance(instance_id, include_ended=include_ended)
        stored = []
        for variable in variables:
            stored_variable = Variable(variable.name, variable.type, variable.value, PROCESS_SCOPE)
            instance.variables[variable.name] = stored_variable
            stored.append(stored_variable)
        return stored

    # -- tasks --------------------------------------------------------------

    def tasks(self) -> list[Task]:
        """Every task, open and finished, in creation order."""
        return list(self._tasks.values())

    def task(self, task_id: str, *, include_finished: bool = True) -> Task:
        """One task by id.

        Raises:
            NotFoundError: unknown id, or finished and ``include_finished`` is false.
        """
        task = self._tasks.get(task_id)
        if task is None or (task.finished and not include_finished):
            raise NotFoundError(f"could not find a task with id '{task_id}'")
        return task

    def claim(self, task_id: str, assignee: str | None) -> Task:
        """Assign an open task; ``None`` releases it.

        Raises:
            NotFoundError: unknown task.
            ConflictError: task finished, or claimed by someone else.
        """
        task = self._open_task(task_id)
        if assignee is not None and task.assignee not in (None, assignee):
            raise ConflictError(f"task {task_id} is already claimed by {task.assignee}")
        task.assignee = assignee
        task.claim_time = self._now() if assignee is not None else None
        return task

    def complete(
        self,
        task_id: str,
        outcome: str | None,
        variables: Iterable[Variable] = (),
        *,
        user: str | None = None,
    ) -> Completion:
        """Complete an open task with an outcome and move the instance on.

        The outcome may come as ``outcome`` or as a variable named like the
        model's outcome variable. Variables with scope ``local`` stay on the
        task; the rest become process variables.

        Raises:
            NotFoundError: unknown task.
            ConflictError: task already finished, or its instance is suspended.
            InvalidRequestError: no outcome, or one the model does not allow.
        """
        task = self._open_task(task_id)
        instance = task.instance
        model = instance.model.config
        if instance.suspended:
            raise ConflictError(
                f"cannot complete task {task_id}: process instance {instance.id} is suspended"
            )
        variables = list(variables)
        if outcome is None:
            outcome = next(
                (
                    str(v.value)
                    for v in variables
                    if v.name == model.outcome_variable and v.value is not None
                ),
                None,
            )
        if outcome is None:
            raise InvalidRequestError(
                f"completing task {task_id} needs an 'outcome' (one of {list(model.outcomes)})"
            )
        if outcome not in model.outcomes:
            raise InvalidRequestError(
                f"outcome '{outcome}' is not allowed for {model.key}",
                details={"allowedOutcomes": list(model.outcomes)},
            )
        now = self._now()
        for variable in variables:
            if variable.scope == "local":
                task.local_variables[variable.name] = variable
            else:
                instance.variables[variable.name] = Variable(
                    variable.name, variable.type, variable.value, PROCESS_SCOPE
                )
        instance.variables[model.outcome_variable] = Variable(
            model.outcome_variable, "string", outcome, PROCESS_SCOPE
        )
        task.outcome = outcome
        task.end_time = now
        if task.assignee is None:
            task.assignee = user
        if task.process is not None:
            # The call activity's child ends with its only task.
            task.process.end_time, task.process.completed = now, True
            task.process.end_activity_id = "end"
        is_last = task.step_index + 1 >= len(model.steps)
        if is_last or outcome not in model.advance_outcomes:
            instance.end_time = now
            instance.completed = True
            if self._config.strict.terminate_ends:
                # As OpenText's sample models end: a terminate end event, which the
                # engine records as the instance's delete reason.
                instance.end_activity_id = f"terminate_{outcome}"
                instance.delete_reason = f"terminate end event ({instance.end_activity_id})"
            else:
                instance.end_activity_id = f"end_{outcome}"
            instance.activity_id = instance.end_activity_id
        else:
            self._open_step(instance, task.step_index + 1, now)
        completion = Completion(
            task=task,
            instance=instance,
            outcome=outcome,
            completed_at=now,
            instance_ended=instance.ended,
        )
        for listener in self._listeners:
            listener(completion)
        return completion

    # -- internals ----------------------------------------------------------

    def _open_step(self, instance: ProcessInstance, index: int, now: datetime) -> Task:
        child = None
        if self._config.strict.child_process_tasks:
            child = ProcessInstance(
                id=str(uuid.uuid4()),
                seq=self._next_seq(),
                model=self._child_models[instance.model.key],
                business_key=None,
                name=None,
                start_time=now,
                start_user_id=instance.start_user_id,
                super_instance=instance,
            )
            self._instances[child.id] = child
        task = Task(
            id=str(uuid.uuid4()),
            seq=self._next_seq(),
            instance=instance,
            step_index=index,
            step=instance.model.config.steps[index],
            create_time=now,
            process=child,
        )
        self._tasks[task.id] = task
        instance.activity_id = task.step.key
        return task

    def _open_task(self, task_id: str) -> Task:
        task = self.task(task_id)
        if task.finished:
            if self._config.strict.replayed_completion_404:
                # The engine drops a finished task from the runtime: it is just gone.
                raise NotFoundError(f"could not find a task with id '{task_id}'")
            what = "completed" if task.outcome is not None else "cancelled"
            raise ConflictError(f"task {task_id} is already {what}")
        return task

    def _open_tasks_of(self, instance: ProcessInstance) -> list[Task]:
        return [t for t in self._tasks.values() if t.instance is instance and not t.finished]
