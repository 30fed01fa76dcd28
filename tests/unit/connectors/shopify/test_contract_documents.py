"""Contract: every document casebridge sends validates against Shopify's real schema.

Checked for the default API version and the next quarterly one (and any other
version whose schema is in ``../shared/contracts/shopify/``). A version whose
file is missing fails for the default version (its schema must be there) and
skips for the next one (Shopify has not published it yet).
"""

from __future__ import annotations

import re

import pytest
from graphql import validate

from connectors.shopify import documents
from connectors.shopify.versions import DEFAULT_API_VERSION, next_version
from streams.settings import ShopifySettings
from tests.unit.connectors.shopify.contracts import (
    PROJECT_ROOT,
    available_versions,
    contracts_dir,
    real_schema,
)
from tests.unit.connectors.shopify.documents import PACKAGES, Document, discover

DOCUMENTS = discover()
NEXT_VERSION = next_version(DEFAULT_API_VERSION)
VERSIONS = sorted({DEFAULT_API_VERSION, NEXT_VERSION, *available_versions()})
_OPERATION = re.compile(r"\b(?:query|mutation)\s+(Casebridge\w+)")


def _schema_or_skip(version: str):  # type: ignore[no-untyped-def]
    folder = contracts_dir()
    if (
        version != DEFAULT_API_VERSION
        and folder is not None
        and not (folder / f"admin-{version}.schema.graphql").is_file()
    ):
        pytest.skip(f"no schema for Shopify API version {version} in {folder} yet")
    return real_schema(version)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.where)
def test_document_validates_against_the_real_schema(document: Document, version: str) -> None:
    schema = _schema_or_skip(version)
    errors = validate(schema, document.ast)
    assert not errors, f"{document.where} is invalid on {version}: " + "; ".join(
        e.message for e in errors
    )


def test_discovery_finds_every_document() -> None:
    # The generic discovery must at least see the client's catalogue ...
    found = {name for d in DOCUMENTS for name in d.operations}
    assert set(documents.DOCUMENTS) <= found
    # ... and every named operation written anywhere in the production source, so a
    # document built inside a function (out of the discovery's reach) fails here.
    written: set[str] = set()
    for package in PACKAGES:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            if "emulator" in path.parts:
                continue
            written.update(_OPERATION.findall(path.read_text(encoding="utf-8")))
    assert written <= found, f"not discovered: {sorted(written - found)}"


def test_every_document_lives_in_the_documents_package() -> None:
    # One place for every document the client sends: connectors/shopify/documents/.
    home = PROJECT_ROOT / "connectors" / "shopify" / "documents"
    elsewhere = {
        f"{path.relative_to(PROJECT_ROOT)}: {name}"
        for package in PACKAGES
        for path in (PROJECT_ROOT / package).rglob("*.py")
        if not path.is_relative_to(home)
        for name in _OPERATION.findall(path.read_text(encoding="utf-8"))
    }
    assert elsewhere == set()
    assert {name for d in DOCUMENTS for name in d.operations} == set(documents.DOCUMENTS)


def test_operation_names_are_unique() -> None:
    names = [name for d in DOCUMENTS for name in d.operations]
    assert len(names) == len(set(names))


def test_the_default_version_is_the_settings_default() -> None:
    assert ShopifySettings().api_version == DEFAULT_API_VERSION
