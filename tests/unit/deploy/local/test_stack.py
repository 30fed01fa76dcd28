"""LocalStack's lifecycle logic, with every process, port and probe faked.

No JVM, socket or Maven run happens here: ``spawn``/``terminate`` and the two
readiness probes are replaced in ``deploy.local.stack``, ``/proc`` is a fake
directory tree and the port check is the ``port_probe`` seam.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import pytest

import deploy.local.stack as stack_module
from deploy.local.artifacts import ArtifactCache, Artifacts
from deploy.local.errors import PortInUseError, StackError, StartTimeoutError
from deploy.local.processes import ProcTable, read_pid_file, write_pid_file
from deploy.local.settings import StackSettings
from deploy.local.stack import LocalStack, ensure_running
from tests.unit.deploy.local.conftest import FakeProc


class FakeArtifacts(ArtifactCache):
    """Pretends everything is fetched; counts calls."""

    def __init__(self, settings: StackSettings) -> None:
        super().__init__(settings)
        self.calls = 0

    def ensure(self) -> Artifacts:
        self.calls += 1
        return Artifacts(kafka_libs=Path("/cache/kafka/libs"), registry_jar=Path("/cache/app.jar"))


class World:
    """The fake OS the stack runs against: processes, probes, the format command."""

    def __init__(self, fake_proc: FakeProc, monkeypatch: pytest.MonkeyPatch) -> None:
        self.proc = fake_proc
        self.pids = itertools.count(1000)
        self.spawned: list[list[str]] = []
        self.terminated: list[int] = []
        self.formats: list[Sequence[str]] = []
        self.healthy = {"kafka": True, "registry": True}
        self.die_on_start: set[str] = set()
        self.taken_ports: set[int] = set()
        monkeypatch.setattr(stack_module, "spawn", self.spawn)
        monkeypatch.setattr(stack_module, "terminate", self.terminate)
        monkeypatch.setattr(stack_module, "java_executable", lambda: "/usr/bin/java")
        monkeypatch.setattr(stack_module, "kafka_answers", lambda _b, _t: self.healthy["kafka"])
        monkeypatch.setattr(
            stack_module, "registry_answers", lambda _u, _t: self.healthy["registry"]
        )

    def spawn(self, argv: Sequence[str], *, log_file: Path, cwd: Path) -> int:
        pid = next(self.pids)
        self.spawned.append(list(argv))
        component = "kafka" if "kafka.Kafka" in argv else "registry"
        with log_file.open("a") as log:
            log.write(f"{component} line 1\n{component} line 2: something went wrong\n")
        if component not in self.die_on_start:
            self.proc.add(pid, argv)
        return pid

    def terminate(self, pid: int, procs: ProcTable, *, grace_s: float = 30.0) -> None:
        self.terminated.append(pid)
        if procs.is_live(pid):
            self.proc.remove(pid)

    def run_format(self, argv: Sequence[str], cwd: Path) -> tuple[int, str]:
        self.formats.append(argv)
        config = Path(argv[argv.index("-c") + 1])
        log_dirs = next(
            line.split("=", 1)[1]
            for line in config.read_text().splitlines()
            if line.startswith("log.dirs=")
        )
        (Path(log_dirs) / "meta.properties").write_text("cluster.id=x\n")
        return 0, "Formatting metadata directory\n"

    def stack(self, settings: StackSettings) -> LocalStack:
        return LocalStack(
            settings,
            procs=self.proc.table,
            artifacts=FakeArtifacts(settings),
            port_probe=lambda port: port in self.taken_ports,
            runner=self.run_format,
        )


@pytest.fixture
def world(fake_proc: FakeProc, monkeypatch: pytest.MonkeyPatch) -> World:
    return World(fake_proc, monkeypatch)


def test_addresses(stack_settings: StackSettings, world: World) -> None:
    stack = world.stack(stack_settings)

    assert stack.bootstrap_servers == "127.0.0.1:39092"
    assert stack.registry_url == "http://127.0.0.1:38081/apis/ccompat/v7"


def test_ports_must_differ(stack_settings: StackSettings) -> None:
    clash = stack_settings.model_copy(update={"registry_port": 39092})

    with pytest.raises(StackError, match="must differ"):
        LocalStack(clash)


def test_commands_carry_markers_heap_and_loopback(
    stack_settings: StackSettings, world: World
) -> None:
    stack = world.stack(stack_settings)
    artifacts = Artifacts(kafka_libs=Path("/c/libs"), registry_jar=Path("/c/app.jar"))

    kafka = stack.kafka_command(artifacts, "/usr/bin/java")
    registry = stack.registry_command(artifacts, "/usr/bin/java")
    fmt = stack.format_command(artifacts, "/usr/bin/java", "AAAAAAAAAAAAAAAAAAAAAA")

    home = f"-Dcasebridge.stack.home={stack.paths.data_dir}"
    assert kafka[0] == "/usr/bin/java"
    assert {home, "-Dcasebridge.stack.component=kafka", "-Xmx1g"} <= set(kafka)
    assert kafka[-2:] == ["kafka.Kafka", str(stack.paths.server_properties)]
    assert kafka[kafka.index("-cp") + 1] == "/c/libs/*"
    assert f"-Dlog4j2.configurationFile={stack.paths.log4j_config}" in kafka
    assert {
        home,
        "-Dcasebridge.stack.component=registry",
        "-Xmx512m",
        "-Dquarkus.http.host=127.0.0.1",
        "-Dquarkus.http.port=38081",
        "-Dapicurio.storage.kind=kafkasql",
        "-Dapicurio.kafkasql.bootstrap.servers=127.0.0.1:39092",
    } <= set(registry)
    assert registry[-2:] == ["-jar", "/c/app.jar"]
    assert fmt[fmt.index("kafka.tools.StorageTool") :] == [
        "kafka.tools.StorageTool",
        "format",
        "--standalone",
        "-t",
        "AAAAAAAAAAAAAAAAAAAAAA",
        "-c",
        str(stack.paths.server_properties),
    ]


def test_status_when_nothing_runs(stack_settings: StackSettings, world: World) -> None:
    status = world.stack(stack_settings).status()

    assert [c.state for c in status.components] == ["stopped", "stopped"]
    assert not status.healthy
    assert status.kafka.address == "127.0.0.1:39092"
    assert status.to_dict()["components"]["registry"]["pid"] is None


def test_stale_pid_file_is_removed(stack_settings: StackSettings, world: World) -> None:
    stack = world.stack(stack_settings)
    write_pid_file(stack.paths.pid_file("kafka"), 4242)  # no such process

    assert stack.running_pid("kafka") is None
    assert not stack.paths.pid_file("kafka").exists()


def test_pid_reused_by_a_foreign_process_is_not_ours(
    stack_settings: StackSettings, world: World
) -> None:
    stack = world.stack(stack_settings)
    world.proc.add(4243, ["/usr/bin/python3", "server.py"])
    world.proc.add(4244, ["/usr/bin/java", "-jar", "someone-else.jar"])
    write_pid_file(stack.paths.pid_file("kafka"), 4243)
    write_pid_file(stack.paths.pid_file("registry"), 4244)

    assert stack.running_pid("kafka") is None
    assert stack.running_pid("registry") is None
    assert not stack.paths.pid_file("kafka").exists()


def test_a_running_jvm_without_pid_file_is_adopted(
    stack_settings: StackSettings, world: World
) -> None:
    stack = world.stack(stack_settings)
    world.proc.add(777, ["/usr/bin/java", *stack.markers("kafka"), "kafka.Kafka"])

    assert stack.running_pid("kafka") == 777
    assert read_pid_file(stack.paths.pid_file("kafka")) == 777


def test_running_but_not_answering_is_reported_as_running(
    stack_settings: StackSettings, world: World
) -> None:
    stack = world.stack(stack_settings)
    world.proc.add(778, ["/usr/bin/java", *stack.markers("kafka")])
    world.healthy["kafka"] = False

    status = stack.status()

    assert (status.kafka.state, status.kafka.pid) == ("running", 778)
    assert status.registry.state == "stopped"


def test_up_formats_once_starts_both_and_is_idempotent(
    stack_settings: StackSettings, world: World
) -> None:
    stack = world.stack(stack_settings)

    first = stack.up()

    assert first.healthy
    assert len(world.formats) == 1
    assert [argv[-1] for argv in world.spawned] == [
        str(stack.paths.server_properties),
        str(Path("/cache/app.jar")),
    ]
    assert read_pid_file(stack.paths.pid_file("kafka")) == first.kafka.pid

    assert stack.last_started == ("kafka", "registry")

    second = stack.up()

    assert len(world.spawned) == 2  # nothing new started
    assert not stack.last_started
    assert (second.kafka.pid, second.registry.pid) == (first.kafka.pid, first.registry.pid)


def test_down_stops_registry_first_and_data_survives(
    stack_settings: StackSettings, world: World
) -> None:
    stack = world.stack(stack_settings)
    status = stack.up()

    stack.down()

    assert world.terminated == [status.registry.pid, status.kafka.pid]
    assert not stack.paths.pid_file("kafka").exists()
    assert not stack.paths.pid_file("registry").exists()
    assert stack.status().kafka.state == "stopped"

    stack.up()

    assert len(world.formats) == 1  # meta.properties was kept: no second format


def test_down_also_stops_orphans_of_this_stack(stack_settings: StackSettings, world: World) -> None:
    stack = world.stack(stack_settings)
    world.proc.add(900, ["/usr/bin/java", *stack.markers("registry")])
    world.proc.add(901, ["/usr/bin/java", *stack.markers("kafka")])
    world.proc.add(902, ["/usr/bin/java", "-Dcasebridge.stack.home=/other", "kafka.Kafka"])

    stack.down()

    assert world.terminated == [900, 901]
    assert world.proc.table.is_live(902)


def test_fresh_wipes_the_data_dir(stack_settings: StackSettings, world: World) -> None:
    stack = world.stack(stack_settings)
    stack.up()
    leftover = stack.paths.kafka_log_dirs / "orders-0" / "00000.log"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("old records")

    stack.up(fresh=True)

    assert not leftover.exists()
    assert len(world.formats) == 2


def test_fresh_leaves_files_beside_the_kafka_dir_alone(
    stack_settings: StackSettings, world: World
) -> None:
    stack = world.stack(stack_settings)
    stack.up()
    precious = stack.paths.data_dir / "notes" / "keep.txt"
    precious.parent.mkdir(parents=True)
    precious.write_text("not the stack's")

    stack.up(fresh=True)

    assert precious.read_text() == "not the stack's"
    assert stack.paths.meta_properties.is_file()


def test_fresh_refuses_a_kafka_dir_that_kafka_did_not_format(
    stack_settings: StackSettings, world: World
) -> None:
    stack = world.stack(stack_settings)
    foreign = stack.paths.kafka_log_dirs / "thesis.txt"
    foreign.parent.mkdir(parents=True)
    foreign.write_text("someone else's")

    with pytest.raises(StackError, match="refusing to wipe"):
        stack.up(fresh=True)

    assert foreign.read_text() == "someone else's"
    assert world.spawned == []


def test_a_taken_registry_port_fails_before_kafka_starts(
    stack_settings: StackSettings, world: World
) -> None:
    world.taken_ports.add(38081)

    with pytest.raises(PortInUseError, match="port 38081"):
        world.stack(stack_settings).up()

    assert world.spawned == []
    assert world.formats == []


def test_port_taken_by_a_foreign_process_fails_before_starting(
    stack_settings: StackSettings, world: World
) -> None:
    world.taken_ports.add(39093)

    with pytest.raises(PortInUseError, match="port 39093") as caught:
        world.stack(stack_settings).up()

    assert caught.value.port == 39093
    assert "\n" not in str(caught.value)
    assert world.spawned == []


def test_start_timeout_names_the_log_and_kills_what_it_started(
    stack_settings: StackSettings, world: World
) -> None:
    stack = world.stack(stack_settings)
    world.healthy["registry"] = False

    with pytest.raises(StartTimeoutError) as caught:
        stack.up()

    message = str(caught.value)
    assert "registry" in message.splitlines()[0]
    assert str(stack.paths.log_file("registry")) in message
    assert "registry line 2: something went wrong" in message
    assert "kafka line" not in message
    assert len(world.terminated) == 2  # registry, then the Kafka this call started
    assert not stack.paths.pid_file("kafka").exists()
    assert not stack.paths.pid_file("registry").exists()


def test_failed_registry_start_leaves_an_already_running_kafka_alone(
    stack_settings: StackSettings, world: World
) -> None:
    stack = world.stack(stack_settings)
    world.proc.add(555, ["/usr/bin/java", *stack.markers("kafka")])
    world.die_on_start.add("registry")

    with pytest.raises(StackError, match="exited before it was ready"):
        stack.up()

    assert 555 not in world.terminated
    assert world.proc.table.is_live(555)


def test_ensure_running_does_not_restart_a_healthy_stack(
    stack_settings: StackSettings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    healthy = world.stack(stack_settings)
    healthy.up()
    spawned = len(world.spawned)
    monkeypatch.setattr(stack_module, "LocalStack", lambda settings, **_kw: healthy)

    stack, started = ensure_running(stack_settings)

    assert (stack, started) == (healthy, False)
    assert len(world.spawned) == spawned


def test_ensure_running_reports_what_it_started(
    stack_settings: StackSettings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = world.stack(stack_settings)
    world.proc.add(556, ["/usr/bin/java", *stack.markers("kafka")])
    monkeypatch.setattr(stack_module, "LocalStack", lambda settings, **_kw: stack)

    _stack, started = ensure_running(stack_settings)

    assert started
    assert stack.last_started == ("registry",)


def test_ensure_running_fresh_empties_a_stack_it_starts_and_never_a_healthy_one(
    stack_settings: StackSettings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = world.stack(stack_settings)
    stack.up()
    leftover = stack.paths.kafka_log_dirs / "cbtest-1-0" / "00000.log"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("an earlier session's topic")
    monkeypatch.setattr(stack_module, "LocalStack", lambda settings, **_kw: stack)

    assert ensure_running(stack_settings, fresh=True) == (stack, False)  # running: kept
    assert leftover.exists()

    stack.down()
    _stack, started = ensure_running(stack_settings, fresh=True)

    assert started and not leftover.exists()
