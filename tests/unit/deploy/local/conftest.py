"""Fakes for the local stack's seams: a fake ``/proc`` and stack settings in a tmp dir."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from deploy.local.processes import ProcTable
from deploy.local.settings import StackSettings


class FakeProc:
    """Writes ``<root>/<pid>/{cmdline,stat}`` the way Linux lays them out."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.table = ProcTable(root)

    def add(self, pid: int, argv: Sequence[str], *, state: str = "S") -> None:
        entry = self.root / str(pid)
        entry.mkdir(exist_ok=True)
        name = Path(argv[0]).name[:15] if argv else "kworker/0:1"
        (entry / "cmdline").write_bytes(b"".join(arg.encode() + b"\0" for arg in argv))
        (entry / "stat").write_text(f"{pid} ({name}) {state} 1 {pid} {pid} 0 -1 4194304\n")

    def remove(self, pid: int) -> None:
        entry = self.root / str(pid)
        for child in entry.iterdir():
            child.unlink()
        entry.rmdir()


@pytest.fixture
def fake_proc(tmp_path: Path) -> FakeProc:
    """An empty fake process table."""
    return FakeProc(tmp_path / "proc")


@pytest.fixture
def stack_settings(tmp_path: Path) -> StackSettings:
    """Settings whose every directory lies under ``tmp_path``, on non-default ports."""
    return StackSettings(
        kafka_port=39092,
        controller_port=39093,
        registry_port=38081,
        cache_dir=tmp_path / "cache",
        data_dir=tmp_path / "stack" / "data",
        log_dir=tmp_path / "stack" / "logs",
        start_timeout_s=1.0,
    )
