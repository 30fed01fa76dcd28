"""DlqCounter's client lifecycle (its counts against a real worker: the ops page browser test)."""

from __future__ import annotations

import pytest

from streams.ops.errors import BrokerUnavailableError
from streams.web import dlqstats
from streams.web.dlqstats import DlqCounter
from tests.unit.streams.ops.fakes import FakeAdminClient


def test_closing_the_counter_destroys_its_admin_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dlqstats, "AdminClient", FakeAdminClient)
    counter = DlqCounter({"bootstrap.servers": "127.0.0.1:1"})
    counter.close()
    assert counter._admin.exits == 1
    with pytest.raises(BrokerUnavailableError, match="closed"):
        counter.counts()  # not a call on the destroyed client
