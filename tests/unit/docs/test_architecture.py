"""``docs/architecture.md`` against the tree: the map names every package and every topic."""

from __future__ import annotations

import re
from pathlib import Path

from schemas import TOPIC_RECORDS
from streams.topics import WATERMARKS

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "architecture.md").read_text()
#: Top-level folders that are not Python packages of the project but are in the map.
TOP_LEVEL = ("schemas", "connectors", "streams", "deploy", "bench", "tests")


def named() -> set[str]:
    """Every `code` span outside the fenced diagram."""
    prose = re.sub(r"^```.*?^```", "", DOC, flags=re.MULTILINE | re.DOTALL)
    return set(re.findall(r"`([^`\n]+)`", prose))


def test_every_top_level_folder_is_in_the_map() -> None:
    for folder in TOP_LEVEL:
        assert f"{folder}/" in named(), folder
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages <= set(TOP_LEVEL), f"not in the map: {sorted(packages - set(TOP_LEVEL))}"


def test_every_streams_package_is_in_the_map() -> None:
    packages = sorted(
        p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "streams").glob("*/__init__.py")
    )
    missing = [p for p in packages if p not in named()]
    assert not missing, f"packages missing from docs/architecture.md: {missing}"


def test_every_topic_is_in_the_topic_table() -> None:
    rows = {m.group(1) for m in re.finditer(r"^\| `([^`]+)` \|", DOC, flags=re.MULTILINE)}
    for topic in (*TOPIC_RECORDS, WATERMARKS):
        assert topic in rows, topic
    for topic, record in TOPIC_RECORDS.items():
        assert re.search(rf"^\| `{re.escape(topic)}` \| `{record}`", DOC, flags=re.MULTILINE)
