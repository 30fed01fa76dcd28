"""RegistryClient against the fake transport: caching and error mapping."""

from __future__ import annotations

import httpx
import pytest

from connectors.serde import (
    RegistryClient,
    RegistryError,
    RegistryUnavailableError,
    SchemaIncompatibleError,
    SchemaNotFoundError,
    SubjectNotFoundError,
)
from schemas import load_schema
from tests.unit.connectors.serde.fakes import FakeRegistry

SCHEMA = load_schema("CaseOpened")


def test_register_lookup_latest_and_caches() -> None:
    fake = FakeRegistry()
    client = fake.client()
    schema_id = client.register("s-value", SCHEMA)
    assert client.register("s-value", SCHEMA) == schema_id
    assert fake.calls["register"] == 1
    found = client.lookup("s-value", SCHEMA)
    assert found is not None and (found.schema_id, found.version) == (schema_id, 1)
    latest = client.latest("s-value")
    assert latest is not None and latest.version == 1
    assert client.latest("other-value") is None
    assert client.lookup("other-value", SCHEMA) is None
    assert client.get_schema(schema_id) == SCHEMA
    assert client.get_schema(schema_id) == SCHEMA
    assert fake.calls["get_schema"] == 1
    with pytest.raises(SchemaNotFoundError):
        client.get_schema(999)
    assert client.subjects() == ["s-value"]


def test_compatibility() -> None:
    fake = FakeRegistry()
    client = fake.client()
    client.register("s-value", SCHEMA)
    assert client.set_compatibility("s-value", "BACKWARD") == "BACKWARD"
    assert client.get_compatibility("s-value") == "BACKWARD"
    added = {**SCHEMA, "fields": [*SCHEMA["fields"], {"name": "x", "type": "string"}]}
    assert client.test_compatibility("s-value", added) == (False, [])
    with pytest.raises(SchemaIncompatibleError, match="s-value"):
        client.register("s-value", added)
    with pytest.raises(SubjectNotFoundError):
        client.test_compatibility("nope-value", SCHEMA)


def test_verbose_messages_are_returned_when_the_registry_gives_them() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["verbose"] == "true"
        return httpx.Response(200, json={"is_compatible": False, "messages": ["bad", {"a": 1}]})

    client = RegistryClient("http://r", transport=httpx.MockTransport(handler))
    assert client.test_compatibility("s", "{}") == (False, ["bad", '{"a": 1}'])


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (500, {"error_code": 50001, "message": "boom"}, RegistryError),
        (422, {"error_code": 42201, "message": "Invalid schema"}, RegistryError),
        (503, "unavailable", RegistryUnavailableError),
        (401, "<html>no</html>", RegistryError),
    ],
)
def test_error_mapping(status: int, body: object, error: type[Exception]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body)

    client = RegistryClient("http://r/apis/ccompat/v7", transport=httpx.MockTransport(handler))
    with pytest.raises(error) as info:
        client.register("s", SCHEMA)
    assert "\n" not in str(info.value)


def test_unreachable_registry_is_one_line_naming_the_url() -> None:
    client = RegistryClient("http://127.0.0.1:1/apis/ccompat/v7", timeout=2)
    with pytest.raises(RegistryUnavailableError) as info:
        client.subjects()
    message = str(info.value)
    assert message.startswith("schema registry unavailable at http://127.0.0.1:1/apis/ccompat/v7")
    assert "\n" not in message


def test_subject_names_are_escaped() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(200, json={"id": 1})

    client = RegistryClient("http://r/api", transport=httpx.MockTransport(handler))
    client.register("a/b c", "{}")
    assert seen == ["/api/subjects/a%2Fb%20c/versions"]


def test_basic_auth_from_settings() -> None:
    from streams.settings import RegistrySettings

    headers: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        headers.append(request.headers.get("authorization", ""))
        return httpx.Response(200, json=[])

    settings = RegistrySettings(url="http://r", username="u", password="p")  # type: ignore[arg-type]
    client = RegistryClient.from_settings(settings)
    client._http._transport = httpx.MockTransport(handler)
    client.subjects()
    assert headers == ["Basic dTpw"]
