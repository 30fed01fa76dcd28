"""Shared pieces of the benchmarks: the machine description, a broker, tables, the report file.

Every benchmark runs on a **dedicated Kafka broker** by default (started here
from the artifacts ``casebridge stack up`` already cached, on free loopback
ports, in a temporary directory, and stopped at the end). The benchmarks put
tens of thousands of records on the public topics (``shopify.webhooks``,
``cases.decisions``); on the shared development broker those records would
reach every other worker started at the end of those topics (other people's
integration tests). ``--bootstrap HOST:PORT`` uses an existing broker instead.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from confluent_kafka.admin import AdminClient

from tests.integration.pipeline.harness import (
    Emulators,
    Process,
    start_process,
    wait_until,
    worker_env,
)

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "benchmarks.md"
KAFKA_VERSION = "4.4.0"
DEFAULT_REGISTRY = "http://127.0.0.1:18081/apis/ccompat/v7"
KAFKA_HOME = Path(
    os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"),
    "casebridge",
    "artifacts",
    f"kafka-{KAFKA_VERSION}",
)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values`` by nearest rank; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    # Nearest rank: the smallest value with at least q % of the values at or below it.
    # (round(x + 0.5) was not ceil(x): Python rounds halves to even, so p99 of 100
    # values was the maximum.)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered) - 1e-9)))
    return ordered[rank - 1]


# --- the machine ------------------------------------------------------------------------------


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages."""
    return os.getloadavg()


