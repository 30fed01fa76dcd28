"""The settings of the consumer-lag monitor.

:class:`LagSettings` is meant to be a section of
:class:`streams.settings.Settings` (``lag: LagSettings``), so every value can
be set from the environment, e.g. ``CASEBRIDGE_LAG__WINDOW=10`` or
``CASEBRIDGE_LAG__ALERT_URL=https://hooks.example/...``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

__all__ = ["LagSettings"]

#: Groups that start with the app prefix but are not pipeline consumers: the
#: DLQ replay cursors only move when an operator replays, so their "lag" is
#: the DLQ backlog and would always look stopped.
DEFAULT_EXCLUDES = ("casebridge-dlq-replay-",)

#: Topics a Faust member has assigned but never commits: table changelogs are
#: read during recovery and their position kept in the local store, and the
#: leader-election topic carries nothing. Their "lag" would be a false STALL.
DEFAULT_TOPIC_EXCLUDES = ("*-changelog", "*-__assignor-__leader")


class LagSettings(BaseModel):
    """What the lag monitor watches, how it judges it and whom it tells."""

    groups: list[str] = Field(
        default_factory=list,
        description="Consumer groups to watch in addition to those matching the prefix.",
    )
    group_prefix: str | None = Field(
        default=None,
        description="Watch every group whose id starts with this; None means Settings.app_id.",
    )
    exclude_prefixes: list[str] = Field(
        default_factory=lambda: list(DEFAULT_EXCLUDES),
        description="Groups starting with one of these are never watched.",
    )
    exclude_topics: list[str] = Field(
        default_factory=lambda: list(DEFAULT_TOPIC_EXCLUDES),
        description="Shell patterns of topics never measured (Faust-internal by default).",
    )
    read_committed_groups: list[str] = Field(
        default_factory=list,
        description="Groups consuming with isolation.level=read_committed: their lag is "
        "measured against the last stable offset instead of the high watermark.",
    )
    window: int = Field(default=10, ge=2, le=1000, description="Offset samples kept per partition.")
    interval_s: float = Field(
        default=30.0, gt=0, description="Seconds between two evaluations (one sample each)."
    )
    request_timeout_s: float = Field(
        default=10.0, gt=0, description="Timeout of each AdminClient request."
    )
    alert_url: str | None = Field(
        default=None, description="HTTP(S) URL that receives a JSON POST per alert episode."
    )
    alert_after: int = Field(
        default=3,
        ge=1,
        description="Consecutive not-OK evaluations of a group before an alert is sent.",
    )
    alert_timeout_s: float = Field(default=5.0, gt=0)
    webhooks_quiet_alert_s: float = Field(
        default=1800.0,
        gt=0,
        description="Seconds without an accepted webhook before Prometheus' CasebridgeNoWebhooks "
        "alert fires (deploy/prometheus); exported as casebridge_webhooks_quiet_alert_seconds.",
    )

    @field_validator("alert_url")
    @classmethod
    def _is_http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s) URL, got {value!r}")
        return value

    def prefix(self, app_id: str) -> str:
        """The group prefix to watch, defaulting to the application id."""
        return self.group_prefix if self.group_prefix is not None else app_id
