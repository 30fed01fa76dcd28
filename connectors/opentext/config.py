"""Connection settings for OpenText Workflow Service.

Switching from the emulator to the real service changes only ``base_url`` and
the credentials. Everything the public contract leaves uncertain (token body
encoding, path prefixes, whether the runtime list honours ``businessKey``) is a
setting here with the best-known default, so a surprise on the real service is
a configuration change, not a code change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeAlias
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_serializer, field_validator

from connectors.retry import RetryPolicy


class OpenTextConfig(BaseModel):
    """Where OpenText is and how to talk to it. Validated once, immutable afterwards.

    ``client_secret`` is a :class:`~pydantic.SecretStr`: it shows as ``**********``
    in ``repr``, logs and ``model_dump``; only the token request reads its value.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, extra="forbid")

    base_url: str
    """Scheme and host, e.g. ``https://na-1-dev.api.opentext.com`` or ``http://127.0.0.1:8091``."""
    tenant_id: str = Field(min_length=1)
    """Tenant the token is issued for; part of the token path."""
    client_id: str = Field(min_length=1)
    """OAuth client id of a confidential client (client-credentials grant)."""
    client_secret: SecretStr
    """OAuth client secret; never logged."""
    token_body_format: Literal["json", "form"] = "json"
    """Encoding of the token request: the current tutorial sends JSON; OAuth says form."""
    token_path: str = "/tenants/{tenant_id}/oauth2/token"
    """Token endpoint below ``base_url``; ``{tenant_id}`` is substituted."""
    runtime_prefix: str = "/workflow/v1"
    """Prefix of the runtime API (process instances, tasks, models)."""
    history_prefix: str = "/workflow-history/v1"
    """Prefix of the history API (historic process and task instances)."""
    timeout_s: float = Field(default=30.0, gt=0)
    """Per-request timeout (connect, read, write and pool each)."""
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    """Backoff for 429, 5xx, timeouts and connection errors."""
    token_refresh_margin_s: float = Field(default=60.0, ge=0)
    """Refresh this long before ``expires_in`` runs out (capped at half the lifetime)."""
    default_token_ttl_s: float = Field(default=300.0, gt=0)
    """Assumed token lifetime when the token response has no ``expires_in``."""
    page_size: int = Field(default=100, ge=1, le=1000)
    """``count`` asked for per page when walking a HAL list."""
    runtime_business_key_filter: bool = True
    """Whether ``GET /process-instances?businessKey=`` filters server-side (unsure).

    When ``False`` the runtime lookup is skipped (it would page through every
    instance) and :meth:`OpenTextClient.ensure_process_instance` relies on the
    history API, whose ``businessKey`` filter is documented.
    """
    user_agent: str = "casebridge-opentext/0.1"
    """Sent on every request so OpenText support can find our traffic."""

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"base_url must be an absolute http(s) URL, got {value!r}")
        # Paths are joined as base + prefix + path; a trailing slash would double up.
        return value.rstrip("/")

    @field_validator("token_path", "runtime_prefix", "history_prefix")
    @classmethod
    def _check_path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"path must start with '/', got {value!r}")
        return value.rstrip("/")

    @field_serializer("retry")
    def _dump_retry(self, retry: RetryPolicy) -> dict[str, float | int]:
        # The policy's random generator is not data; dump only the numbers.
        return {
            "initial_interval_s": retry.initial_interval_s,
            "backoff_coefficient": retry.backoff_coefficient,
            "maximum_interval_s": retry.maximum_interval_s,
            "maximum_attempts": retry.maximum_attempts,
            "jitter": retry.jitter,
        }

    @property
    def token_url(self) -> str:
        """Absolute URL of the token endpoint for this tenant."""
        return self.base_url + self.token_path.format(tenant_id=self.tenant_id)

    def runtime_url(self, path: str) -> str:
        """Absolute URL of ``path`` under the runtime API."""
        return self.base_url + self.runtime_prefix + path

    def history_url(self, path: str) -> str:
        """Absolute URL of ``path`` under the history API."""
        return self.base_url + self.history_prefix + path


ResponseHook: TypeAlias = Callable[[str, int, float], None]
"""``on_response(endpoint_template, status, duration_s)``, called after every HTTP attempt.

``endpoint_template`` is e.g. ``"POST /process-instances"`` or
``"GET /process-instances/{id}"`` (never the raw URL, so metric labels stay
bounded); ``status`` is ``0`` when no answer arrived (timeout, connection error).
"""
