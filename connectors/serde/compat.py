"""Explain why a new schema cannot read data written with an old one.

The registry is the judge of compatibility, but Apicurio's ccompat API answers
``{"is_compatible": false}`` with no reason even with ``verbose=true``. So
``casebridge schemas check`` explains a refusal itself with this small
implementation of the Avro schema-resolution rules (BACKWARD direction: the
new schema is the reader, the registered one the writer), giving messages
such as ``/fields/risk: field added without a default``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["backward_incompatibilities"]

_PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
# writer type -> reader types that can read it (the Avro spec's promotions).
_PROMOTIONS: dict[str, set[str]] = {
    "int": {"long", "float", "double"},
    "long": {"float", "double"},
    "float": {"double"},
    "string": {"bytes"},
    "bytes": {"string"},
}


def backward_incompatibilities(reader: Any, writer: Any) -> list[str]:
    """Why ``reader`` (the new schema) cannot read data written with ``writer``; [] if it can."""
    checker = _Checker(_names(reader), _names(writer))
    checker.check(reader, writer, "")
    return checker.problems


def _full_name(schema: Mapping[str, Any], namespace: str | None) -> tuple[str, str | None]:
    name = str(schema["name"])
    if "." in name:
        return name, name.rsplit(".", 1)[0]
    space = schema.get("namespace", namespace)
    return (f"{space}.{name}" if space else name), space


def _names(
    schema: Any, namespace: str | None = None, table: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Every named type defined in ``schema`` by full name (and short name, as a fallback)."""
    table = {} if table is None else table
    if isinstance(schema, list):
        for branch in schema:
            _names(branch, namespace, table)
    elif isinstance(schema, dict):
        kind = schema.get("type")
        if kind in ("record", "error", "enum", "fixed"):
            full, space = _full_name(schema, namespace)
            table[full] = schema
            table.setdefault(full.rsplit(".", 1)[-1], schema)
            for field in schema.get("fields", []):
                _names(field["type"], space, table)
        elif kind == "array":
            _names(schema["items"], namespace, table)
        elif kind == "map":
            _names(schema["values"], namespace, table)
        elif isinstance(kind, (dict, list)):
            _names(kind, namespace, table)
    return table


class _Checker:
    def __init__(self, reader_names: dict[str, Any], writer_names: dict[str, Any]) -> None:
        self.reader_names = reader_names
        self.writer_names = writer_names
        self.problems: list[str] = []
        self._seen: set[tuple[str, str]] = set()

    def _resolve(self, schema: Any, names: dict[str, Any]) -> Any:
        # A named reference or a wrapped primitive ({"type": "string", ...}) -> its definition.
        if isinstance(schema, str) and schema not in _PRIMITIVES:
            return names.get(schema, schema)
        if isinstance(schema, dict) and isinstance(schema.get("type"), (dict, list)):
            return self._resolve(schema["type"], names)
        if isinstance(schema, dict) and isinstance(schema.get("type"), str):
            if schema["type"] in _PRIMITIVES:
                return schema["type"]
            if schema["type"] not in ("record", "error", "enum", "fixed", "array", "map"):
                return names.get(schema["type"], schema["type"])
        return schema

    def _kind(self, schema: Any) -> str:
        if isinstance(schema, list):
            return "union"
        if isinstance(schema, dict):
            return str(schema["type"])
        return str(schema)

    def readable(self, reader: Any, writer: Any) -> bool:
        """Whether ``reader`` reads ``writer`` without recording problems."""
        probe = _Checker(self.reader_names, self.writer_names)
        probe._seen = set(self._seen)
        probe.check(reader, writer, "")
        return not probe.problems

    def check(self, reader: Any, writer: Any, path: str) -> None:
        reader = self._resolve(reader, self.reader_names)
        writer = self._resolve(writer, self.writer_names)
        r_kind, w_kind = self._kind(reader), self._kind(writer)
        where = path or "/"
        if w_kind == "union":
            for branch in writer:
                if r_kind == "union":
                    if not any(self.readable(option, branch) for option in reader):
                        self.problems.append(
                            f"{where}: no branch of the new union reads {_show(branch)}"
                        )
                else:
                    self.check(reader, branch, path)
            return
        if r_kind == "union":
            if not any(self.readable(option, writer) for option in reader):
                self.problems.append(f"{where}: new union has no branch for {_show(writer)}")
            return
        if r_kind != w_kind:
            if w_kind in _PROMOTIONS and r_kind in _PROMOTIONS[w_kind]:
                return
            self.problems.append(f"{where}: type changed from {w_kind} to {r_kind}")
            return
        if r_kind in ("record", "error", "enum", "fixed"):
            r_name, w_name = (
                str(reader["name"]).rsplit(".", 1)[-1],
                str(writer["name"]).rsplit(".", 1)[-1],
            )
            if r_name != w_name and w_name not in reader.get("aliases", []):
                self.problems.append(f"{where}: named type {w_name} became {r_name}")
                return
            key = (r_name, path)
            if key in self._seen:  # recursive types
                return
            self._seen.add(key)
        if r_kind == "record":
            self._record(reader, writer, path)
        elif r_kind == "enum":
            missing = [s for s in writer["symbols"] if s not in reader["symbols"]]
            if missing and "default" not in reader:
                lost = ", ".join(missing)
                self.problems.append(
                    f"{where}: enum {reader['name']} lost {lost} and has no default"
                )
        elif r_kind == "fixed":
            if reader.get("size") != writer.get("size"):
                self.problems.append(
                    f"{where}: fixed size changed from {writer['size']} to {reader['size']}"
                )
        elif r_kind == "array":
            self.check(reader["items"], writer["items"], f"{path}/items")
        elif r_kind == "map":
            self.check(reader["values"], writer["values"], f"{path}/values")

    def _record(self, reader: Mapping[str, Any], writer: Mapping[str, Any], path: str) -> None:
        written = {field["name"]: field for field in writer["fields"]}
        for field in reader["fields"]:
            names = [field["name"], *field.get("aliases", [])]
            source = next((written[name] for name in names if name in written), None)
            field_path = f"{path}/fields/{field['name']}"
            if source is None:
                if "default" not in field:
                    self.problems.append(f"{field_path}: field added without a default")
                continue
            self.check(field["type"], source["type"], field_path)


def _show(schema: Any) -> str:
    if isinstance(schema, dict):
        return str(schema.get("name") or schema.get("type"))
    return str(schema)
