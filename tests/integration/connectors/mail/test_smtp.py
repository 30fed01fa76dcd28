"""SmtpMailer against a real SMTP server (aiosmtpd): delivery, refusals, an absent server."""

from __future__ import annotations

import socket
from email.message import EmailMessage
from typing import Any

import pytest

from connectors.mail import MailRejectedError, MailUnavailableError, SmtpConfig, SmtpMailer
from emulators.mail import Inbox, running_inbox


def message(to: str = "ada@example.com") -> EmailMessage:
    mail = EmailMessage()
    mail["To"] = to
    mail["Subject"] = "Your order #1001 could not be accepted"
    mail.set_content("We could not verify the payment.")
    return mail


def mailer(port: int, **changes: Any) -> SmtpMailer:
    config = {"host": "127.0.0.1", "port": port, "tls": "none", "sender": "Shop <o@shop.example>"}
    return SmtpMailer(SmtpConfig(**{**config, **changes}))


async def test_the_server_receives_the_message_from_the_sender() -> None:
    with running_inbox() as inbox:
        await mailer(inbox.port).send(message())
        received = inbox.wait_for(lambda m: "ada@example.com" in m.recipients, timeout_s=10)
    assert received.sender == "o@shop.example"
    assert received.header("From") == "Shop <o@shop.example>"
    assert received.subject == "Your order #1001 could not be accepted"
    assert "We could not verify the payment." in received.body


class Refusing(Inbox):
    """A server that refuses one mailbox for good and asks to retry another later."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.startswith("gone@"):
            return "550 5.1.1 No such user"
        if address.startswith("busy@"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


async def test_refusals_are_sorted_into_permanent_and_transient() -> None:
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(MailRejectedError, match="No such user"):
            await mailer(port).send(message("gone@example.com"))
        with pytest.raises(MailUnavailableError, match="Try again later"):
            await mailer(port).send(message("busy@example.com"))
    finally:
        controller.stop()


async def test_no_server_is_unavailable_not_lost() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])  # closed again: nothing listens there
    with pytest.raises(MailUnavailableError, match=f"127.0.0.1:{port}"):
        await mailer(port, timeout_s=5).send(message())
