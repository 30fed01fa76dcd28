"""An in-memory Confluent-compatible registry behind an httpx MockTransport.

It implements the subset of the REST API that :class:`RegistryClient` uses,
with Apicurio's observed behaviour (ids shared by identical content, no
compatibility reasons in verbose answers), and counts requests per route so
tests can prove the serde does not call the registry per message.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import httpx

from connectors.serde.compat import backward_incompatibilities
from connectors.serde.registry import RegistryClient

URL = "http://registry.test/apis/ccompat/v7"


class FakeRegistry:
    """State of the fake registry plus the request handler."""

    def __init__(self) -> None:
        self.contents: dict[int, str] = {}
        self.subjects: dict[str, list[int]] = {}
        self.levels: dict[str, str] = {}
        self.calls: Counter[str] = Counter()
        self.down = False

    def client(self) -> RegistryClient:
        """A real RegistryClient whose transport is this fake."""
        return RegistryClient(URL, transport=httpx.MockTransport(self.handle))

    def _id_for(self, text: str) -> int:
        for schema_id, content in self.contents.items():
            if content == text:
                return schema_id
        schema_id = len(self.contents) + 1
        self.contents[schema_id] = text
        return schema_id

    @staticmethod
    def _reply(status: int, body: Any) -> httpx.Response:
        return httpx.Response(status, json=body)

    def _not_found(self, subject: str) -> httpx.Response:
        return self._reply(404, {"error_code": 40401, "message": f"no subject {subject}"})

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("Connection refused", request=request)
        path = request.url.path.removeprefix("/apis/ccompat/v7/")
        body = json.loads(request.content) if request.content else {}
        method = request.method
        if m := re.fullmatch(r"subjects/([^/]+)/versions", path):
            self.calls["register"] += 1
            subject, text = m[1], body["schema"]
            versions = self.subjects.setdefault(subject, [])
            schema_id = self._id_for(text)
            if schema_id not in versions:
                if versions and self.levels.get(subject) == "BACKWARD":
                    latest = json.loads(self.contents[versions[-1]])
                    if backward_incompatibilities(json.loads(text), latest):
                        return self._reply(409, {"error_code": 409, "message": "incompatible"})
                versions.append(schema_id)
            return self._reply(200, {"id": schema_id})
        if m := re.fullmatch(r"subjects/([^/]+)", path):
            self.calls["lookup"] += 1
            subject = m[1]
            if subject not in self.subjects:
                return self._not_found(subject)
            for version, schema_id in enumerate(self.subjects[subject], start=1):
                if self.contents[schema_id] == body["schema"]:
                    return self._reply(
                        200,
                        {"subject": subject, "id": schema_id, "version": version,
                         "schema": body["schema"]},
                    )  # fmt: skip
            return self._reply(404, {"error_code": 40403, "message": "schema not found"})
        if m := re.fullmatch(r"subjects/([^/]+)/versions/latest", path):
            self.calls["latest"] += 1
            subject = m[1]
            if not self.subjects.get(subject):
                return self._not_found(subject)
            schema_id = self.subjects[subject][-1]
            return self._reply(
                200,
                {"subject": subject, "id": schema_id, "version": len(self.subjects[subject]),
                 "schema": self.contents[schema_id], "schemaType": "AVRO"},
            )  # fmt: skip
        if m := re.fullmatch(r"schemas/ids/(\d+)", path):
            self.calls["get_schema"] += 1
            schema_id = int(m[1])
            if schema_id not in self.contents:
                return self._reply(404, {"error_code": 40403, "message": "no such id"})
            return self._reply(200, {"schema": self.contents[schema_id]})
        if m := re.fullmatch(r"config/([^/]+)", path):
            self.calls["config"] += 1
            if method == "PUT":
                self.levels[m[1]] = body["compatibility"]
                return self._reply(200, {"compatibility": body["compatibility"]})
            return self._reply(200, {"compatibilityLevel": self.levels.get(m[1], "NONE")})
        if m := re.fullmatch(r"compatibility/subjects/([^/]+)/versions/latest", path):
            self.calls["compatibility"] += 1
            subject = m[1]
            if not self.subjects.get(subject):
                return self._not_found(subject)
            latest = json.loads(self.contents[self.subjects[subject][-1]])
            broken = self.levels.get(subject) == "BACKWARD" and bool(
                backward_incompatibilities(json.loads(body["schema"]), latest)
            )
            return self._reply(200, {"is_compatible": not broken})
        if path == "subjects":
            return self._reply(200, sorted(self.subjects))
        return self._reply(404, {"error_code": 404, "message": f"no route {method} {path}"})
