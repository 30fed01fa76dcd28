"""Where the local stack keeps its files, and the configuration files it renders.

Everything is derived from :class:`~deploy.local.settings.StackSettings`: the data
directory holds only state that must survive ``down``/``up`` (Kafka's log
dirs, which also carry Apicurio's ``kafkasql`` journal); its sibling ``run``
directory holds what is regenerated on every start (pid files, the rendered
``server.properties``, the log4j2 file).
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from deploy.local.settings import StackSettings

#: Marks a JVM as one of ours; the value is the stack's data directory.
HOME_PROPERTY = "casebridge.stack.home"
#: Names the component ("kafka" or "registry") a JVM runs.
COMPONENT_PROPERTY = "casebridge.stack.component"

_PACKAGE = "deploy.local"


@dataclass(frozen=True)
class StackPaths:
    """The absolute paths one stack instance uses."""

    data_dir: Path
    run_dir: Path
    log_dir: Path
    cache_dir: Path

    @classmethod
    def from_settings(cls, settings: StackSettings) -> StackPaths:
        """Resolve the settings' directories, so JVMs started elsewhere see the same paths."""
        data_dir = settings.data_dir.expanduser().resolve()
        return cls(
            data_dir=data_dir,
            # Named after the data dir, so stacks with sibling data dirs never share
            # pid files, lock or scratch; outside it, so wiping data keeps the lock.
            run_dir=data_dir.with_name(f"{data_dir.name}.run"),
            log_dir=settings.log_dir.expanduser().resolve(),
            cache_dir=settings.cache_dir.expanduser().resolve(),
        )

    @property
    def kafka_log_dirs(self) -> Path:
        """Kafka's ``log.dirs``: the topic data and the KRaft metadata log."""
        return self.data_dir / "kafka"

    @property
    def meta_properties(self) -> Path:
        """Written by ``StorageTool format``; its presence means "already formatted"."""
        return self.kafka_log_dirs / "meta.properties"

    @property
    def server_properties(self) -> Path:
        """The rendered broker configuration."""
        return self.run_dir / "server.properties"

    @property
    def log4j_config(self) -> Path:
        """The broker's log4j2 configuration, copied beside ``server.properties``."""
        return self.run_dir / "log4j2.properties"

    @property
    def lock_file(self) -> Path:
        """Serialises ``up``/``down`` of this stack across processes."""
        return self.run_dir / "stack.lock"

    def pid_file(self, component: str) -> Path:
        """The pid file of ``component`` ("kafka" or "registry")."""
        return self.run_dir / f"{component}.pid"

    def log_file(self, component: str) -> Path:
        """Where ``component``'s stdout and stderr go."""
        return self.log_dir / f"{component}.log"


def _escape_property(value: str) -> str:
    # java.util.Properties treats a backslash as an escape character.
    return value.replace("\\", "\\\\")


def render_server_properties(
    settings: StackSettings, paths: StackPaths, *, num_partitions: int
) -> str:
    """Return the broker's ``server.properties`` for these settings."""
    if num_partitions < 1:
        raise ValueError(f"num_partitions must be at least 1, got {num_partitions}")
    template = Template(resources.files(_PACKAGE).joinpath("server.properties.tmpl").read_text())
    return template.substitute(
        kafka_port=settings.kafka_port,
        controller_port=settings.controller_port,
        log_dirs=_escape_property(str(paths.kafka_log_dirs)),
        num_partitions=num_partitions,
    )


def log4j_config_text() -> str:
    """Return the broker's log4j2 configuration."""
    return resources.files(_PACKAGE).joinpath("log4j2.properties").read_text()


def write_kafka_config(settings: StackSettings, paths: StackPaths, *, num_partitions: int) -> None:
    """Write ``server.properties`` and the log4j2 file into the run directory."""
    paths.run_dir.mkdir(parents=True, exist_ok=True)
    paths.server_properties.write_text(
        render_server_properties(settings, paths, num_partitions=num_partitions)
    )
    paths.log4j_config.write_text(log4j_config_text())


def new_cluster_id() -> str:
    """A KRaft cluster id: a random UUID, base64url without padding, as Kafka writes it.

    Generated here rather than with ``StorageTool random-uuid`` to save a JVM start.
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode("ascii")
        # Kafka's own generator rejects ids starting with "-": they read as a CLI flag.
        if not cluster_id.startswith("-"):
            return cluster_id