def other_load(exclude_pids: Sequence[int] = ()) -> str:
    """The busiest other processes right now (``ps``), as a short note."""
    try:
        out = subprocess.run(
            ["ps", "-eo", "pid,pcpu,args", "--sort=-pcpu", "--no-headers"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    busy: list[str] = []
    mine = {os.getpid(), *exclude_pids}
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) < 3 or int(parts[0]) in mine:
            continue
        cpu = float(parts[1])
        if cpu < 5.0:
            break
        command = re.sub(r"\s+", " ", parts[2])
        command = re.sub(r"^\S*/(python3?|java)\S*", r"\1", command)[:70]
        busy.append(f"{command} ({cpu:.0f}% avg)")
        if len(busy) >= 5:
            break
    return "; ".join(busy) or "none above 5% CPU"


@dataclass
class Machine:
    """What the figures were measured on."""

    cores: int
    cpu: str
    ram_gib: float
    python: str
    kafka: str
    date: str
    load_before: tuple[float, float, float]
    others: str
    load_after: tuple[float, float, float] | None = None

    def markdown(self) -> str:
        """A bullet list for the report."""

        def fmt(load: tuple[float, float, float] | None) -> str:
            return "n/a" if load is None else " / ".join(f"{x:.2f}" for x in load)

        return "\n".join(
            [
                f"- Machine: {self.cores} cores (`nproc`), {self.cpu}, {self.ram_gib:.1f} GiB RAM",
                f"- Python {self.python}, Kafka {self.kafka} (single KRaft node), date {self.date}",
                f"- Load average (1/5/15 min) before: {fmt(self.load_before)}; "
                f"after: {fmt(self.load_after)}",
                f"- Other load at start: {self.others}",
            ]
        )


def describe_machine(kafka: str = KAFKA_VERSION) -> Machine:
    """Describe this machine and its current load."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) / (1024 * 1024)
    except OSError:
        pass
    return Machine(
        cores=os.cpu_count() or 0,
        cpu=cpu,
        ram_gib=ram,
        python=platform.python_version(),
        kafka=kafka,
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        load_before=load_average(),
        others=other_load(),
    )


# --- the report -------------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


_HEADER = """# casebridge benchmarks

Measured by the scripts in `bench/` (see `bench/README.md`); each section is
rewritten by its script on every run, with the machine and its load at the
time. The machine is a shared 2-core development VM: other engineers' test
suites were running during these runs, so treat absolute figures as
indicative and compare the ratios against the same-run baselines.
"""


def write_section(name: str, body: str, report: Path = REPORT) -> None:
    """Replace (or append) the section ``name`` of the report with ``body``."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = report.read_text() if report.exists() else _HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(text if text.endswith("\n") else text + "\n")


def publish(name: str, body: str, args: argparse.Namespace) -> None:
    """Print a benchmark's section and, unless ``--no-report``, write it to the report."""
    print(body)
    if not args.no_report:
        write_section(name, body)


# --- a broker of our own ----------------------------------------------------------------------


def add_broker_arguments(parser: argparse.ArgumentParser) -> None:
    """``--bootstrap``, ``--registry`` and ``--no-report`` for every benchmark."""
    parser.add_argument(
        "--bootstrap",
        default=None,
        help="use this broker instead of starting a dedicated one (HOST:PORT)",
    )
    parser.add_argument("--registry", default=DEFAULT_REGISTRY, help="schema registry URL")
    parser.add_argument(
        "--no-report", action="store_true", help="print only; leave docs/benchmarks.md alone"
    )


def wait_for_metadata(bootstrap: str, timeout_s: float = 60.0) -> None:
    """Wait until the broker answers a metadata request."""
    deadline = time.monotonic() + timeout_s
    host, _, port = bootstrap.rpartition(":")
    while True:  # the port first, so librdkafka does not log a refused connection per try
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    admin = AdminClient({"bootstrap.servers": bootstrap})
    while True:
        try:
            admin.list_topics(timeout=2)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@contextmanager
def kafka_broker(workdir: Path, bootstrap: str | None = None) -> Iterator[str]:
    """Yield a bootstrap address: ``bootstrap`` as given, or a dedicated broker's.

    The dedicated broker is a single KRaft node on free loopback ports with its
    data under ``workdir``, started from the cached Kafka artifacts, 6
    partitions per topic, 512 MiB heap; stopped (SIGTERM, then SIGKILL) on exit.
    """
    if bootstrap:
        wait_for_metadata(bootstrap)
        yield bootstrap
        return
    libs = KAFKA_HOME / "libs"
    if not libs.is_dir():
        raise SystemExit(f"no Kafka artifacts at {libs}: run `casebridge stack up` once first")
    java = shutil.which("java") or "java"
    port, cport = free_port(), free_port()
    data = workdir / "kafka-data"
    data.mkdir(parents=True, exist_ok=True)
    props = workdir / "server.properties"
    props.write_text(
        "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.bootstrap.servers=127.0.0.1:{cport}",
                f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
                "inter.broker.listener.name=PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                f"log.dirs={data}",
                "num.partitions=6",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "",
            ]
        )
    )
    log4j = workdir / "log4j2.properties"
    log4j.write_text(
        "status = warn\nappender.console.type = Console\nappender.console.name = STDOUT\n"
        "appender.console.layout.type = PatternLayout\n"
        "appender.console.layout.pattern = [%d{ISO8601}] %p %m (%c{1})%n\n"
        "rootLogger.level = WARN\nrootLogger.appenderRef.stdout.ref = STDOUT\n"
    )
    classpath = f"{libs}/*"
    cluster = subprocess.run(
        [java, "-cp", classpath, "kafka.tools.StorageTool", "random-uuid"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run(
        [
            java,
            "-cp",
            classpath,
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            "-t",
            cluster,
            "-c",
            str(props),
        ],
        capture_output=True,
        check=True,
    )
    log = (workdir / "kafka.log").open("ab")
    process = subprocess.Popen(
        [
            java,
            "-Xms512m",
            "-Xmx512m",
            f"-Dlog4j2.configurationFile={log4j}",
            "-cp",
            classpath,
            "kafka.Kafka",
            str(props),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    address = f"127.0.0.1:{port}"
    try:
        wait_for_metadata(address)
        print(f"dedicated broker at {address} (pid {process.pid})", flush=True)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


def wait_group_assigned(bootstrap: str, group: str, process: Process, timeout_s: float) -> None:
    """Wait until ``group`` is stable with partitions assigned (the consumer is ready)."""
    admin = AdminClient({"bootstrap.servers": bootstrap})

    def assigned() -> bool:
        if not process.alive():
            raise RuntimeError(f"{process.name} exited:\n{process.log_tail()}")
        described = admin.describe_consumer_groups([group])[group].result(10)
        members = described.members or []
        return str(described.state).endswith("STABLE") and any(
            m.assignment and m.assignment.topic_partitions for m in members
        )

    wait_until(assigned, timeout_s, f"{process.name} to join group {group}", 0.5)
    time.sleep(1.0)  # Faust: table recovery and the agents' start follow the assignment


@contextmanager
def running_worker(
    workdir: Path,
    app_id: str,
    argv: Sequence[str],
    *,
    bootstrap: str,
    registry: str,
    emulators: Emulators | None = None,
    web_port: int | None = None,
    extra_env: dict[str, str] | None = None,
    topics: Sequence[str] | None = None,
    ready_timeout_s: float = 180.0,
) -> Iterator[Process]:
    """A casebridge process (``argv``) under a bench-unique ``app_id``, ready to consume.

    Its group starts at the end of its topics (``topics``, by default every
    agent's source: records of earlier variants are not its work), it talks
    to ``emulators`` when given, and it is stopped on exit.
    """
    env = worker_env(
        app_id=app_id,
        web_port=web_port or free_port(),
        bootstrap_servers=bootstrap,
        registry_url=registry,
        data_dir=workdir / app_id,
        emulators=emulators,
        extra=extra_env,
    )
    group_at_end(bootstrap, app_id, topics)
    worker = start_process(app_id, list(argv), env, workdir)
    try:
        wait_group_assigned(bootstrap, app_id, worker, ready_timeout_s)
        yield worker
    finally:
        worker.stop()


def python() -> str:
    """The interpreter running the benchmarks (the project's venv)."""
    return sys.executable


def group_at_end(
    bootstrap: str, group: str, topics: Sequence[str] | None = None, timeout_s: float = 60.0
) -> None:
    """:func:`streams.kafka.groups.start_group_at_end`, retried while a new broker's
    group coordinator is still loading (``NOT_COORDINATOR`` right after start)."""
    from confluent_kafka import KafkaException

    from streams.kafka.groups import AGENT_SOURCES, start_group_at_end

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            start_group_at_end({"bootstrap.servers": bootstrap}, group, topics or AGENT_SOURCES)
            return
        except KafkaException:
            if time.monotonic() > deadline:
                raise
            time.sleep(1.0)


@contextmanager
def profiled(pid: int, out: Path | None, rate: int = 100) -> Iterator[None]:
    """Sample ``pid`` with py-spy (collapsed stacks to ``out``) while the block runs.

    Nothing happens when ``out`` is None. py-spy is a dev-only tool
    (``pip install py-spy``); it must be able to ptrace the process (root or
    ``kernel.yama.ptrace_scope=0``).
    """
    if out is None:
        yield
        return
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    sampler = subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--rate",
            str(rate),
            "--nonblocking",
            "-o",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        sampler.send_signal(signal.SIGINT)
        try:
            sampler.wait(60)
        except subprocess.TimeoutExpired:
            sampler.kill()
            sampler.wait(5)
        print(f"profile of pid {pid}: {out} (python -m bench.profile_summary {out})", flush=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid`` (0.0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
