"""The local stack: a real Kafka broker (KRaft) and a real Apicurio Registry, no Docker.

Both run as detached JVMs from artifacts fetched from Maven Central (see
:mod:`deploy.local.artifacts`), bound to 127.0.0.1 only::

    stack = LocalStack(load_settings().stack)
    stack.up()                  # fetch once, format once, start, wait until ready
    stack.bootstrap_servers     # "127.0.0.1:19092"
    stack.registry_url          # "http://127.0.0.1:18081/apis/ccompat/v7"
    stack.down()                # registry first, then Kafka; SIGTERM, then SIGKILL

Apicurio stores its schemas in Kafka (``kafkasql``), so the data directory
alone carries all state: it survives ``down``/``up`` and ``up(fresh=True)``
wipes it. A JVM is recognised as ours by two marker system properties on its
command line (the data directory and the component name), so two stacks with
different data directories on different ports never touch each other.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from deploy.local.artifacts import ArtifactCache, Artifacts, CommandRunner, run_command, tail
from deploy.local.config import (
    COMPONENT_PROPERTY,
    HOME_PROPERTY,
    StackPaths,
    new_cluster_id,
    write_kafka_config,
)
from deploy.local.errors import PortInUseError, StackError, StartTimeoutError
from deploy.local.processes import (
    ProcTable,
    is_alive,
    is_java,
    java_executable,
    port_in_use,
    read_pid_file,
    reap,
    remove_pid_file,
    spawn,
    terminate,
    write_pid_file,
)
from deploy.local.settings import StackSettings

KAFKA = "kafka"
REGISTRY = "registry"
#: Start order; ``down`` stops them in reverse (the registry depends on Kafka).
COMPONENTS = (KAFKA, REGISTRY)

ComponentState = Literal["healthy", "running", "stopped"]
#: Answers "is this port on 127.0.0.1 taken?": the seam for unit tests.
PortProbe = Callable[[int], bool]
#: Receives one progress line at a time (the CLI prints them to stderr).
Reporter = Callable[[str], None]

_STOP_GRACE_S = 30.0
_PROBE_TIMEOUT_S = 3.0
_POLL_INTERVAL_S = 0.5
_FORMAT_TIMEOUT_S = 120.0
_LOG_ROTATE_BYTES = 20 * 1024 * 1024
_LOG_TAIL_LINES = 30


def _silent(_message: str) -> None:
    pass


@dataclass(frozen=True)
class ComponentStatus:
    """The state of one component of the stack."""

    name: str
    state: ComponentState
    address: str
    pid: int | None
    log_file: Path

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "name": self.name,
            "state": self.state,
            "address": self.address,
            "pid": self.pid,
            "log_file": str(self.log_file),
        }


@dataclass(frozen=True)
class StackStatus:
    """The state of the whole stack."""

    kafka: ComponentStatus
    registry: ComponentStatus

    @property
    def components(self) -> tuple[ComponentStatus, ComponentStatus]:
        """Kafka, then the registry."""
        return (self.kafka, self.registry)

    @property
    def healthy(self) -> bool:
        """Whether both components answer requests."""
        return all(component.state == "healthy" for component in self.components)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "healthy": self.healthy,
            "components": {component.name: component.to_dict() for component in self.components},
        }


class LocalStack:
    """Start, stop and inspect one local Kafka + Apicurio stack."""

    def __init__(
        self,
        settings: StackSettings,
        *,
        num_partitions: int = 6,
        report: Reporter = _silent,
        port_probe: PortProbe = port_in_use,
        procs: ProcTable | None = None,
        artifacts: ArtifactCache | None = None,
        runner: CommandRunner = run_command,
    ) -> None:
        """Manage the stack described by ``settings``.

        ``num_partitions`` is the broker's default for auto-created topics.
        The remaining keyword arguments are seams: ``report`` receives progress
        lines; ``port_probe``, ``procs``, ``artifacts`` and ``runner`` replace
        the port check, ``/proc``, the Maven fetch and the storage-format
        command in tests.
        """
        ports = {settings.kafka_port, settings.controller_port, settings.registry_port}
        if len(ports) != 3:
            raise StackError(
                "kafka_port, controller_port and registry_port must differ, got "
                f"{settings.kafka_port}, {settings.controller_port}, {settings.registry_port}"
            )
        self._settings = settings
        self._num_partitions = num_partitions
        self._report = report
        self._port_probe = port_probe
        self._procs = procs or ProcTable()
        self._artifacts = artifacts or ArtifactCache(settings, report=report)
        self._runner = runner
        self.paths = StackPaths.from_settings(settings)
        #: The components the last :meth:`up` call started (empty: all were already running).
        self.last_started: tuple[str, ...] = ()

    @property
    def settings(self) -> StackSettings:
        """The settings this stack was built from."""
        return self._settings

    @property
    def bootstrap_servers(self) -> str:
        """Kafka's bootstrap address, ``127.0.0.1:<kafka_port>``."""
        return f"127.0.0.1:{self._settings.kafka_port}"

    @property
    def registry_url(self) -> str:
        """The registry's Confluent-compatible API, for ``SchemaRegistryClient``."""
        return f"http://127.0.0.1:{self._settings.registry_port}/apis/ccompat/v7"

    # ------------------------------------------------------------------ commands

    def markers(self, component: str) -> tuple[str, str]:
        """The JVM arguments that identify ``component`` of this stack in ``/proc``."""
        return (f"-D{HOME_PROPERTY}={self.paths.data_dir}", f"-D{COMPONENT_PROPERTY}={component}")

    def kafka_command(self, artifacts: Artifacts, java: str) -> list[str]:
        """The broker's command line."""
        return [
            java,
            f"-Xmx{self._settings.kafka_heap}",
            # A dev broker that ran out of heap should die visibly, not limp on.
            "-XX:+ExitOnOutOfMemoryError",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.paths.log4j_config}",
            *self.markers(KAFKA),
            "-cp",
            artifacts.kafka_classpath,
            "kafka.Kafka",
            str(self.paths.server_properties),
        ]

    def format_command(self, artifacts: Artifacts, java: str, cluster_id: str) -> list[str]:
        """The one-off ``StorageTool format`` command for an empty data directory."""
        return [
            java,
            f"-Dlog4j2.configurationFile={self.paths.log4j_config}",
            "-cp",
            artifacts.kafka_classpath,
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            "-t",
            cluster_id,
            "-c",
            str(self.paths.server_properties),
        ]

    def registry_command(self, artifacts: Artifacts, java: str) -> list[str]:
        """Apicurio's command line: loopback only, state kept in Kafka (``kafkasql``)."""
        scratch = self.paths.run_dir / "registry-tmp"
        return [
            java,
            f"-Xmx{self._settings.registry_heap}",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            "-Dquarkus.http.host=127.0.0.1",
            f"-Dquarkus.http.port={self._settings.registry_port}",
            "-Dapicurio.storage.kind=kafkasql",
            f"-Dapicurio.kafkasql.bootstrap.servers={self.bootstrap_servers}",
            # Both default to /tmp, which two stacks on one machine would share.
            f"-Dapicurio.storage.snapshot.location={scratch}",
            f"-Dapicurio.import.work-dir={scratch}",
            *self.markers(REGISTRY),
            "-jar",
            str(artifacts.registry_jar),
        ]

    def address(self, component: str) -> str:
        """Where ``component`` answers."""
        return self.bootstrap_servers if component == KAFKA else self.registry_url

    def ports(self, component: str) -> tuple[int, ...]:
        """The ports ``component`` binds on 127.0.0.1."""
        if component == KAFKA:
            return (self._settings.kafka_port, self._settings.controller_port)
        return (self._settings.registry_port,)

    # -------------------------------------------------------------------- state

    def running_pid(self, component: str) -> int | None:
        """The pid of ``component`` if one of ours runs; a stale pid file is removed.

        A JVM of ours whose pid file was lost is found through its markers and
        its pid file rewritten, so it is never started twice.
        """
        pid_file = self.paths.pid_file(component)
        pid = read_pid_file(pid_file)
        if pid is not None and self._is_ours(pid, component):
            return pid
        if pid_file.exists():
            remove_pid_file(pid_file)
        found = self._procs.find_java(*self.markers(component))
        if found:
            write_pid_file(pid_file, found[0])
            return found[0]
        return None

    def _is_ours(self, pid: int, component: str) -> bool:
        reap(pid)
        argv = self._procs.cmdline(pid)
        return (
            argv is not None and is_java(argv) and all(m in argv for m in self.markers(component))
        )

    def status(self) -> StackStatus:
        """Each component: ``healthy`` (answers), ``running`` (process only) or ``stopped``."""
        kafka, registry = (self._component_status(component) for component in COMPONENTS)
        return StackStatus(kafka=kafka, registry=registry)

    def _component_status(self, component: str) -> ComponentStatus:
        pid = self.running_pid(component)
        state: ComponentState = "stopped"
        if pid is not None:
            state = "healthy" if self._probe(component, _PROBE_TIMEOUT_S) else "running"
        return ComponentStatus(
            name=component,
            state=state,
            address=self.address(component),
            pid=pid,
            log_file=self.paths.log_file(component),
        )

    # ---------------------------------------------------------------- lifecycle

    def up(self, fresh: bool = False) -> StackStatus:
        """Start whatever is not running and wait until both components answer.

        A component that already runs is left alone (no second JVM). With
        ``fresh`` the stack is stopped and its data directory wiped first. If a
        start fails, every process this call started is stopped again.
        """
        with self._locked():
            if fresh:
                self._stop_all()
                self._wipe_data()
            artifacts = self._artifacts.ensure()
            java = java_executable()
            started: list[tuple[str, int]] = []
            self.last_started = ()
            # All ports first: a taken registry port must not cost a broker start.
            self._check_ports()
            try:
                self._bring_up(KAFKA, artifacts, java, started)
                self._bring_up(REGISTRY, artifacts, java, started)
            except BaseException:
                # Also on Ctrl-C: leave nothing half-started behind.
                for component, pid in reversed(started):
                    terminate(pid, self._procs, grace_s=_STOP_GRACE_S)
                    remove_pid_file(self.paths.pid_file(component))
                raise
            self.last_started = tuple(component for component, _pid in started)
        return self.status()

    def down(self) -> None:
        """Stop the registry, then Kafka (SIGTERM, then SIGKILL after 30 s); remove pid files."""
        with self._locked():
            self._stop_all()

    def _bring_up(
        self, component: str, artifacts: Artifacts, java: str, started: list[tuple[str, int]]
    ) -> None:
        pid = self.running_pid(component)
        if pid is not None:
            self._report(f"{component} already running (pid {pid})")
            self._wait_ready(component, pid, log_offset=None)
            return
        for port in self.ports(component):
            if self._port_probe(port):
                raise PortInUseError(component, port)
        if component == KAFKA:
            write_kafka_config(self._settings, self.paths, num_partitions=self._num_partitions)
            if not self.paths.meta_properties.exists():
                self._format_storage(artifacts, java)
            argv = self.kafka_command(artifacts, java)
        else:
            (self.paths.run_dir / "registry-tmp").mkdir(parents=True, exist_ok=True)
            argv = self.registry_command(artifacts, java)
        log_offset = self._open_log(component)
        self._report(f"starting {component} on {self.address(component)}")
        began = time.monotonic()
        pid = spawn(argv, log_file=self.paths.log_file(component), cwd=self.paths.run_dir)
        write_pid_file(self.paths.pid_file(component), pid)
        started.append((component, pid))
        self._wait_ready(component, pid, log_offset=log_offset)
        self._report(f"{component} ready in {time.monotonic() - began:.1f} s (pid {pid})")

    def _check_ports(self) -> None:
        for component in COMPONENTS:
            if self.running_pid(component) is not None:
                continue
            for port in self.ports(component):
                if self._port_probe(port):
                    raise PortInUseError(component, port)

    def _wipe_data(self) -> None:
        """Delete the stack's state (Kafka's log dirs), and nothing else in the data dir.

        The data dir is a user setting that may point anywhere, so only a
        directory that Kafka formatted (or an empty one) is ever removed.
        """
        kafka_dir = self.paths.kafka_log_dirs
        if not kafka_dir.exists():
            return
        if not self.paths.meta_properties.is_file() and any(kafka_dir.iterdir()):
            raise StackError(
                f"refusing to wipe {kafka_dir}: it is not empty and holds no Kafka "
                "meta.properties; remove it yourself or choose another CASEBRIDGE_STACK__DATA_DIR"
            )
        self._report(f"wiping {kafka_dir}")
        shutil.rmtree(kafka_dir)

    def _format_storage(self, artifacts: Artifacts, java: str) -> None:
        self.paths.kafka_log_dirs.mkdir(parents=True, exist_ok=True)
        self._report(f"formatting Kafka storage in {self.paths.kafka_log_dirs}")
        argv = self.format_command(artifacts, java, new_cluster_id())
        try:
            code, output = self._runner(argv, self.paths.run_dir)
        except (OSError, subprocess.SubprocessError) as exc:
            raise StackError(f"cannot format Kafka storage: {exc}") from exc
        log_file = self.paths.log_file(KAFKA)
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("a") as log:
            log.write(output)
        if code != 0:
            raise StackError(
                f"formatting Kafka storage failed (exit code {code}); see {log_file}:\n"
                f"{tail(output)}"
            )

    def _open_log(self, component: str) -> int:
        """Rotate an oversized log, write a start banner, return the offset the start begins at."""
        log_file = self.paths.log_file(component)
        log_file.parent.mkdir(parents=True, exist_ok=True)
        if log_file.exists() and log_file.stat().st_size > _LOG_ROTATE_BYTES:
            log_file.replace(log_file.with_name(log_file.name + ".1"))
        with log_file.open("a") as log:
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            log.write(f"==== casebridge stack: starting {component} at {stamp} ====\n")
            return log.tell()

    def _log_tail(self, component: str, log_offset: int | None) -> str:
        log_file = self.paths.log_file(component)
        try:
            with log_file.open("rb") as log:
                log.seek(log_offset or 0)
                text = log.read().decode(errors="replace")
        except FileNotFoundError:
            return "(no log written)"
        return tail(text, _LOG_TAIL_LINES) or "(log is empty)"

    def _wait_ready(self, component: str, pid: int, *, log_offset: int | None) -> None:
        timeout_s = self._settings.start_timeout_s
        deadline = time.monotonic() + timeout_s
        log_file = self.paths.log_file(component)
        while True:
            if not is_alive(pid, self._procs):
                code = reap(pid)
                how = f" with exit code {code}" if code is not None else ""
                raise StackError(
                    f"{component} (pid {pid}) exited{how} before it was ready; see {log_file}:\n"
                    f"{self._log_tail(component, log_offset)}"
                )
            remaining = deadline - time.monotonic()
            if self._probe(component, max(0.5, min(_PROBE_TIMEOUT_S, remaining))):
                return
            if time.monotonic() >= deadline:
                raise StartTimeoutError(
                    f"{component} (pid {pid}) did not answer on {self.address(component)} "
                    f"within {timeout_s:.0f} s; see {log_file}:\n"
                    f"{self._log_tail(component, log_offset)}"
                )
            time.sleep(_POLL_INTERVAL_S)

    def _stop_all(self) -> None:
        for component in reversed(COMPONENTS):
            pids = set(self._procs.find_java(*self.markers(component)))
            pid = self.running_pid(component)
            if pid is not None:
                pids.add(pid)
            for each in sorted(pids):
                self._report(f"stopping {component} (pid {each})")
                terminate(each, self._procs, grace_s=_STOP_GRACE_S)
            remove_pid_file(self.paths.pid_file(component))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # Two `up`s at once (two test sessions, say) would otherwise both see
        # "stopped" and race to start a broker on the same port.
        self.paths.run_dir.mkdir(parents=True, exist_ok=True)
        with self.paths.lock_file.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # ------------------------------------------------------------------ probes

    def _probe(self, component: str, timeout_s: float) -> bool:
        if component == KAFKA:
            return kafka_answers(self.bootstrap_servers, timeout_s)
        return registry_answers(self.registry_url, timeout_s)


