"""NOTIFY_CUSTOMER: the e-mail that tells a customer why, sent at most once per action.

The order carries the state of its notice, so no store of our own is needed
and a redelivered decision finds it:

1. ``casebridge-notice-sent:<h>`` (``h``: a hash of the action's idempotency
   key) -> already told, nothing is sent.
2. ``casebridge-notice-sending:<h>`` left by an attempt that never finished
   (a crash between marking and confirming) -> the mail may or may not have
   gone: FAILED ``NOTICE_UNCERTAIN``, never a second e-mail (the reason says
   to check the mail server's log; removing the tag and replaying the DLQ
   record sends it).
3. Otherwise: tag ``sending``, send, tag ``sent`` and drop ``sending``. A send
   the server did not accept (unreachable, 4xx, 5xx, refused recipient)
   removes ``sending`` again, so a later replay sends it; transient failures
   are retried with the writer's backoff first. Marking ``sent`` after the
   server accepted the mail rides out a Shopify outage with the writer's
   patience for unavailability; only if Shopify stays away that long does the
   order keep ``sending`` (and a replay reports it uncertain, as above).

An order without an e-mail address (its own or its customer's) is FAILED
``NO_CUSTOMER_EMAIL``. Every outcome is counted in
``casebridge_customer_notices_total{channel, result}``.
"""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import make_msgid

from prometheus_client import Counter

from connectors.mail.errors import MailRejectedError, MailUnavailableError
from connectors.retry import retrying
from connectors.shopify import operations as ops
from connectors.shopify.errors import ShopifyUnavailableError, ShopifyUserError
from streams.ops.metrics import REGISTRY
from streams.writer.context import ActionContext, Mailer, Outcome
from streams.writer.errors import ActionRejected

__all__ = ["NOTICES", "SENDING_PREFIX", "SENT_PREFIX", "compose", "notice_tags", "notify_customer"]

SENT_PREFIX = "casebridge-notice-sent:"
SENDING_PREFIX = "casebridge-notice-sending:"
MUTATION = "smtp"

NOTICES = Counter(
    "casebridge_customer_notices",
    "Customer notices by channel and result (sent, already_sent, failed, uncertain).",
    ["channel", "result"],
    registry=REGISTRY,
)


def notice_tags(idempotency_key: str) -> tuple[str, str]:
    """(sending tag, sent tag) of the action with ``idempotency_key``."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
    return SENDING_PREFIX + digest, SENT_PREFIX + digest


def compose(
    *,
    to: str,
    subject: str,
    greeting_name: str | None,
    message: str,
    case_id: str,
    decision_id: str,
    message_id: str,
) -> EmailMessage:
    """The customer's e-mail: the reviewer's words, and headers tying it to the case."""
    mail = EmailMessage()
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = message_id
    mail["X-Casebridge-Case"] = case_id
    mail["X-Casebridge-Decision"] = decision_id
    greeting = f"Dear {greeting_name}," if greeting_name else "Hello,"
    mail.set_content(f"{greeting}\n\n{message}\n\nReply to this e-mail if you have questions.\n")
    return mail


async def _send(ctx: ActionContext, mailer: Mailer, mail: EmailMessage) -> None:
    """Send, retrying what the server did not accept for a transient reason."""
    policy = ctx.config.retry.policy()
    try:
        async for attempt in retrying(policy, on=MailUnavailableError, sleep=ctx.sleep):
            with attempt:
                await mailer.send(mail)
    except MailUnavailableError as exc:
        raise ActionRejected(
            "MAIL_UNAVAILABLE",
            f"the mail server did not accept the notice after {policy.maximum_attempts}"
            f" attempts: {exc}",
            mutation=MUTATION,
        ) from exc
    except MailRejectedError as exc:
        raise ActionRejected("MAIL_REJECTED", str(exc), mutation=MUTATION) from exc


async def _mark_sent(ctx: ActionContext, order_id: str, sending: str, sent: str) -> None:
    """Record the sent notice, trying harder than other writes: the mail is out, and if
    the order keeps only the ``sending`` tag a replay can no longer tell (uncertain)."""

    def transient(exc: BaseException) -> bool:
        if isinstance(exc, ShopifyUserError):
            return exc.transient
        return isinstance(exc, ShopifyUnavailableError)

    policy = ctx.config.unavailable_retry.policy()
    async for attempt in retrying(policy, on=transient, sleep=ctx.sleep):
        with attempt:
            await ops.tags_add(ctx.client, order_id, [sent])
            await ops.tags_remove(ctx.client, order_id, [sending])


async def notify_customer(ctx: ActionContext) -> Outcome:
    """Send the decision's notice to the order's customer unless the order says it was sent."""
    channel = ctx.text("channel", required=False) or "email"
    order_id = ctx.action.target_id
    mailer = ctx.mailer
    if channel != "email" or mailer is None:
        NOTICES.labels(channel, "failed").inc()
        raise ActionRejected(
            "NO_CHANNEL",
            f"customer notices go by {channel!r}, which this writer cannot send"
            " (configure CASEBRIDGE_SMTP__HOST)",
        )
    order = await ops.notice_order(ctx.client, order_id)
    if order is None:
        raise ActionRejected("NOT_FOUND", f"{order_id} does not exist")
    sending, sent = notice_tags(ctx.action.idempotency_key)
    tags = {str(t).strip().lower() for t in order.get("tags") or []}
    if sent in tags:
        NOTICES.labels(channel, "already_sent").inc()
        return Outcome.already(MUTATION, order_id, note="the customer was already told")
    if sending in tags:
        NOTICES.labels(channel, "uncertain").inc()
        raise ActionRejected(
            "NOTICE_UNCERTAIN",
            f"an earlier attempt stopped while sending (tag {sending}); not sent twice:"
            " check the mail server's log, then remove the tag and replay to send",
            mutation=MUTATION,
        )
    customer = order.get("customer") if isinstance(order.get("customer"), dict) else {}
    address = order.get("email") or (customer or {}).get("email")
    if not address:
        NOTICES.labels(channel, "failed").inc()
        raise ActionRejected("NO_CUSTOMER_EMAIL", f"order {order.get('name')} has no e-mail")
    decision = ctx.decision
    mail = compose(
        to=str(address),
        subject=ctx.require("subject").format(order=order.get("name") or "", shop=decision.shop),
        greeting_name=(customer or {}).get("firstName"),
        message=ctx.require("message"),
        case_id=decision.case_id,
        decision_id=decision.decision_id,
        message_id=make_msgid(idstring=sent.split(":", 1)[1], domain="casebridge"),
    )
    await ops.tags_add(ctx.client, order_id, [sending])
    try:
        await _send(ctx, mailer, mail)
    except ActionRejected:
        # Not accepted by the server: nothing went out, so a replay may send it.
        await ops.tags_remove(ctx.client, order_id, [sending])
        NOTICES.labels(channel, "failed").inc()
        raise
    await _mark_sent(ctx, order_id, sending, sent)
    NOTICES.labels(channel, "sent").inc()
    return Outcome.applied(MUTATION, str(mail["Message-ID"]))
