"""The application as the deployment checks see it, built in-process for the tests.

``python -m deploy.check`` asks a ``python -m streams.deploy_facts`` process;
the tests use the same facts without the process (tests may import both).
"""

from __future__ import annotations

from deploy.check.application import Application
from streams.deploy_facts import describe, load_error

APP = Application.from_facts(describe(), load_error)
