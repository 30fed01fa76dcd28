"""``casebridge up`` without sockets: its own stack, a clean start, and progress as it goes."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import pytest

import deploy.local.stack
from deploy.local.sandbox import (
    MailNotices,
    OpenTextAccess,
    Progress,
    Sandbox,
    SandboxConfig,
    SandboxPorts,
    sandbox_home,
    sandbox_stack_settings,
)
from deploy.local.settings import StackSettings


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


def config(
    stack: StackSettings | None = None, *, external_kafka: str | None = None
) -> SandboxConfig:
    """A sandbox configuration as ``casebridge up`` builds it, with plain values."""
    return SandboxConfig(
        stack=stack or StackSettings(),
        kafka={"bootstrap.servers": external_kafka or "127.0.0.1:19092"},
        registry_url="http://127.0.0.1:18081/apis/ccompat/v7",
        external_kafka=external_kafka is not None,
        default_partitions=6,
        app_id="casebridge",
        ingress_path="/webhooks/shopify",
        shops_file=Path("shops.yaml"),
        emulated_shops=[{"domain": "casebridge-demo.myshopify.com", "access_token": "t"}],
        opentext=OpenTextAccess("tenant", "client", "secret", "offline-order"),
        existing_data=lambda kafka: "nothing",
        start_group_at_end=lambda kafka, group: True,
    )


@pytest.fixture
def fake_stack(monkeypatch: pytest.MonkeyPatch) -> list[FakeStack]:
    FakeStack.made = []
    monkeypatch.setattr(deploy.local.stack, "LocalStack", FakeStack)
    return FakeStack.made


def sandbox(tmp_path: Path, settings: SandboxConfig, **kw: Any) -> tuple[Sandbox, io.StringIO]:
    out = io.StringIO()
    return Sandbox(settings, SandboxPorts(), tmp_path, 1.0, progress=Progress(out), **kw), out


def test_up_starts_its_own_stack_empty(fake_stack: list[FakeStack], tmp_path: Path) -> None:
    settings = config(StackSettings(data_dir=tmp_path / "stack" / "data"))
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
    box, _ = sandbox(tmp_path, config(), keep_data=True)
    box._start_stack()
    assert fake_stack[0].fresh is False


def test_an_explicit_kafka_is_used_as_is(fake_stack: list[FakeStack], tmp_path: Path) -> None:
    box, out = sandbox(tmp_path, config(external_kafka="kafka.example:9092"))
    assert box.external_kafka
    assert box._start_stack()[0] == "kafka.example:9092"
    assert not fake_stack and not box.started_stack
    assert "come from the settings" in out.getvalue()


def test_the_configuration_keeps_its_secrets_out_of_its_repr() -> None:
    kafka = {"bootstrap.servers": "k:9092", "sasl.password": "kafka-secret"}
    settings = dataclasses.replace(config(), kafka=kafka)

    assert "kafka-secret" not in repr(settings)
    assert "client_secret" not in repr(settings.opentext)


def test_each_customer_notice_is_printed_with_the_reviewers_words() -> None:
    notices = MailNotices()
    printed = [
        line
        for raw in [
            "SMTP on 127.0.0.1:2525; Ctrl-C stops it",
            "--- mail to ada@example.com: Your order #1001 could not be accepted",
            "Dear Ada,",
            "",
            "We could not verify the payment.",
            "--- mail to bo@example.com: Your order #1002: we need a few details",
            "--- mail to cy@example.com: Your order #1003 could not be accepted",
        ]
        for line in notices.feed(raw)
    ]
    assert printed == [
        "mail to ada@example.com: 'Your order #1001 could not be accepted'"
        " (We could not verify the payment.)",
        "mail to bo@example.com: 'Your order #1002: we need a few details'",
    ]
