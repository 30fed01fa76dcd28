"""Every GraphQL document casebridge's production code can send to Shopify, found generically.

Documents are collected, not listed, so a new one is covered the day it is
written: every module under ``connectors`` and ``streams`` (the emulator,
which answers documents rather than sending them, excepted) is imported, and
every string among its module-level values (also inside dicts, lists, tuples
and class attributes) that parses as a GraphQL document with an operation is
one. Fragment-only strings are pieces spliced into the operations that use
them, so they are checked through those.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from graphql import DocumentNode, GraphQLSyntaxError, OperationDefinitionNode, parse

from tests.unit.connectors.shopify.contracts import PROJECT_ROOT

PACKAGES = ("connectors", "streams")
#: Packages that serve GraphQL rather than send it (the emulator answers the documents).
EXCLUDED = ("emulators.shopify",)
#: Strings that cannot be a document are skipped before parsing (most constants).
_MARKERS = ("query", "mutation", "subscription", "{")


@dataclass(frozen=True)
class Document:
    """One document: where it was found and its parsed form."""

    where: str
    text: str
    ast: DocumentNode

    @property
    def operations(self) -> list[str]:
        """The names of the operations it defines (``<anonymous>`` for unnamed ones)."""
        return [
            d.name.value if d.name else "<anonymous>"
            for d in self.ast.definitions
            if isinstance(d, OperationDefinitionNode)
        ]


def _modules() -> Iterator[ModuleType]:
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        yield package
        prefix = f"{package_name}."
        for info in pkgutil.walk_packages(package.__path__, prefix):
            if info.name.startswith(EXCLUDED) or info.name.endswith("__main__"):
                continue
            yield importlib.import_module(info.name)


def _strings(value: Any, where: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif depth > 3:
        return
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, f"{where}[{key!r}]", depth + 1)
    elif isinstance(value, list | tuple | frozenset | set):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]", depth + 1)
    elif isinstance(value, type):
        for name, item in vars(value).items():
            if not name.startswith("__"):
                yield from _strings(item, f"{where}.{name}", depth + 1)


def _as_document(text: str) -> DocumentNode | None:
    if "{" not in text or not any(marker in text for marker in _MARKERS):
        return None
    try:
        ast = parse(text)
    except GraphQLSyntaxError:
        return None
    has_operation = any(isinstance(d, OperationDefinitionNode) for d in ast.definitions)
    return ast if has_operation else None


def discover() -> list[Document]:
    """Every distinct operation document of the production code, first finder wins."""
    found: dict[str, Document] = {}
    for module in _modules():
        for name, value in vars(module).items():
            if name.startswith("__") or isinstance(value, ModuleType):
                continue
            owner = getattr(value, "__module__", module.__name__)
            if isinstance(value, type) and owner != module.__name__:
                continue  # an imported class is scanned in its own module
            for where, text in _strings(value, f"{module.__name__}.{name}"):
                if text in found:
                    continue
                ast = _as_document(text)
                if ast is not None:
                    found[text] = Document(where, text, ast)
    return sorted(found.values(), key=lambda d: d.where)


__all__ = ["PROJECT_ROOT", "Document", "discover"]
