"""The emulator parses and validates each distinct GraphQL document once (LRU cache)."""

from __future__ import annotations

import pytest
from graphql import GraphQLError

from emulators.shopify import instance as emulator_instance
from emulators.shopify.app import create_app
from emulators.shopify.instance import EMULATOR


def test_the_same_query_text_reuses_one_parsed_document() -> None:
    emu = create_app()[EMULATOR]
    query = "query { shop { name } }"

    first, first_errors = emu.document(query)
    again, again_errors = emu.document(query)

    assert again is first and first_errors == again_errors == []


def test_validation_errors_are_cached_with_the_document() -> None:
    emu = create_app()[EMULATOR]

    _, errors = emu.document("query { noSuchField }")
    _, cached = emu.document("query { noSuchField }")

    assert errors and cached is errors
    assert "noSuchField" in errors[0].message


def test_text_that_does_not_parse_raises_and_is_not_cached() -> None:
    emu = create_app()[EMULATOR]
    with pytest.raises(GraphQLError):
        emu.document("query {")
    assert "query {" not in emu.documents


def test_the_cache_keeps_only_the_most_recently_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emulator_instance, "DOCUMENT_CACHE_SIZE", 2)
    emu = create_app()[EMULATOR]
    a, b, c = (
        "query A { shop { name } }",
        "query B { shop { name } }",
        "query C { shop { name } }",
    )

    emu.document(a)
    emu.document(b)
    emu.document(a)  # a is now the most recent
    emu.document(c)  # evicts b

    assert list(emu.documents) == [a, c]
