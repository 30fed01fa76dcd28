"""The local stack: a real Kafka broker and a real Apicurio Registry without Docker.

Fetched once from Maven Central with Maven, run as detached JVMs bound to
127.0.0.1, driven by ``casebridge stack up|down|status`` or from Python::

    from deploy.local.stack import LocalStack
    stack = LocalStack(StackSettings())

Modules: :mod:`~deploy.local.stack` (lifecycle), :mod:`~deploy.local.settings`
(``CASEBRIDGE_STACK__*``), :mod:`~deploy.local.artifacts` (Maven fetch and
cache), :mod:`~deploy.local.config` (paths, rendered configuration),
:mod:`~deploy.local.processes` (JVMs, pid files, ``/proc``, ports),
:mod:`~deploy.local.errors`, :mod:`~deploy.local.cli`. Beside it, the sandbox
(``casebridge up``): :mod:`~deploy.local.sandbox`, :mod:`~deploy.local.sandbox_cli`
and :mod:`~deploy.local.children` (its child processes).

Nothing is re-exported here: :mod:`streams.settings` imports
:mod:`deploy.local.settings`, and importing the settings must not load the
stack's Kafka and HTTP clients.
"""
