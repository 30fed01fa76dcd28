"""Health notes: a stage that cannot reach a remote service says so where operators look.

A stage refused by a remote service (OpenText's gateway rejecting the
credentials or region) waits and tries again rather than dead-letter every
record; its partitions then stop moving. So the wait is never silent, each
such stage keeps a :class:`RemoteHealth`:

* every failure is counted (``casebridge_opentext_auth_errors_total{agent}``)
  and logged;
* the process's trackers are listed by :func:`snapshot` (the operations page
  of the same worker reads it);
* a note is written to the compacted :data:`~streams.kafka.watermark.WATERMARK_TOPIC`
  (key ``<app id>/health/<service>/<agent>``) when a failure starts, at most
  every ``publish_every_s`` while it lasts, and when it ends, so
  ``casebridge lag`` and the page of any other worker can show it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from prometheus_client import Counter

from streams.kafka.watermark import KafkaWatermarkStore

log = logging.getLogger(__name__)

__all__ = [
    "HealthNote",
    "RemoteHealth",
    "decode_note",
    "encode_note",
    "health_notes",
    "note_key",
    "note_prefix",
    "notes_publisher",
    "read_notes",
    "snapshot",
]


@dataclass(frozen=True)
class HealthNote:
    """Where one stage stands with one remote service."""

    service: str
    agent: str
    failing: bool
    errors: int
    last_error: str | None
    since: str | None
    updated_at: str

    def line(self) -> str:
        """One line for a terminal."""
        if not self.failing:
            return f"{self.service} ({self.agent}): OK ({self.errors} refusal(s) since start)"
        return (
            f"{self.service} ({self.agent}): REFUSED since {self.since}, {self.errors}"
            f" refusal(s), waiting and retrying: {self.last_error}"
        )


def note_prefix(app_id: str) -> str:
    """The key prefix of every note of ``app_id``."""
    return f"{app_id}/health/"


def note_key(app_id: str, service: str, agent: str) -> str:
    """The record key of one stage's note."""
    return f"{note_prefix(app_id)}{service}/{agent}"


def encode_note(note: HealthNote) -> bytes:
    """The JSON record value of ``note``."""
    return json.dumps(asdict(note), sort_keys=True).encode()


def decode_note(value: bytes) -> HealthNote:
    """A note from its record value (``ValueError``/``KeyError``/``TypeError`` if malformed)."""
    data = json.loads(value)
    return HealthNote(
        service=str(data["service"]),
        agent=str(data["agent"]),
        failing=bool(data["failing"]),
        errors=int(data["errors"]),
        last_error=data.get("last_error"),
        since=data.get("since"),
        updated_at=str(data["updated_at"]),
    )


Publish = Callable[[HealthNote], Awaitable[None]]

_TRACKERS: dict[tuple[str, str], RemoteHealth] = {}


def snapshot() -> list[dict[str, Any]]:
    """Every tracker of this process, as plain dicts (for the operations page)."""
    return [asdict(t.note()) for t in _TRACKERS.values()]


class RemoteHealth:
    """Counts one stage's refusals by one remote service and publishes its note.

    Args:
        service: ``"opentext"``.
        agent: the stage (``"sink"``, ``"decisions"``).
        counter: the Prometheus counter, labelled by agent.
        publish: writes a note durably (Kafka); ``None`` keeps it in process.
        publish_every_s: the least time between two notes while failing.
        clock: monotonic seconds (tests pass their own).
    """

    def __init__(
        self,
        service: str,
        agent: str,
        counter: Counter,
        *,
        publish: Publish | None = None,
        publish_every_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self.agent = agent
        self._counter = counter
        self._publish = publish
        self._every = publish_every_s
        self._clock = clock
        self.errors = 0
        self.failing = False
        self.last_error: str | None = None
        self.since: datetime | None = None
        self._published_at: float | None = None
        self._dirty = False
        _TRACKERS[(service, agent)] = self

    def note(self) -> HealthNote:
        """The current note."""
        return HealthNote(
            service=self.service,
            agent=self.agent,
            failing=self.failing,
            errors=self.errors,
            last_error=self.last_error,
            since=self.since.isoformat() if self.since else None,
            updated_at=datetime.now(UTC).isoformat(),
        )

    async def failure(self, exc: BaseException) -> None:
        """Record one refusal (and publish the note when due)."""
        self.errors += 1
        self._counter.labels(agent=self.agent).inc()
        self.last_error = str(exc)[:500]
        if not self.failing:
            self.failing, self.since, self._dirty = True, datetime.now(UTC), True
            log.error("%s refuses %s: %s", self.service, self.agent, self.last_error)
        await self._maybe_publish()

    async def success(self) -> None:
        """Record a call that went through; publishes the recovery once."""
        if self.failing:
            self.failing, self._dirty = False, True
            log.warning(
                "%s accepts %s again after %d refusal(s)", self.service, self.agent, self.errors
            )
            await self._maybe_publish(force=True)

    async def _maybe_publish(self, *, force: bool = False) -> None:
        if self._publish is None:
            return
        now = self._clock()
        due = self._published_at is None or now - self._published_at >= self._every
        if not (force or self._dirty or due):
            return
        try:
            await self._publish(self.note())
        except Exception as exc:  # the note is advice: never fail the stage for it
            log.warning(
                "could not publish the %s health note of %s: %s", self.service, self.agent, exc
            )
            return
        self._published_at, self._dirty = now, False


class NoteStore(Protocol):
    """Where notes go: :class:`~streams.kafka.watermark.KafkaWatermarkStore`."""

    async def prepare(self, replication_factor: int = 1) -> None:
        """Create the topic if it is missing."""
        ...

    async def put(self, key: str, value: bytes) -> None:
        """Write one record, acknowledged."""
        ...

    def scan(self, wanted: Callable[[bytes], bool]) -> dict[bytes, bytes]:
        """The latest value of every wanted key (blocking)."""
        ...


def notes_publisher(store: NoteStore, app_id: str, replication_factor: int = 1) -> Publish:
    """A :data:`Publish` writing each note under its key in ``store``."""
    prepared: list[bool] = []

    async def publish(note: HealthNote) -> None:
        if not prepared:
            await store.prepare(replication_factor)
            prepared.append(True)
        await store.put(note_key(app_id, note.service, note.agent), encode_note(note))

    return publish


def read_notes(store: NoteStore, app_id: str) -> list[HealthNote]:
    """Every note of ``app_id`` (blocking; malformed records are skipped)."""
    prefix = note_prefix(app_id).encode()
    notes = []
    for key, value in sorted(store.scan(lambda k: k.startswith(prefix)).items()):
        try:
            notes.append(decode_note(value))
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring a malformed health note %r: %s", key, exc)
    return notes


def health_notes(client_config: Mapping[str, Any], app_id: str) -> list[dict[str, Any]]:
    """Every note of ``app_id`` as plain dicts, read from Kafka (blocking).

    Raises:
        WatermarkError: the topic could not be read to its end.
    """
    store = KafkaWatermarkStore(client_config, None, timeout_s=5.0)
    return [asdict(note) for note in read_notes(store, app_id)]
