"""Errors of the local Kafka + Apicurio stack.

::

    CasebridgeError                      (connectors.errors)
    └── StackError                       anything the local stack cannot do
        ├── ArtifactFetchError           Maven missing, or the fetch from Maven Central failed
        ├── PortInUseError               a port the stack needs is taken by another process
        └── StartTimeoutError            a component did not become ready in time

Every message is one line (the CLI prints it as ``error: ...``) except where a
log or Maven output tail is appended on purpose, after the first line.
"""

from __future__ import annotations

from connectors.errors import CasebridgeError


class StackError(CasebridgeError):
    """The local stack could not be fetched, started, stopped or inspected."""


class ArtifactFetchError(StackError):
    """Maven is missing, or fetching an artifact from Maven Central failed."""


class PortInUseError(StackError):
    """A port the stack binds to is already taken by a process that is not ours."""

    def __init__(self, component: str, port: int) -> None:
        super().__init__(
            f"{component}: port {port} on 127.0.0.1 is already in use by another process; "
            f"stop it or choose another port (CASEBRIDGE_STACK__*_PORT)"
        )
        self.component = component
        self.port = port


class StartTimeoutError(StackError):
    """A component was started but did not become ready before the deadline."""
