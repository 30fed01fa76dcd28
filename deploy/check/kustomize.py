"""Build kustomize once from the Go module proxy and render overlays with it.

The binary lives outside the repository, in ``$XDG_CACHE_HOME/casebridge/go``
(``~/.cache/casebridge/go``), and is reused by later runs. kustomize 5.7.1 is
the newest release that builds with Go 1.26; 5.8 needs Go 1.27.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5"
KUSTOMIZE_VERSION = "v5.7.1"
INSTALL_TIMEOUT_S = 900.0


class ToolUnavailable(Exception):
    """A tool the check needs cannot be had here; the check is skipped, not failed."""


class RenderError(Exception):
    """kustomize could not build an overlay."""


def go_cache_dir() -> Path:
    """The GOPATH kustomize is built into, outside the repository."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "casebridge" / "go"


def ensure_kustomize(cache: Path | None = None) -> Path:
    """The path of a kustomize binary, building it with ``go install`` on first use.

    ``CASEBRIDGE_KUSTOMIZE`` names a binary to use instead.

    Raises:
        ToolUnavailable: no ``go`` on PATH (and no binary built before).
        RenderError: ``go install`` failed.
    """
    override = os.environ.get("CASEBRIDGE_KUSTOMIZE")
    if override:
        return Path(override)
    gopath = cache or go_cache_dir()
    binary = gopath / "bin" / "kustomize"
    if binary.is_file():
        return binary
    go = shutil.which("go")
    if go is None:
        raise ToolUnavailable(
            "go is not on PATH: cannot build kustomize "
            f"({KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION}); install Go >= 1.24 to render the overlays"
        )
    env = dict(os.environ, GOPATH=str(gopath), GOFLAGS="-modcacherw", GOTOOLCHAIN="local")
    try:
        subprocess.run(
            [go, "install", f"{KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION}"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
        )
    except subprocess.CalledProcessError as exc:
        tail = (exc.stderr or "").strip().splitlines()[-3:]
        raise RenderError(f"go install {KUSTOMIZE_MODULE} failed: {' / '.join(tail)}") from None
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"go install {KUSTOMIZE_MODULE} took over {INSTALL_TIMEOUT_S:.0f} s"
        ) from None
    return binary


def render(kustomize: Path, directory: Path) -> list[dict[str, Any]]:
    """``kustomize build directory`` as a list of documents.

    Raises:
        RenderError: kustomize exited non-zero (its message is kept).
    """
    result = subprocess.run(
        [str(kustomize), "build", str(directory)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RenderError(result.stderr.strip() or f"kustomize exited {result.returncode}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if isinstance(doc, dict)]
