"""A stateful emulator of OpenText Workflow Service, for tests and local runs.

It follows the same contract as the real service (``/tenants/{t}/oauth2/token``,
``/workflow/v1``, ``/workflow-history/v1``), so casebridge's client runs
against either by changing only URL and credentials. Admin routes under
``/_emulator`` inject faults, show state, reset and move the clock.

Typical use::

    from emulators.opentext import EmulatorConfig, create_app, run

    run("127.0.0.1", 8089, EmulatorConfig())
"""

from emulators.opentext.app import (
    RunningEmulator,
    create_app,
    emulator_of_app,
    run,
    serve,
)
from emulators.opentext.callbacks import sign, verify_signature
from emulators.opentext.clock import AdjustableClock, Clock, FrozenClock, SystemClock
from emulators.opentext.config import (
    CallbackConfig,
    DecisionRule,
    DecisionsConfig,
    EmulatorConfig,
    ModelConfig,
    ModelDecisionPolicy,
    StepConfig,
    build_config,
    default_models,
    load_config,
)
from emulators.opentext.errors import EmulatorConfigError, EmulatorError
from emulators.opentext.state import Engine

__all__ = [
    "AdjustableClock",
    "CallbackConfig",
    "Clock",
    "DecisionRule",
    "DecisionsConfig",
    "EmulatorConfig",
    "EmulatorConfigError",
    "EmulatorError",
    "Engine",
    "FrozenClock",
    "ModelConfig",
    "ModelDecisionPolicy",
    "RunningEmulator",
    "StepConfig",
    "SystemClock",
    "build_config",
    "create_app",
    "default_models",
    "emulator_of_app",
    "load_config",
    "run",
    "serve",
    "sign",
    "verify_signature",
]
