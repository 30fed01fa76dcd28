"""The Avro schemas of every casebridge topic value, and their loader.

One ``<RecordName>.avsc`` file per record, all in the namespace
``io.casebridge.records``. Each file is self-contained: a named type shared by
several records (``CaseType``, ``CaseVariable``, ``Action``...) is repeated
identically in each file that uses it, because Confluent schema *references*
are poorly supported by Apicurio's ccompat API and a self-contained schema
registers, evolves and resolves without them. A unit test keeps the copies
identical.

>>> load_schema("CaseRequest")["name"]
'CaseRequest'
>>> TOPIC_RECORDS["cases.requests"]
'CaseRequest'
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import fastavro

__all__ = [
    "CASES_DECISIONS",
    "CASES_OPENED",
    "CASES_REQUESTS",
    "CASES_STATE",
    "DLQ_SOURCES",
    "NAMESPACE",
    "ORDERS_OFFLINE",
    "SCHEMAS_DIR",
    "SHOPIFY_WEBHOOKS",
    "SHOPIFY_WRITEBACKS",
    "SUPPORT_COMPLAINTS",
    "TOPIC_RECORDS",
    "SchemaError",
    "SchemaFileError",
    "UnknownTopicError",
    "load_schema",
    "load_schema_file",
    "parsed_schema",
    "record_for_topic",
    "schema_path",
]

#: The one Avro namespace of every casebridge record and named type.
NAMESPACE = "io.casebridge.records"

#: The folder holding the packaged ``.avsc`` files.
SCHEMAS_DIR = Path(__file__).resolve().parent

# The topics of the public interface, defined here once (``streams.topics`` imports them).
SHOPIFY_WEBHOOKS = "shopify.webhooks"
SUPPORT_COMPLAINTS = "support.complaints"
CASES_REQUESTS = "cases.requests"
CASES_OPENED = "cases.opened"
CASES_DECISIONS = "cases.decisions"
ORDERS_OFFLINE = "orders.offline"
SHOPIFY_WRITEBACKS = "shopify.writebacks"
CASES_STATE = "cases.state"

#: Input topics whose records can fail and so have a DLQ.
DLQ_SOURCES = (
    SHOPIFY_WEBHOOKS,
    SUPPORT_COMPLAINTS,
    CASES_REQUESTS,
    CASES_DECISIONS,
    ORDERS_OFFLINE,
    CASES_STATE,
)

#: Topic name -> name of the record that is the topic's value (subject ``<topic>-value``).
TOPIC_RECORDS: dict[str, str] = {
    SHOPIFY_WEBHOOKS: "ShopifyEvent",
    SUPPORT_COMPLAINTS: "ComplaintSubmitted",
    CASES_REQUESTS: "CaseRequest",
    CASES_OPENED: "CaseOpened",
    CASES_DECISIONS: "CaseDecision",
    ORDERS_OFFLINE: "OfflineOrder",
    SHOPIFY_WRITEBACKS: "WritebackResult",
    CASES_STATE: "CaseState",
}


class SchemaError(Exception):
    """Base class of this package's errors: a schema file or a topic name is wrong.

    Its own root, not :class:`connectors.errors.CasebridgeError`: ``schemas`` is
    data the rest of the project reads and imports nothing of it. The CLI
    (``streams.cli``) prints it as one line, like a ``CasebridgeError``.
    """


class UnknownTopicError(SchemaError, LookupError):
    """A topic without a record schema (a name not in :data:`TOPIC_RECORDS`)."""


class SchemaFileError(SchemaError):
    """An ``.avsc`` file is missing, is not JSON, or is not a valid Avro schema.

    The message always starts with the file's path so the culprit is obvious.
    """

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


def schema_path(name: str, directory: Path | str | None = None) -> Path:
    """The path of record ``name``'s schema file in ``directory`` (default: the package)."""
    return Path(directory or SCHEMAS_DIR) / f"{name}.avsc"


def record_for_topic(topic: str) -> str:
    """The record name of ``topic``'s value, raising :class:`UnknownTopicError` if unknown."""
    try:
        return TOPIC_RECORDS[topic]
    except KeyError:
        known = ", ".join(sorted(TOPIC_RECORDS))
        raise UnknownTopicError(f"no schema for topic {topic!r} (known: {known})") from None


def load_schema(name: str, directory: Path | str | None = None) -> dict[str, Any]:
    """Load, validate and return record ``name``'s schema as a JSON dict.

    The result is a fresh copy the caller may change. Files are read once per
    modification (cached by path and mtime), so a schema edited on disk, as
    the evolution tests do, is seen on the next call.

    Raises:
        SchemaFileError: the file is missing, not JSON, or not valid Avro.
    """
    return copy.deepcopy(_load_cached(*_cache_key(schema_path(name, directory)))[0])


def parsed_schema(name: str, directory: Path | str | None = None) -> dict[str, Any]:
    """Record ``name``'s schema as parsed by :func:`fastavro.parse_schema` (cached; do not mutate).

    Encoders and decoders use this form so the per-message path never re-parses.
    """
    return _load_cached(*_cache_key(schema_path(name, directory)))[1]


def load_schema_file(path: Path | str) -> dict[str, Any]:
    """Load and validate one ``.avsc`` file by path (see :func:`load_schema`)."""
    return copy.deepcopy(_load_cached(*_cache_key(Path(path)))[0])


def _cache_key(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except OSError as exc:
        raise SchemaFileError(path, f"cannot read schema file ({exc.strerror})") from None
    return str(path), stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=256)
def _load_cached(path: str, _mtime_ns: int, _size: int) -> tuple[dict[str, Any], dict[str, Any]]:
    # mtime and size are part of the key only to invalidate the cache on edits.
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaFileError(file, f"cannot read schema file ({exc})") from None
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaFileError(
            file, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(schema, dict) or schema.get("type") != "record":
        raise SchemaFileError(file, "top level must be an Avro record (a JSON object)")
    try:
        # A fresh named-types dict per file: each file is self-contained, and
        # the shared types repeated across files must not collide.
        parsed = fastavro.parse_schema(copy.deepcopy(schema), named_schemas={})
    except Exception as exc:  # fastavro raises several types (SchemaParseException, ValueError...)
        raise SchemaFileError(file, f"invalid Avro schema: {exc}") from None
    expected = file.stem
    if schema.get("name") != expected:
        raise SchemaFileError(
            file, f"record name {schema.get('name')!r} does not match the file name {expected!r}"
        )
    assert isinstance(parsed, dict)  # a record schema parses to a dict
    return schema, parsed
