"""Pid files and the ``/proc`` reader, against a fake process table."""

from __future__ import annotations

from pathlib import Path

from deploy.local.processes import (
    is_alive,
    is_java,
    read_pid_file,
    remove_pid_file,
    write_pid_file,
)
from tests.unit.deploy.local.conftest import FakeProc


def test_cmdline_of_a_live_process(fake_proc: FakeProc) -> None:
    fake_proc.add(42, ["/usr/bin/java", "-Xmx1g", "kafka.Kafka"])

    assert fake_proc.table.cmdline(42) == ["/usr/bin/java", "-Xmx1g", "kafka.Kafka"]
    assert fake_proc.table.is_live(42)


def test_missing_and_zombie_processes_have_no_cmdline(fake_proc: FakeProc) -> None:
    fake_proc.add(43, ["/usr/bin/java"], state="Z")

    assert fake_proc.table.cmdline(43) is None
    assert not fake_proc.table.is_live(43)
    assert fake_proc.table.cmdline(44) is None
    assert not is_alive(44, fake_proc.table)


def test_empty_cmdline_still_counts_as_alive(fake_proc: FakeProc) -> None:
    # Right after exec (and for kernel threads) /proc/<pid>/cmdline is empty.
    fake_proc.add(45, [])

    assert fake_proc.table.cmdline(45) == []
    assert is_alive(45, fake_proc.table)


def test_command_names_with_parens_and_spaces_parse(fake_proc: FakeProc) -> None:
    entry = fake_proc.root / "46"
    entry.mkdir()
    (entry / "cmdline").write_bytes(b"odd\0")
    (entry / "stat").write_text("46 (we) ird Z) R 1 46 46 0\n")

    assert fake_proc.table.state(46) == "R"


def test_find_java_matches_every_needle_exactly(fake_proc: FakeProc) -> None:
    marker = "-Dcasebridge.stack.home=/data"
    fake_proc.add(10, ["/usr/bin/java", marker, "-Dcasebridge.stack.component=kafka"])
    fake_proc.add(11, ["/usr/bin/java", marker + "2", "-Dcasebridge.stack.component=kafka"])
    fake_proc.add(12, ["/usr/bin/python3", marker, "-Dcasebridge.stack.component=kafka"])
    fake_proc.add(13, ["/usr/bin/java", marker, "-Dcasebridge.stack.component=registry"])

    assert fake_proc.table.find_java(marker, "-Dcasebridge.stack.component=kafka") == [10]


def test_is_java_looks_at_the_executable_name() -> None:
    assert is_java(["/usr/lib/jvm/java-17/bin/java", "-version"])
    assert is_java(["java"])
    assert not is_java(["/usr/bin/javac"])
    assert not is_java([])


def test_pid_file_round_trip(tmp_path: Path) -> None:
    pid_file = tmp_path / "run" / "kafka.pid"

    write_pid_file(pid_file, 1234)

    assert read_pid_file(pid_file) == 1234
    assert not pid_file.with_name("kafka.pid.partial").exists()
    remove_pid_file(pid_file)
    remove_pid_file(pid_file)  # idempotent
    assert read_pid_file(pid_file) is None


def test_garbage_pid_files_read_as_none(tmp_path: Path) -> None:
    for content in ("", "abc", "-5", "0", "12 34"):
        pid_file = tmp_path / "x.pid"
        pid_file.write_text(content)
        assert read_pid_file(pid_file) is None, content
