"""A thin, typed client of the Confluent schema-registry REST API.

Written over httpx rather than wrapping confluent-kafka's
``SchemaRegistryClient`` because that client drops the compatibility
messages (``test_compatibility`` returns only a bool) and surfaces connection
failures as bare ``httpx`` exceptions; here every failure is one of our
:mod:`~connectors.serde.errors`. It speaks the subset both Confluent Schema
Registry and Apicurio Registry's ccompat API (``/apis/ccompat/v7``) implement.

The test seam is httpx's transport: pass ``transport=httpx.MockTransport(...)``.
Anything with ``register`` and ``get_schema`` (:class:`SchemaRegistry`) can
stand in for the client where the serde only needs those two.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, Protocol, Self
from urllib.parse import quote

import httpx

from connectors.serde.errors import (
    RegistryError,
    RegistryUnavailableError,
    SchemaIncompatibleError,
    SchemaNotFoundError,
    SubjectNotFoundError,
)

__all__ = [
    "CompatibilityLevel",
    "RegisteredSchema",
    "RegistryClient",
    "SchemaRegistry",
    "schema_text",
]

CompatibilityLevel = Literal[
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
]

_CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
# Confluent error codes (Apicurio's ccompat API uses the same ones).
_SUBJECT_NOT_FOUND = 40401
_VERSION_NOT_FOUND = 40402
_SCHEMA_NOT_FOUND = 40403


class SchemaRegistry(Protocol):
    """What :class:`~connectors.serde.AvroSerde` needs from a registry."""

    def register(self, subject: str, schema: Mapping[str, Any] | str) -> int:
        """Register ``schema`` under ``subject`` (idempotent) and return its id."""
        ...

    def get_schema(self, schema_id: int) -> dict[str, Any]:
        """The Avro schema registered under ``schema_id``, as a JSON dict."""
        ...


@dataclass(frozen=True, slots=True)
class RegisteredSchema:
    """One version of a subject."""

    subject: str
    schema_id: int
    version: int
    schema: str


def schema_text(schema: Mapping[str, Any] | str) -> str:
    """The text sent to the registry: compact JSON, in the file's key order.

    The same schema always gives the same text, so registering it again is a
    no-op in the registry and a hit in our cache.
    """
    if isinstance(schema, str):
        return schema
    return json.dumps(schema, separators=(",", ":"), ensure_ascii=False)


class RegistryClient:
    """Client of one Confluent-compatible registry; ids and schemas are cached.

    Args:
        url: base URL, e.g. ``http://127.0.0.1:18081/apis/ccompat/v7``.
        username: basic-auth user, if the registry needs one.
        password: basic-auth password.
        timeout: seconds for connect and read.
        transport: an httpx transport to use instead of the network (tests).
    """

    def __init__(
        self,
        url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        auth = httpx.BasicAuth(username, password or "") if username else None
        self._http = httpx.Client(
            base_url=self.url + "/",
            auth=auth,
            timeout=timeout,
            transport=transport,
            headers={"Accept": f"{_CONTENT_TYPE}, application/json"},
        )
        self._ids: dict[tuple[str, str], int] = {}
        self._schemas: dict[int, dict[str, Any]] = {}
        # The caches are filled from any thread a producer callback runs on.
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Any) -> RegistryClient:
        """Build a client from :class:`streams.settings.RegistrySettings`."""
        password = settings.password.get_secret_value() if settings.password else None
        return cls(settings.url, username=settings.username, password=password)

    # --- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- schemas -----------------------------------------------------------------------------

    def register(self, subject: str, schema: Mapping[str, Any] | str) -> int:
        """Register ``schema`` under ``subject`` and return its id (cached per subject+text).

        Registering a schema the subject already has returns the existing id.

        Raises:
            SchemaIncompatibleError: the subject's compatibility rule refuses it.
            RegistryUnavailableError: the registry cannot be reached.
            RegistryError: any other refusal (e.g. an invalid schema).
        """
        text = schema_text(schema)
        key = (subject, text)
        cached = self._ids.get(key)
        if cached is not None:
            return cached
        try:
            body = self._request(
                "POST", f"subjects/{_seg(subject)}/versions", json_body={"schema": text}
            )
        except RegistryError as exc:
            if exc.status_code == 409:
                # Apicurio prefixes its reason with the Java exception's class name.
                reason = re.sub(r"^[\w.$]+Exception: ", "", exc.message)
                raise SchemaIncompatibleError(subject, [reason]) from None
            raise
        schema_id = int(body["id"])
        with self._lock:
            self._ids[key] = schema_id
        return schema_id

    def lookup(self, subject: str, schema: Mapping[str, Any] | str) -> RegisteredSchema | None:
        """The version of ``subject`` whose schema is ``schema``, or ``None`` if not registered."""
        try:
            body = self._request(
                "POST", f"subjects/{_seg(subject)}", json_body={"schema": schema_text(schema)}
            )
        except (SubjectNotFoundError, SchemaNotFoundError):
            return None
        return _registered(body, subject)

    def get_schema(self, schema_id: int) -> dict[str, Any]:
        """The schema registered under ``schema_id`` as a JSON dict (cached: ids never change).

        Raises:
            SchemaNotFoundError: no schema has that id.
        """
        cached = self._schemas.get(schema_id)
        if cached is not None:
            return cached
        body = self._request("GET", f"schemas/ids/{int(schema_id)}")
        schema_type = body.get("schemaType", "AVRO")
        if schema_type != "AVRO":
            raise RegistryError(200, None, f"schema id {schema_id} is {schema_type}, not AVRO")
        schema: dict[str, Any] = json.loads(body["schema"])
        with self._lock:
            self._schemas[schema_id] = schema
        return schema

    def latest(self, subject: str) -> RegisteredSchema | None:
        """The latest version of ``subject``, or ``None`` if the subject does not exist."""
        try:
            body = self._request("GET", f"subjects/{_seg(subject)}/versions/latest")
        except SubjectNotFoundError:
            return None
        return _registered(body, subject)

    def subjects(self) -> list[str]:
        """Every subject in the registry."""
        body = self._request("GET", "subjects")
        return [str(subject) for subject in body]

    # --- compatibility -----------------------------------------------------------------------

    def set_compatibility(self, subject: str, level: CompatibilityLevel) -> str:
        """Set ``subject``'s compatibility level; returns the level now in force."""
        body = self._request("PUT", f"config/{_seg(subject)}", json_body={"compatibility": level})
        return str(body.get("compatibility", level))

    def get_compatibility(self, subject: str) -> str | None:
        """``subject``'s own compatibility level, or ``None`` when it uses the global default."""
        try:
            body = self._request("GET", f"config/{_seg(subject)}")
        except RegistryError as exc:
            if exc.status_code == 404:
                return None
            raise
        level = body.get("compatibilityLevel") or body.get("compatibility")
        return str(level) if level else None

    def test_compatibility(
        self, subject: str, schema: Mapping[str, Any] | str
    ) -> tuple[bool, list[str]]:
        """Whether ``schema`` may be registered as ``subject``'s next version, and why not.

        Asks with ``verbose=true`` so a registry that explains incompatibilities
        (Confluent's) does; Apicurio 3.0's ccompat API answers only
        ``{"is_compatible": false}``, so the messages may be empty even when it
        is not compatible (see :mod:`connectors.serde.compat` for a local reason).

        Raises:
            SubjectNotFoundError: the subject has no version to compare with.
        """
        body = self._request(
            "POST",
            f"compatibility/subjects/{_seg(subject)}/versions/latest",
            json_body={"schema": schema_text(schema)},
            params={"verbose": "true"},
        )
        compatible = bool(body.get("is_compatible"))
        raw = body.get("messages") or []
        messages = [m if isinstance(m, str) else json.dumps(m) for m in raw]
        return compatible, messages

    # --- transport ---------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Any:
        content = json.dumps(json_body).encode() if json_body is not None else None
        headers = {"Content-Type": _CONTENT_TYPE} if content is not None else None
        try:
            response = self._http.request(
                method, path, content=content, headers=headers, params=params
            )
        except httpx.TransportError as exc:
            raise RegistryUnavailableError(self.url, _one_line(exc)) from None
        if response.status_code in (502, 503, 504):
            raise RegistryUnavailableError(self.url, f"HTTP {response.status_code}")
        if response.is_success:
            if not response.content:
                return {}
            try:
                return response.json()
            except ValueError:
                raise RegistryError(
                    response.status_code, None, f"{method} {path}: response is not JSON"
                ) from None
        raise _error(response)


def _seg(value: str) -> str:
    """A URL path segment: subjects may contain ``/`` or ``:``."""
    return quote(value, safe="")


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text


def _registered(body: Mapping[str, Any], subject: str) -> RegisteredSchema:
    return RegisteredSchema(
        subject=str(body.get("subject", subject)),
        schema_id=int(body["id"]),
        version=int(body["version"]),
        schema=str(body.get("schema", "")),
    )


def _error(response: httpx.Response) -> RegistryError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    error_code = body.get("error_code")
    message = str(body.get("message") or response.text[:200] or response.reason_phrase)
    code = int(error_code) if isinstance(error_code, int) else None
    if code == _SUBJECT_NOT_FOUND or (code == _VERSION_NOT_FOUND and response.status_code == 404):
        return SubjectNotFoundError(response.status_code, code, message)
    if code == _SCHEMA_NOT_FOUND:
        return SchemaNotFoundError(response.status_code, code, message)
    return RegistryError(response.status_code, code, message)
