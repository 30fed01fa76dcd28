"""Build a Go command once from the Go module proxy and reuse it.

kustomize (rendering the overlays) and promtool (checking the alert rules)
are both Go programs with no Debian package of the wanted version; ``go
install module@version`` builds them into ``$XDG_CACHE_HOME/casebridge/go``
(``~/.cache/casebridge/go``), outside the repository, where later runs find
them. An environment variable can name a binary to use instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

__all__ = ["BuildError", "ToolUnavailable", "ensure_go_tool", "go_cache_dir"]

INSTALL_TIMEOUT_S = 1800.0


class ToolUnavailable(Exception):
    """A tool the check needs cannot be had here; the check is skipped, not failed."""


class BuildError(Exception):
    """``go install`` of a tool failed."""


def go_cache_dir() -> Path:
    """The GOPATH tools are built into, outside the repository."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "casebridge" / "go"


def ensure_go_tool(
    module: str, version: str, name: str, *, override_env: str, cache: Path | None = None
) -> Path:
    """The path of the ``name`` binary of ``module@version``, building it on first use.

    ``override_env`` names an environment variable that points at a binary to use instead.

    Raises:
        ToolUnavailable: no ``go`` on PATH (and no binary built before).
        BuildError: ``go install`` failed or took too long.
    """
    override = os.environ.get(override_env)
    if override:
        return Path(override)
    gopath = cache or go_cache_dir()
    binary = gopath / "bin" / name
    if binary.is_file():
        return binary
    go = shutil.which("go")
    if go is None:
        raise ToolUnavailable(
            f"go is not on PATH: cannot build {name} ({module}@{version}); "
            f"install Go >= 1.24, or set {override_env} to a {name} binary"
        )
    env = dict(os.environ, GOPATH=str(gopath), GOFLAGS="-modcacherw", GOTOOLCHAIN="local")
    try:
        subprocess.run(
            [go, "install", f"{module}@{version}"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
        )
    except subprocess.CalledProcessError as exc:
        tail = (exc.stderr or "").strip().splitlines()[-3:]
        raise BuildError(f"go install {module}@{version} failed: {' / '.join(tail)}") from None
    except subprocess.TimeoutExpired:
        raise BuildError(
            f"go install {module}@{version} took over {INSTALL_TIMEOUT_S:.0f} s"
        ) from None
    return binary
