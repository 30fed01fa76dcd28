"""The webhook topics a store is subscribed to: one list, its README table, its rules."""

from __future__ import annotations

import re
from pathlib import Path

from connectors.shopify.webhooks import SUBSCRIBED_TOPICS
from streams.classify.rules import is_known_topic

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_topics() -> list[str]:
    """The topics in the first column of the README's "Webhook subscriptions" table."""
    section = README.read_text(encoding="utf-8").split("### Webhook subscriptions", 1)[1]
    rows = [line for line in section.split("\n\n", 3)[2].splitlines() if line.startswith("| `")]
    return [
        topic for row in rows for topic in re.findall(r"`([a-z_]+/[a-z_]+)`", row.split("|")[1])
    ]


def test_the_readme_lists_exactly_the_subscribed_topics() -> None:
    listed = readme_topics()
    assert len(listed) == len(set(listed))
    assert set(listed) == set(SUBSCRIBED_TOPICS)


def test_every_subscribed_topic_has_a_rule() -> None:
    assert len(SUBSCRIBED_TOPICS) == len(set(SUBSCRIBED_TOPICS))
    assert [t for t in SUBSCRIBED_TOPICS if not is_known_topic(t)] == []
