"""The local stack: a real Kafka broker and a real Apicurio Registry without Docker.

Fetched once from Maven Central with Maven, run as detached JVMs bound to
127.0.0.1, driven by ``casebridge stack up|down|status`` or from Python::

    from deploy.local import LocalStack
    stack = LocalStack(load_settings().stack)

Modules: :mod:`~deploy.local.stack` (lifecycle), :mod:`~deploy.local.artifacts`
(Maven fetch and cache), :mod:`~deploy.local.config` (paths, rendered
configuration), :mod:`~deploy.local.processes` (JVMs, pid files, ``/proc``,
ports), :mod:`~deploy.local.errors`, :mod:`~deploy.local.cli`.
"""

from deploy.local.errors import ArtifactFetchError, PortInUseError, StackError, StartTimeoutError
from deploy.local.stack import ComponentStatus, LocalStack, StackStatus, ensure_running

__all__ = [
    "ArtifactFetchError",
    "ComponentStatus",
    "LocalStack",
    "PortInUseError",
    "StackError",
    "StackStatus",
    "StartTimeoutError",
    "ensure_running",
]
