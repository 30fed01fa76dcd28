"""Error bodies, the error hierarchy, variable typing and config validation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import SecretStr, ValidationError

from connectors.errors import CasebridgeError
from connectors.opentext import (
    OpenTextAuthError,
    OpenTextConfig,
    OpenTextError,
    OpenTextNotFoundError,
    OpenTextRequestError,
    OpenTextUnavailableError,
    Variable,
    error_message,
    is_retryable_status,
)
from connectors.opentext.models import format_datetime
from tests.unit.connectors.opentext.fake_service import SECRET


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"exception": "FlowableObjectNotFoundException"}, "FlowableObjectNotFoundException"),
        (
            {"message": "Bad request", "details": "processDefinitionKey is required"},
            "Bad request: processDefinitionKey is required",
        ),
        ({"fault": {"faultstring": "Rate limit quota violation"}}, "Rate limit quota violation"),
        (
            '{"fault": {"faultstring": "Invalid token", "detail": {"errorcode": "oauth.v2.x"}}}',
            "Invalid token: oauth.v2.x",
        ),
        (
            b'{"error": "invalid_client", "error_description": "bad secret"}',
            "bad secret: invalid_client",
        ),
        ("<html>502 Bad Gateway</html>", "<html>502 Bad Gateway</html>"),
        ("", "(empty body)"),
        (None, "(empty body)"),
        ({"unexpected": 1}, '{"unexpected":1}'),
        ("[1, 2]", "[1, 2]"),
    ],
)
def test_error_message_reads_every_shape(body: object, expected: str) -> None:
    assert error_message(body) == expected


def test_error_message_is_bounded() -> None:
    assert len(error_message("x" * 5000)) == 500
    assert len(error_message({"message": "y" * 5000})) == 500


def test_hierarchy() -> None:
    for cls in (OpenTextAuthError, OpenTextRequestError, OpenTextUnavailableError):
        assert issubclass(cls, OpenTextError)
    assert issubclass(OpenTextNotFoundError, OpenTextRequestError)
    assert issubclass(OpenTextError, CasebridgeError)


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (429, True),
        (500, True),
        (503, True),
        (408, True),
        (400, False),
        (401, False),
        (404, False),
        (409, False),
        (422, False),
    ],
)
def test_retryable_statuses(status: int, retry: bool) -> None:
    assert is_retryable_status(status) is retry


def test_variable_types_inferred() -> None:
    cases = {
        "s": ("text", "string"),
        "b": (False, "boolean"),
        "i": (7, "integer"),
        "l": (2**35, "long"),
        "d": (0.5, "double"),
        "j": ({"k": [1]}, "json"),
    }
    for name, (value, vtype) in cases.items():
        assert Variable.of(name, value).type == vtype
    when = Variable.of("t", datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))))
    assert (when.type, when.value) == ("date", "2026-01-02T01:04:05.000Z")
    assert Variable.of("n", None).to_wire() == {"name": "n", "type": "string", "value": None}
    with pytest.raises(ValueError):
        Variable.of("nan", float("nan"))


def test_format_datetime() -> None:
    assert format_datetime(date(2026, 3, 1)) == "2026-03-01T00:00:00.000Z"
    assert format_datetime(datetime(2026, 3, 1, 12)) == "2026-03-01T12:00:00.000Z"
    assert format_datetime(datetime(2026, 3, 1, 12, tzinfo=UTC)) == "2026-03-01T12:00:00.000Z"


def test_config_validation() -> None:
    with pytest.raises(ValidationError, match="absolute http"):
        OpenTextConfig(
            base_url="na-1.api.opentext.com",
            tenant_id="t",
            client_id="c",
            client_secret=SecretStr("s"),
        )
    with pytest.raises(ValidationError):
        OpenTextConfig(
            base_url="https://x",
            tenant_id="t",
            client_id="c",
            client_secret=SecretStr("s"),
            token_body_format="xml",  # type: ignore[arg-type]
        )
    config = OpenTextConfig(
        base_url="https://na-1-dev.api.opentext.com/",
        tenant_id="t1",
        client_id="c",
        client_secret=SecretStr(SECRET),
    )
    assert config.token_url == "https://na-1-dev.api.opentext.com/tenants/t1/oauth2/token"
    assert config.history_url("/x") == "https://na-1-dev.api.opentext.com/workflow-history/v1/x"
    assert SECRET not in repr(config)
