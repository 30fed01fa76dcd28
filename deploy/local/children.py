"""Child processes with a log file each: started, stopped in order, or killed like a crash.

Used by ``casebridge up`` to run the emulators and the worker, and by the
end-to-end tests to run the same processes the same way.
"""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass
class ChildProcess:
    """A child process and the file its output goes to."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the process log, for error messages."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def alive(self) -> bool:
        """True while the process runs."""
        return self.popen.poll() is None

    def stop(self, timeout_s: float = 20.0) -> None:
        """SIGTERM (a clean shutdown), wait, then SIGKILL."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(5)


def spawn(
    name: str,
    args: list[str],
    env: dict[str, str],
    log_dir: Path,
    *,
    cwd: Path | None = None,
    new_session: bool = False,
) -> ChildProcess:
    """Start ``args`` with ``env`` added to ours, appending its output to ``log_dir/name.log``.

    ``new_session`` keeps the terminal's Ctrl-C away from the child, so the
    parent can stop its children in order instead of all at once.
    """
    log_path = log_dir / f"{name}.log"
    with log_path.open("ab") as log:
        popen = subprocess.Popen(
            args,
            cwd=cwd,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=new_session,
        )
    return ChildProcess(name, popen, log_path)