def kafka_answers(bootstrap_servers: str, timeout_s: float) -> bool:
    """Whether the broker answers a metadata request (an open port is not enough)."""
    config: dict[str, str | int | float | bool] = {
        "bootstrap.servers": bootstrap_servers,
        # librdkafka would print every refused connection to stderr while we poll.
        "log_level": 0,
        "reconnect.backoff.max.ms": 500,
        "socket.connection.setup.timeout.ms": max(1000, int(timeout_s * 1000)),
    }
    with AdminClient(config) as admin:
        try:
            admin.list_topics(timeout=timeout_s)
        except KafkaException:
            return False
    return True


def registry_answers(
    registry_url: str, timeout_s: float, *, transport: httpx.BaseTransport | None = None
) -> bool:
    """Whether the registry is ready: ``/health/ready`` and ``GET {registry_url}/subjects`` are 200.

    ``/subjects`` alone is not enough: it answers 200 while ``kafkasql`` is still
    replaying its journal after a restart, listing only part of the schemas
    (measured: 24 of 50 subjects at the moment it first answered). Apicurio's
    readiness check stays 503 until the replay is complete. ``transport`` is
    the seam for tests.
    """
    base = registry_url.split("/apis/", 1)[0]
    try:
        with httpx.Client(timeout=timeout_s, transport=transport) as client:
            if client.get(f"{base}/health/ready").status_code != 200:
                return False
            return client.get(f"{registry_url}/subjects").status_code == 200
    except httpx.HTTPError:
        return False


def ensure_running(
    settings: StackSettings,
    *,
    num_partitions: int = 6,
    report: Reporter = _silent,
    fresh: bool = False,
) -> tuple[LocalStack, bool]:
    """Return a healthy stack for ``settings`` and whether this call started any of it.

    For test fixtures: tear the stack down afterwards only when the flag is
    true, so a stack someone else runs (or another session started a moment
    earlier) is left alone. With ``fresh``, a stack this call has to start
    begins with empty data; a healthy one is used as it is.
    """
    stack = LocalStack(settings, num_partitions=num_partitions, report=report)
    if stack.status().healthy:
        return stack, False
    stack.up(fresh=fresh)
    return stack, bool(stack.last_started)
