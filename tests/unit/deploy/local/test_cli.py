"""``casebridge stack``: output format and error propagation, with a fake stack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import deploy.local.cli as cli_module
from deploy.local.errors import PortInUseError
from deploy.local.stack import ComponentStatus, StackStatus
from streams.cli import main


def _status(state: str) -> StackStatus:
    def component(name: str, address: str, pid: int) -> ComponentStatus:
        return ComponentStatus(
            name=name,
            state=state,  # type: ignore[arg-type]
            address=address,
            pid=pid if state != "stopped" else None,
            log_file=Path(f"/logs/{name}.log"),
        )

    return StackStatus(
        kafka=component("kafka", "127.0.0.1:19092", 11),
        registry=component("registry", "http://127.0.0.1:18081/apis/ccompat/v7", 12),
    )


class FakeStack:
    bootstrap_servers = "127.0.0.1:19092"
    registry_url = "http://127.0.0.1:18081/apis/ccompat/v7"

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.fail: Exception | None = None

    def up(self, fresh: bool = False) -> StackStatus:
        self.calls.append(f"up fresh={fresh}")
        if self.fail:
            raise self.fail
        return _status("healthy")

    def down(self) -> None:
        self.calls.append("down")

    def status(self) -> StackStatus:
        return _status("stopped" if "down" in self.calls else "healthy")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeStack:
    stack = FakeStack()
    monkeypatch.setattr(cli_module, "_stack", lambda: stack)
    return stack


def test_up_prints_addresses(fake: FakeStack) -> None:
    result = CliRunner().invoke(cli_module.stack, ["up", "--fresh"])

    assert result.exit_code == 0, result.output
    assert fake.calls == ["up fresh=True"]
    assert "kafka     healthy  127.0.0.1:19092" in result.output
    assert "CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS=127.0.0.1:19092" in result.output
    assert "CASEBRIDGE_REGISTRY__URL=http://127.0.0.1:18081/apis/ccompat/v7" in result.output


def test_down_then_status_json(fake: FakeStack) -> None:
    runner = CliRunner()
    assert runner.invoke(cli_module.stack, ["down"]).exit_code == 0

    result = runner.invoke(cli_module.stack, ["status", "--json"])

    payload = json.loads(result.output)
    assert payload["healthy"] is False
    assert payload["components"]["kafka"]["state"] == "stopped"
    assert payload["components"]["registry"]["address"].endswith("/apis/ccompat/v7")


def test_stack_errors_become_one_line_and_exit_2(
    fake: FakeStack, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.fail = PortInUseError("kafka", 19092)

    with pytest.raises(SystemExit) as caught:
        main(["stack", "up"])

    assert caught.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: kafka: port 19092 on 127.0.0.1 is already in use")
