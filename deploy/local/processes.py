"""Detached JVMs, pid files, ``/proc`` and ports: the OS side of the local stack.

A pid alone is not trusted: pids are reused, so before a pid from a pid file
is reported as running or sent a signal, its command line (read from
``/proc``) must be a ``java`` carrying the stack's marker properties.
:class:`ProcTable` is the seam that lets unit tests supply a fake ``/proc``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from deploy.local.errors import StackError

# The Popen objects of JVMs this Python process started. Kept so that a JVM we
# stop is reaped (not left a zombie that still "exists" in /proc) and so that
# Python does not warn about a child that outlives its Popen object.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def java_executable() -> str:
    """The ``java`` to run: ``$JAVA_HOME/bin/java`` if set, else the one on ``PATH``."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("java")
    if found is None:
        raise StackError("Java 17+ is required but 'java' is not on PATH (and JAVA_HOME is unset)")
    return found


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether binding ``host:port`` fails because something already listens there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Same option the JVM sets, so sockets lingering in TIME_WAIT do not count as "taken".
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


class ProcTable:
    """Read-only view of the process table under ``/proc`` (or a fake root in tests)."""

    def __init__(self, root: Path = Path("/proc")) -> None:
        """Read processes from ``root``."""
        self._root = root

    def pids(self) -> Iterator[int]:
        """Every pid currently listed."""
        for entry in self._root.iterdir():
            if entry.name.isdigit():
                yield int(entry.name)

    def state(self, pid: int) -> str | None:
        """The scheduler state letter of ``pid`` (``R``, ``S``, ``Z`` ...), or ``None`` if gone."""
        try:
            stat = (self._root / str(pid) / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError, NotADirectoryError, PermissionError):
            return None
        # The state follows the last ")": the command name in between may hold spaces or parens.
        fields = stat.rpartition(")")[2].split()
        return fields[0] if fields else None

    def is_live(self, pid: int) -> bool:
        """Whether ``pid`` exists and is not a zombie."""
        state = self.state(pid)
        return state is not None and state != "Z"

    def cmdline(self, pid: int) -> list[str] | None:
        """The argv of ``pid``; ``None`` if it is gone or a zombie.

        The list is empty for kernel threads, and also for a process caught in
        the middle of ``exec`` (the kernel sets the new arguments up last), so
        an empty argv does not mean "dead".
        """
        if not self.is_live(pid):
            return None
        try:
            raw = (self._root / str(pid) / "cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError, NotADirectoryError, PermissionError):
            return None
        if not raw:
            return []
        return [part.decode(errors="replace") for part in raw.rstrip(b"\0").split(b"\0")]

    def find_java(self, *needles: str) -> list[int]:
        """Pids of ``java`` processes whose argv contains every one of ``needles``."""
        found = []
        for pid in self.pids():
            argv = self.cmdline(pid)
            if argv and is_java(argv) and all(needle in argv for needle in needles):
                found.append(pid)
        return sorted(found)


def is_java(argv: Sequence[str]) -> bool:
    """Whether ``argv`` runs a JVM launcher."""
    return bool(argv) and Path(argv[0]).name == "java"


def read_pid_file(path: Path) -> int | None:
    """The pid in ``path``, or ``None`` if it is missing or does not hold a positive number."""
    try:
        text = path.read_text().strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return int(text) if text.isdigit() and int(text) > 0 else None


def write_pid_file(path: Path, pid: int) -> None:
    """Write ``pid`` to ``path`` atomically (readers never see a half-written file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(f"{pid}\n")
    partial.replace(path)


def remove_pid_file(path: Path) -> None:
    """Delete ``path`` if it exists."""
    path.unlink(missing_ok=True)


def spawn(argv: Sequence[str], *, log_file: Path, cwd: Path) -> int:
    """Start ``argv`` detached (own session, no terminal); stdout+stderr append to ``log_file``.

    The new session means Ctrl-C in the shell that ran ``casebridge stack up``,
    or the end of that shell, does not take the broker down with it.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    cwd.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        child = subprocess.Popen(
            list(argv),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    _CHILDREN[child.pid] = child
    return child.pid


def reap(pid: int) -> int | None:
    """If ``pid`` is a child of this process that has exited, reap it and return its exit code."""
    child = _CHILDREN.get(pid)
    if child is None:
        return None
    code = child.poll()
    if code is not None:
        del _CHILDREN[pid]
    return code


def is_alive(pid: int, procs: ProcTable) -> bool:
    """Whether ``pid`` is a live (non-zombie) process."""
    reap(pid)
    return procs.is_live(pid)


def terminate(pid: int, procs: ProcTable, *, grace_s: float = 30.0) -> None:
    """SIGTERM ``pid``, wait up to ``grace_s`` for it to exit, then SIGKILL it."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 10.0)):
        if not is_alive(pid, procs):
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not is_alive(pid, procs):
                return
            time.sleep(0.1)
    if is_alive(pid, procs):
        raise StackError(f"process {pid} survived SIGKILL; check it with 'ps -p {pid}'")
