"""``casebridge produce complaint``: option checking and the record key (no broker)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from schemas.records import ComplaintSubmitted
from streams.produce_cli import complaint_key, produce

REQUIRED = ["complaint", "--subject", "Late", "--message", "Where is my parcel?"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--customer-id", "7", "--severity", "urgent"], "Invalid value for '--severity'"),
        (["--customer-id", "7", "--channel", "pigeon"], "Invalid value for '--channel'"),
        (["--customer-id", "7", "--issue-type", "nope"], "Invalid value for '--issue-type'"),
        ([], "give --customer-id or --email"),
        (["--email", "not-an-address"], "is not an e-mail address"),
    ],
)
def test_bad_options_are_clear_click_errors(extra: list[str], message: str) -> None:
    result = CliRunner().invoke(produce, [*REQUIRED, *extra])

    assert result.exit_code == 2
    assert message in result.output


def test_help_documents_the_external_producer_contract() -> None:
    result = CliRunner().invoke(produce, ["complaint", "--help"])

    assert result.exit_code == 0
    assert "support.complaints-value" in result.output
    assert "schemas/ComplaintSubmitted.avsc" in result.output


def test_key_is_shop_and_customer_else_email() -> None:
    base = ComplaintSubmitted(
        complaint_id="c1",
        shop="s.myshopify.com",
        subject="x",
        message="y",
        submitted_at=datetime(2026, 11, 26, tzinfo=UTC),
    )

    by_id = base.model_copy(update={"customer_id": "7", "customer_email": "A@x.io"})
    by_email = base.model_copy(update={"customer_email": " A@x.io "})

    assert complaint_key(by_id) == "s.myshopify.com/7"
    assert complaint_key(by_email) == "s.myshopify.com/a@x.io"
