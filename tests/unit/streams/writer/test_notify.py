"""NOTIFY_CUSTOMER: one e-mail per action, never twice, failures visible."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from connectors.mail import MailRejectedError, MailUnavailableError
from connectors.shopify.errors import ShopifyUnavailableError
from schemas.records import ActionKind, WritebackResult, WritebackStatus
from streams.settings import Retry, WriterSettings
from streams.writer import ActionExecutor
from streams.writer.notify import NOTICES, notice_tags
from tests.unit.streams.writer.fakes import FakeShopify, action, decision

ORDER = "gid://shopify/Order/1"
PARAMS = {
    "channel": "email",
    "notice": "reject",
    "caseId": "case-1",
    "subject": "Your order {order} could not be accepted",
    "message": "We could not verify the payment.",
}
SENDING, SENT = notice_tags(action(ActionKind.NOTIFY_CUSTOMER, ORDER).idempotency_key)


class FakeMailer:
    """Records messages; raises the scripted errors first."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(message)


async def no_sleep(seconds: float) -> None:
    return None


def order(tags: list[str], email: str | None = "ada@example.com") -> dict[str, Any]:
    return {
        "order": {
            "id": ORDER,
            "name": "#1001",
            "email": email,
            "tags": tags,
            "customer": {"email": email, "firstName": "Ada", "lastName": "L"},
        }
    }


def shopify(tags: list[str], email: str | None = "ada@example.com") -> FakeShopify:
    fake = FakeShopify().script("CasebridgeNoticeOrder", order(tags, email))
    fake.script("CasebridgeTagsAdd", {"tagsAdd": {"node": {"id": ORDER}, "userErrors": []}})
    fake.script("CasebridgeTagsRemove", {"tagsRemove": {"node": {"id": ORDER}, "userErrors": []}})
    return fake


async def run(fake: FakeShopify, mailer: FakeMailer | None) -> WritebackResult:
    config = WriterSettings(retry=Retry(initial_s=0.01, attempts=3))
    act = action(ActionKind.NOTIFY_CUSTOMER, ORDER, **PARAMS)
    executor = ActionExecutor(fake, config=config, sleep=no_sleep, mailer=mailer)
    return await executor.apply(decision(act), 0, act)


def count(result: str) -> float:
    return NOTICES.labels("email", result)._value.get()


async def test_sends_the_reason_then_marks_the_order() -> None:
    fake, mailer = shopify([]), FakeMailer()
    before = count("sent")
    result = await run(fake, mailer)
    assert result.status is WritebackStatus.APPLIED and result.mutation == "smtp"
    [mail] = mailer.sent
    assert mail["To"] == "ada@example.com"
    assert mail["Subject"] == "Your order #1001 could not be accepted"
    assert "We could not verify the payment." in mail.get_content()
    assert mail["X-Casebridge-Case"] == "case-1" and result.result_id == mail["Message-ID"]
    assert [c["tags"] for c in fake.called("CasebridgeTagsAdd")] == [[SENDING], [SENT]]
    assert fake.called("CasebridgeTagsRemove") == [{"id": ORDER, "tags": [SENDING]}]
    assert count("sent") == before + 1


async def test_a_redelivered_notice_is_not_sent_twice() -> None:
    mailer = FakeMailer()
    result = await run(shopify(["VIP", SENT.upper()]), mailer)
    assert result.status is WritebackStatus.ALREADY_APPLIED and mailer.sent == []


async def test_an_interrupted_send_fails_visibly_and_is_never_repeated() -> None:
    mailer, fake = FakeMailer(), shopify([SENDING])
    before = count("uncertain")
    result = await run(fake, mailer)
    assert result.status is WritebackStatus.FAILED and result.error_code == "NOTICE_UNCERTAIN"
    assert mailer.sent == [] and "CasebridgeTagsAdd" not in fake.names
    assert count("uncertain") == before + 1


async def test_transient_mail_errors_are_retried() -> None:
    mailer = FakeMailer(MailUnavailableError("421 busy"))
    result = await run(shopify([]), mailer)
    assert result.status is WritebackStatus.APPLIED and len(mailer.sent) == 1


async def test_an_unreachable_server_fails_and_unmarks_so_a_replay_sends() -> None:
    down = [MailUnavailableError("connection refused") for _ in range(3)]
    fake = shopify([])
    result = await run(fake, FakeMailer(*down))
    assert result.status is WritebackStatus.FAILED and result.error_code == "MAIL_UNAVAILABLE"
    assert fake.called("CasebridgeTagsAdd") == [{"id": ORDER, "tags": [SENDING]}]
    assert fake.called("CasebridgeTagsRemove") == [{"id": ORDER, "tags": [SENDING]}]


async def test_a_refused_recipient_is_a_permanent_failure() -> None:
    fake = shopify([])
    result = await run(fake, FakeMailer(MailRejectedError("550 no such user", code=550)))
    assert result.status is WritebackStatus.FAILED and result.error_code == "MAIL_REJECTED"
    assert "550 no such user" in (result.error_message or "")


async def test_an_order_without_email_or_a_writer_without_mail_fails() -> None:
    result = await run(shopify([], email=None), FakeMailer())
    assert result.status is WritebackStatus.FAILED and result.error_code == "NO_CUSTOMER_EMAIL"
    result = await run(shopify([]), None)
    assert result.status is WritebackStatus.FAILED and result.error_code == "NO_CHANNEL"
    assert "CASEBRIDGE_SMTP__HOST" in (result.error_message or "")


async def test_marking_the_sent_notice_rides_out_a_shopify_outage() -> None:
    mailer = FakeMailer()
    down = ShopifyUnavailableError("503", attempts=8, status=503)
    ok = {"tagsAdd": {"node": {"id": ORDER}, "userErrors": []}}
    fake = FakeShopify().script("CasebridgeNoticeOrder", order([]))
    fake.script("CasebridgeTagsAdd", ok, down, ok)
    fake.script("CasebridgeTagsRemove", {"tagsRemove": {"node": {"id": ORDER}, "userErrors": []}})
    result = await run(fake, mailer)
    assert result.status is WritebackStatus.APPLIED and len(mailer.sent) == 1
    assert [c["tags"] for c in fake.called("CasebridgeTagsAdd")] == [[SENDING], [SENT], [SENT]]
