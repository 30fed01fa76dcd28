"""Build kustomize once from the Go module proxy and render overlays with it.

The binary lives outside the repository, in ``$XDG_CACHE_HOME/casebridge/go``
(``~/.cache/casebridge/go``, see :mod:`deploy.check.gotools`), and is reused by
later runs. kustomize 5.7.1 is the newest release that builds with Go 1.26;
5.8 needs Go 1.27.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from deploy.check.gotools import BuildError, ToolUnavailable, ensure_go_tool, go_cache_dir

__all__ = ["RenderError", "ToolUnavailable", "ensure_kustomize", "go_cache_dir", "render"]

KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5"
KUSTOMIZE_VERSION = "v5.7.1"


class RenderError(Exception):
    """kustomize could not be built or could not build an overlay."""


def ensure_kustomize(cache: Path | None = None) -> Path:
    """The path of a kustomize binary, building it with ``go install`` on first use.

    ``CASEBRIDGE_KUSTOMIZE`` names a binary to use instead.

    Raises:
        ToolUnavailable: no ``go`` on PATH (and no binary built before).
        RenderError: ``go install`` failed.
    """
    try:
        return ensure_go_tool(
            KUSTOMIZE_MODULE,
            KUSTOMIZE_VERSION,
            "kustomize",
            override_env="CASEBRIDGE_KUSTOMIZE",
            cache=cache,
        )
    except BuildError as exc:
        raise RenderError(str(exc)) from None


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
