"""``casebridge up`` without sockets: its own stack, a clean start, and progress as it goes."""

from __future__ import annotations

import io
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

import deploy.local.stack
from connectors.mail.inbox import ReceivedMail
from streams.sandbox import (
    Progress,
    Sandbox,
    SandboxPorts,
    sandbox_home,
    sandbox_stack_settings,
)
from streams.settings import Settings, StackSettings
from streams.shops.emulated import bundled_registry_path, emulator_shops


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_prints_each_step_with_its_elapsed_time() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(out, clock)
    clock.now += 1.25
    progress("fetched Apache Kafka 4.4.0: 120.3 MB")
    with progress.step("topics"):
        clock.now += 2.0
    assert out.getvalue().splitlines() == [
        "[   1.2s] fetched Apache Kafka 4.4.0: 120.3 MB",
        "[   1.2s] topics ...",
        "[   3.2s] topics: done in 2.0s",
    ]


def test_the_sandbox_stack_never_shares_data_or_ports_with_the_tests_stack(
    tmp_path: Path,
) -> None:
    tests = StackSettings(data_dir=tmp_path / "stack" / "data", log_dir=tmp_path / "stack" / "logs")
    mine = sandbox_stack_settings(tests, SandboxPorts())
    assert mine.data_dir == tmp_path / "sandbox" / "stack" / "data"
    assert mine.log_dir == tmp_path / "sandbox" / "stack" / "logs"
    assert not mine.data_dir.is_relative_to(tests.data_dir)
    ours = {mine.kafka_port, mine.controller_port, mine.registry_port}
    theirs = {tests.kafka_port, tests.controller_port, tests.registry_port}
    assert ours == {29092, 29093, 28081} and not ours & theirs
    # Same artifacts and versions: nothing is fetched twice.
    assert (mine.cache_dir, mine.kafka_version, mine.apicurio_version) == (
        tests.cache_dir,
        tests.kafka_version,
        tests.apicurio_version,
    )
    assert sandbox_home(tests) == tmp_path / "sandbox"


class FakeStack:
    """Records how the sandbox brings its stack up."""

    made: list[FakeStack] = []

    def __init__(self, settings: StackSettings, **kw: Any) -> None:
        self.settings = settings
        self.fresh: bool | None = None
        self.report = kw["report"]
        FakeStack.made.append(self)

    def up(self, fresh: bool = False) -> None:
        self.fresh = fresh
        self.report("kafka ready in 1.0 s (pid 1)")

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.settings.kafka_port}"

    @property
    def registry_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.registry_port}/apis/ccompat/v7"


@pytest.fixture
def fake_stack(monkeypatch: pytest.MonkeyPatch) -> list[FakeStack]:
    monkeypatch.delenv("CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS", raising=False)
    FakeStack.made = []
    monkeypatch.setattr(deploy.local.stack, "LocalStack", FakeStack)
    return FakeStack.made


def sandbox(tmp_path: Path, settings: Settings, **kw: Any) -> tuple[Sandbox, io.StringIO]:
    out = io.StringIO()
    return Sandbox(settings, SandboxPorts(), tmp_path, 1.0, progress=Progress(out), **kw), out


def test_up_starts_its_own_stack_empty(fake_stack: list[FakeStack], tmp_path: Path) -> None:
    settings = Settings(stack=StackSettings(data_dir=tmp_path / "stack" / "data"))
    box, out = sandbox(tmp_path, settings)
    assert not box.external_kafka
    assert box._start_stack() == (
        "127.0.0.1:29092",
        "http://127.0.0.1:28081/apis/ccompat/v7",
    )
    (stack,) = fake_stack
    assert stack.fresh is True and box.started_stack
    assert stack.settings.data_dir == tmp_path / "sandbox" / "stack" / "data"
    lines = out.getvalue().splitlines()
    assert "the sandbox's Kafka and registry (fresh: earlier data wiped) ..." in lines[0]
    assert "kafka ready in 1.0 s" in lines[1]


def test_keep_data_resumes_the_sandbox_stack(fake_stack: list[FakeStack], tmp_path: Path) -> None:
    box, _ = sandbox(tmp_path, Settings(), keep_data=True)
    box._start_stack()
    assert fake_stack[0].fresh is False


def test_an_explicit_kafka_is_used_as_is(
    fake_stack: list[FakeStack], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS", "kafka.example:9092")
    box, out = sandbox(tmp_path, Settings())
    assert box.external_kafka
    assert box._start_stack()[0] == "kafka.example:9092"
    assert not fake_stack and not box.started_stack
    assert "come from the settings" in out.getvalue()


def test_the_sandbox_runs_a_us_and_an_eu_store_with_their_own_policies(tmp_path: Path) -> None:
    sandbox = Sandbox(Settings(), SandboxPorts(), tmp_path, 1.0, progress=Progress(io.StringIO()))

    emulated = emulator_shops(sandbox.shops)

    us, eu = "casebridge-demo.myshopify.com", "casebridge-eu.myshopify.com"
    assert [(s["domain"], s["currency"]) for s in emulated] == [(us, "USD"), (eu, "EUR")]
    assert len({s["access_token"] for s in emulated}) == 2  # the emulator tells stores by token
    us_review = sandbox.shops.require(us).policy.orders.review
    eu_review = sandbox.shops.require(eu).policy.orders.review
    assert eu_review.value.absolute_threshold < us_review.value.absolute_threshold
    assert "RU" in eu_review.destination.countries and "RU" not in us_review.destination.countries


def test_a_third_store_is_one_more_registry_entry(tmp_path: Path) -> None:
    registry = tmp_path / "shops.yaml"
    registry.write_text(
        bundled_registry_path().read_text()
        + "  - {domain: casebridge-uk.myshopify.com, access_token: shpat_uk, currency: GBP}\n"
    )
    settings = Settings(shops_file=registry)

    sandbox = Sandbox(settings, SandboxPorts(), tmp_path, 1.0, progress=Progress(io.StringIO()))

    assert sandbox.shops_file == registry
    assert emulator_shops(sandbox.shops)[-1] == {
        "domain": "casebridge-uk.myshopify.com",
        "access_token": "shpat_uk",
        "currency": "GBP",
    }


def test_each_customer_notice_is_printed_and_kept_in_the_logs(tmp_path: Path) -> None:
    out = io.StringIO()
    sandbox = Sandbox(Settings(), SandboxPorts(), tmp_path, 1.0, progress=Progress(out))
    notice = EmailMessage()
    notice["To"] = "ada@example.com"
    notice["Subject"] = "Your order #1001 could not be accepted"
    notice.set_content("Dear Ada,\n\nWe could not verify the payment.\n")
    sandbox._mail_received(ReceivedMail("orders@shop.example", ("ada@example.com",), notice))
    printed = out.getvalue()
    assert "mail to ada@example.com: 'Your order #1001 could not be accepted'" in printed
    assert "(We could not verify the payment.)" in printed
    assert "We could not verify the payment." in (tmp_path / "mail.log").read_text()
