"""The registry readiness probe, against a fake HTTP transport."""

from __future__ import annotations

import httpx

from deploy.local.stack import registry_answers

URL = "http://127.0.0.1:38081/apis/ccompat/v7"


def _transport(ready: int, subjects: int) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/health/ready":
            return httpx.Response(ready, json={"status": "UP" if ready == 200 else "DOWN"})
        if request.url.path == "/apis/ccompat/v7/subjects":
            return httpx.Response(subjects, json=["a-value"])
        return httpx.Response(404)

    return httpx.MockTransport(handle)


def test_ready_when_health_and_subjects_answer() -> None:
    assert registry_answers(URL, 1.0, transport=_transport(200, 200))


def test_not_ready_while_the_journal_replays() -> None:
    # /subjects already answers 200 during the kafkasql replay; readiness does not.
    assert not registry_answers(URL, 1.0, transport=_transport(503, 200))


def test_not_ready_when_the_ccompat_api_fails() -> None:
    assert not registry_answers(URL, 1.0, transport=_transport(200, 500))


def test_not_ready_when_nothing_listens() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    assert not registry_answers(URL, 1.0, transport=httpx.MockTransport(refuse))
