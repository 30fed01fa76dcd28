"""A local SMTP server that keeps what it receives: the tests' and the sandbox's mailbox.

Built on aiosmtpd (``casebridge emulate mail`` serves one standalone). It
runs in its own thread (aiosmtpd's :class:`~aiosmtpd.controller.Controller`),
accepts every message, keeps it parsed, and calls ``on_message`` (the sandbox
prints each one: "the customer was told"). :meth:`Inbox.wait_for` blocks until
a matching message arrived, so a test awaits the e-mail instead of sleeping.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

__all__ = ["Inbox", "ReceivedMail", "running_inbox"]


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the server received it."""

    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        """The Subject: header."""
        return str(self.message.get("Subject", ""))

    @property
    def body(self) -> str:
        """The plain-text body."""
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""  # type: ignore[no-any-return]

    def header(self, name: str) -> str | None:
        """A header's value, or None."""
        value = self.message.get(name)
        return None if value is None else str(value)


class Inbox:
    """The messages received so far (thread-safe), and the aiosmtpd handler storing them."""

    def __init__(self, on_message: Callable[[ReceivedMail], None] | None = None) -> None:
        self._messages: list[ReceivedMail] = []
        self._changed = threading.Condition()
        self._on_message = on_message
        self.host = ""
        self.port = 0

    @property
    def messages(self) -> list[ReceivedMail]:
        """Every message received, oldest first."""
        with self._changed:
            return list(self._messages)

    def to(self, address: str) -> list[ReceivedMail]:
        """The messages addressed to ``address`` (any letter case)."""
        wanted = address.lower()
        return [m for m in self.messages if wanted in {r.lower() for r in m.recipients}]

    def wait_for(
        self, predicate: Callable[[ReceivedMail], bool], timeout_s: float = 60.0
    ) -> ReceivedMail:
        """The first message matching ``predicate``, waiting for it to arrive.

        Raises:
            TimeoutError: none arrived within ``timeout_s``.
        """
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while True:
                for mail in self._messages:
                    if predicate(mail):
                        return mail
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"no matching mail within {timeout_s}s ({len(self._messages)} received)"
                    )
                self._changed.wait(left)

    # aiosmtpd handler hook
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        mail = ReceivedMail(str(envelope.mail_from), tuple(envelope.rcpt_tos), message)
        with self._changed:
            self._messages.append(mail)
            self._changed.notify_all()
        if self._on_message is not None:
            self._on_message(mail)
        return "250 Message accepted for delivery"


@contextmanager
def running_inbox(
    host: str = "127.0.0.1",
    port: int = 0,
    on_message: Callable[[ReceivedMail], None] | None = None,
) -> Iterator[Inbox]:
    """An :class:`Inbox` served by aiosmtpd on ``host:port`` (0: a free port) until exit."""
    from aiosmtpd.controller import Controller  # only where an inbox runs

    if port == 0:
        # aiosmtpd checks its server by connecting to the port it was given: ask the OS now.
        with socket.socket() as probe:
            probe.bind((host, 0))
            port = int(probe.getsockname()[1])
    inbox = Inbox(on_message)
    controller = Controller(inbox, hostname=host, port=port)
    controller.start()
    try:
        inbox.host, inbox.port = host, port
        yield inbox
    finally:
        controller.stop()
