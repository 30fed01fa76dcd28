"""Shopify's real Admin schema (``../shared/contracts/shopify/``) for the contract tests.

The SDL files live beside the project, not in it (their README says why), so
every test that needs one skips, saying where it looked, when the folder is
absent. ``CASEBRIDGE_SHOPIFY_CONTRACTS`` points elsewhere (a CI layout with
shared/ somewhere else).
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema

PROJECT_ROOT = Path(__file__).resolve().parents[4]
_ENV = "CASEBRIDGE_SHOPIFY_CONTRACTS"
_FILE = re.compile(r"^admin-(\d{4}-\d{2})\.schema\.graphql$")


def contracts_dir() -> Path | None:
    """The folder with ``admin-<version>.schema.graphql`` files, or ``None``."""
    configured = os.environ.get(_ENV)
    if configured:
        return Path(configured) if Path(configured).is_dir() else None
    # ../shared from the project root; a worktree or a CI clone may sit one level deeper.
    for parent in (PROJECT_ROOT, *PROJECT_ROOT.parents[:2]):
        candidate = parent.parent / "shared" / "contracts" / "shopify"
        if candidate.is_dir():
            return candidate
    return None


def available_versions() -> list[str]:
    """Every API version with a schema file, oldest first (``[]`` without the folder)."""
    folder = contracts_dir()
    if folder is None:
        return []
    found = (_FILE.match(p.name) for p in folder.iterdir())
    return sorted(m.group(1) for m in found if m)


def skip_without_contracts() -> Path:
    """The contracts folder, or skip the calling test with the reason."""
    folder = contracts_dir()
    if folder is None:
        pytest.skip(
            "Shopify's real schema is not here: no ../shared/contracts/shopify beside "
            f"{PROJECT_ROOT} (set {_ENV} to its folder); contract checks skipped"
        )
    return folder


@functools.cache
def real_schema(version: str) -> GraphQLSchema:
    """Shopify's schema of ``version``; skips when the folder is absent, fails when the file is."""
    folder = skip_without_contracts()
    path = folder / f"admin-{version}.schema.graphql"
    if not path.is_file():
        pytest.fail(f"{folder} has no schema for API version {version} ({path.name})")
    # assume_valid: Shopify's schema trips a deprecation rule graphql-core 3.3 enforces
    # on schemas; validating documents against it is unaffected (see the folder's README).
    return build_schema(path.read_text(encoding="utf-8"), assume_valid=True)
