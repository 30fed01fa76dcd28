"""The local stack's settings (``CASEBRIDGE_STACK__*``): versions, ports, where its files go.

Here, beside the stack, rather than in the application's settings: ``deploy``
imports nothing of ``streams``. :class:`streams.settings.Settings` nests this
model as its ``stack`` section, so the variables and their validation are the
same wherever a stack is run from.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field


def default_home() -> Path:
    """casebridge's cache folder: ``$XDG_CACHE_HOME/casebridge`` (``~/.cache/casebridge``)."""
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "casebridge"


class StackSettings(BaseModel):
    """The local Kafka + Apicurio stack fetched from Maven Central."""

    kafka_version: str = "4.4.0"
    apicurio_version: str = "3.0.9"
    kafka_port: int = Field(default=19092, ge=1, le=65535)
    controller_port: int = Field(default=19093, ge=1, le=65535)
    registry_port: int = Field(default=18081, ge=1, le=65535)
    cache_dir: Path = Field(default_factory=lambda: default_home() / "artifacts")
    data_dir: Path = Field(default_factory=lambda: default_home() / "stack" / "data")
    log_dir: Path = Field(default_factory=lambda: default_home() / "stack" / "logs")
    kafka_heap: str = "1g"
    registry_heap: str = "512m"
    start_timeout_s: float = Field(default=120.0, gt=0)
