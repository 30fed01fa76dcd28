"""Errors of the Avro serde and the schema-registry client.

::

    CasebridgeError
    └── SerdeError                     anything about schemas, the registry or the wire format
        ├── RegistryUnavailableError   the registry cannot be reached (retryable)
        ├── RegistryError              the registry answered with an unexpected error
        │   ├── SubjectNotFoundError   the subject has no registered version
        │   └── SchemaNotFoundError    no schema has the requested id
        ├── SchemaIncompatibleError    a schema breaks the subject's compatibility rule
        ├── SerializationError         a record does not fit its schema (a bug upstream)
        └── DeserializationError       bytes are not a decodable record (goes to a DLQ)

:class:`schemas.SchemaFileError` (a bad ``.avsc`` file) and
:class:`schemas.UnknownTopicError` are :class:`schemas.SchemaError`, not serde
errors: ``schemas`` imports nothing of the project, so its errors have their own
root (the CLI prints both kinds as one line).
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.errors import CasebridgeError

__all__ = [
    "DeserializationError",
    "RegistryError",
    "RegistryUnavailableError",
    "SchemaIncompatibleError",
    "SchemaNotFoundError",
    "SerdeError",
    "SerializationError",
    "SubjectNotFoundError",
]


class SerdeError(CasebridgeError):
    """Base class of the serde's errors."""


class RegistryUnavailableError(SerdeError):
    """The schema registry at ``url`` cannot be reached (connection refused, timeout, 5xx)."""

    def __init__(self, url: str, detail: str) -> None:
        self.url = url
        self.detail = detail
        super().__init__(f"schema registry unavailable at {url}: {detail}")


class RegistryError(SerdeError):
    """The registry answered a request with an error we do not handle specially."""

    def __init__(self, status_code: int, error_code: int | None, message: str) -> None:
        self.status_code = status_code
        self.error_code = error_code
        self.message = message
        code = f" (error code {error_code})" if error_code is not None else ""
        super().__init__(f"schema registry error HTTP {status_code}{code}: {message}")


class SubjectNotFoundError(RegistryError):
    """The subject has no registered version yet."""


class SchemaNotFoundError(RegistryError):
    """No schema is registered under the requested id."""


class SchemaIncompatibleError(SerdeError):
    """A schema would break the compatibility rule of ``subject``."""

    def __init__(self, subject: str, messages: Sequence[str]) -> None:
        self.subject = subject
        self.messages = list(messages)
        detail = "; ".join(self.messages) or "incompatible with the latest registered version"
        super().__init__(f"{subject}: {detail}")


class SerializationError(SerdeError):
    """A record does not match the schema it is encoded with."""


class DeserializationError(SerdeError):
    """Bytes could not be decoded into a record.

    ``reason`` is a short stable code for the DLQ's error header:

    * ``empty`` - no bytes (a tombstone where a value was expected);
    * ``too-short`` - fewer than the 5 header bytes;
    * ``bad-magic-byte`` - not the Confluent wire format;
    * ``unknown-schema-id`` - the registry does not know the writer schema id;
    * ``bad-writer-schema`` - the registry's schema cannot be parsed or resolved to ours;
    * ``corrupt-body`` - the Avro body is truncated or does not match the writer schema.
    """

    def __init__(self, reason: str, message: str, *, schema_id: int | None = None) -> None:
        self.reason = reason
        self.schema_id = schema_id
        super().__init__(message)
