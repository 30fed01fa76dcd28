"""Typed, fail-clearly access to Shopify's REST-shaped webhook payloads.

Payloads are untrusted JSON. Every rule reads them through :class:`Fields`,
which checks types and raises :class:`ClassificationError` naming the field
path (``line_items[2].quantity: expected an integer, got 'two'``) instead of
leaking a ``KeyError``. Ids come back as text because Shopify's 64-bit ids
exceed 2^53 and GraphQL global ids (``gid://shopify/Order/123``) are reduced
to their numeric tail, so REST and GraphQL forms of one id compare equal.
Money comes back as :class:`~decimal.Decimal`, never ``float``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from streams.classify.rules.errors import ClassificationError

_GID = re.compile(r"^gid://shopify/[A-Za-z]+/([^/?]+)")
# At most 20 digits: 2^64 has 20; longer text is refused before int() converts it.
_MAX_INTEGER_DIGITS = 20
_INTEGER_TEXT = re.compile(rf"\s*-?\d{{1,{_MAX_INTEGER_DIGITS}}}\s*")
_INT64_MIN = -(2**63)
_UINT64_MAX = 2**64 - 1
_EXCERPT = 60
# Exponents a money amount may have: 10^-40 .. 10^30 (any real amount, written out short).
_DECIMAL_RANGE = (-40, 30)


def parse_json_object(text: str, what: str = "payload") -> Fields:
    """Parse JSON ``text`` that must be an object.

    The last few results are cached: the agent and several rules read the
    same record's payload, and parsing it was the classify stage's largest
    single cost. Callers only read the result (nothing here mutates it).
    """
    return _parse_json_object(text, what)


@lru_cache(maxsize=8)
def _parse_json_object(text: str, what: str) -> Fields:
    try:
        data = json.loads(text, parse_float=Decimal)
    except RecursionError:
        # Ingress refuses such bodies, but a record can reach the topic another way
        # (a replay, another producer): the stage must dead-letter it, not crash.
        raise ClassificationError(f"{what} is not valid JSON: nested too deeply") from None
    except (json.JSONDecodeError, TypeError) as exc:
        raise ClassificationError(f"{what} is not valid JSON: {exc}") from None
    except ValueError:
        # Python's limit on the digits of one integer (no Shopify value comes close).
        raise ClassificationError(
            f"{what} is not valid JSON: a number has over {sys.get_int_max_str_digits()} digits"
        ) from None
    if not isinstance(data, dict):
        raise ClassificationError(f"{what} must be a JSON object, got {type(data).__name__}")
    return Fields(data)


def normalise_id(value: str) -> str:
    """``gid://shopify/Order/123`` → ``123``; other ids unchanged (stripped)."""
    value = value.strip()
    match = _GID.match(value)
    return match.group(1) if match else value


class Fields:
    """A JSON object with typed getters; ``path`` prefixes every error message."""

    __slots__ = ("data", "path")

    def __init__(self, data: dict[str, Any], path: str = "") -> None:
        self.data = data
        self.path = path

    def _where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _fail(self, key: str, expected: str, value: object) -> ClassificationError:
        return ClassificationError(
            f"{self._where(key)}: expected {expected}, got {_excerpt(value)}"
        )

    def has(self, key: str) -> bool:
        """True when ``key`` is present and not null."""
        return self.data.get(key) is not None

    def raw(self, key: str) -> Any:
        """The value as parsed from JSON (None when absent)."""
        return self.data.get(key)

    def ident(self, key: str) -> str | None:
        """An id (integer or string, GraphQL gid reduced to its tail), or None."""
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            raise self._fail(key, "an id", value)
        if isinstance(value, int):
            return str(value)
        if isinstance(value, str) and value.strip():
            return normalise_id(value)
        raise self._fail(key, "an id", value)

    def require_ident(self, *keys: str) -> str:
        """The first present id among ``keys``; an error when none is present."""
        for key in keys:
            found = self.ident(key)
            if found is not None:
                return found
        raise ClassificationError(f"{self._where(keys[0])}: missing id")

    def text(self, key: str) -> str | None:
        """A string (numbers are accepted and converted), or None when absent/null."""
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return str(value)
        raise self._fail(key, "a string", value)

    def decimal(self, key: str) -> Decimal | None:
        """A decimal amount from a string or number, or None."""
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise self._fail(key, "a decimal amount", value)
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise self._fail(key, "a decimal amount", value) from None
        if not amount.is_finite():
            raise self._fail(key, "a finite decimal amount", value)
        if not (amount.adjusted() <= _DECIMAL_RANGE[1] and _exponent(amount) >= _DECIMAL_RANGE[0]):
            # 1e999999 is finite, but written out as a plain decimal it is a megabyte.
            raise self._fail(key, "a decimal amount of a sane magnitude", value)
        return amount

    def integer(self, key: str) -> int | None:
        """An integer (also from a string of digits) within 64 bits, or None.

        Shopify's counts and quantities fit in 64 bits; a longer number is bad
        input, and converting it (``int("9" * 5000)``, ``1e999999``) would
        fail or cost far more than a payload is worth.
        """
        value = self.data.get(key)
        if value is None:
            return None
        found: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            found = value
        elif (isinstance(value, str) and _INTEGER_TEXT.fullmatch(value)) or (
            isinstance(value, Decimal)
            and value.is_finite()
            and value.adjusted() < _MAX_INTEGER_DIGITS
            and value == value.to_integral_value()
        ):
            found = int(value)
        if found is None or not _INT64_MIN <= found <= _UINT64_MAX:
            raise self._fail(key, "an integer", value)
        return found

    def timestamp(self, key: str) -> datetime | None:
        """An ISO-8601 timestamp as an aware UTC datetime, or None."""
        value = self.text(key)
        if value is None or not value.strip():
            return None
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise self._fail(key, "an ISO-8601 timestamp", value) from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)

    def obj(self, key: str) -> Fields | None:
        """A nested object, or None."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self._fail(key, "an object", value)
        return Fields(value, self._where(key))

    def objects(self, key: str) -> list[Fields]:
        """A list of objects (empty when absent)."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._fail(key, "a list", value)
        found: list[Fields] = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise ClassificationError(
                    f"{self._where(key)}[{index}]: expected an object, got {_excerpt(item)}"
                )
            found.append(Fields(item, f"{self._where(key)}[{index}]"))
        return found

    def tags(self, key: str = "tags") -> list[str]:
        """Shopify tags: a comma-separated string (REST) or a list of strings."""
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [tag.strip() for tag in value.split(",") if tag.strip()]
        if isinstance(value, list) and all(isinstance(tag, str) for tag in value):
            return [tag.strip() for tag in value if tag.strip()]
        raise self._fail(key, "a comma-separated string or a list of tags", value)


def _excerpt(value: object) -> str:
    """``value`` for an error message, short whatever it is.

    The message becomes a DLQ reason header: a hostile payload must not put a
    megabyte of text in it, nor a nested list whose ``repr`` recurses too deep.
    """
    if isinstance(value, dict):
        return f"an object of {len(value)} keys"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of {value.bit_length()} bits"
    if (
        isinstance(value, Decimal)
        and not _DECIMAL_RANGE[0] <= _exponent(value) <= _DECIMAL_RANGE[1]
    ):
        return f"a number of magnitude 1e{value.adjusted()}"
    text = repr(value)
    return f"{text[:_EXCERPT]}... ({len(text)} characters)" if len(text) > _EXCERPT else text


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def to_json(value: Any) -> str:
    """Compact, key-sorted JSON (Decimals as strings) for JSON variables."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def matching_tags(tags: Iterable[str], wanted: Iterable[str]) -> list[str]:
    """The ``wanted`` tags present in ``tags``, compared case-insensitively, in ``wanted`` order."""
    have = {tag.casefold() for tag in tags}
    return [tag for tag in wanted if tag.casefold() in have]


@lru_cache(maxsize=256)
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    # Word boundaries so "late" does not match "chocolate"; any run of
    # whitespace matches the spaces of a phrase.
    body = r"\s+".join(re.escape(part) for part in keyword.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def find_keywords(text: str, keywords: Iterable[str]) -> list[str]:
    """The keywords (words or phrases) that occur in ``text``, case-insensitively."""
    if not text:
        return []
    return [keyword for keyword in keywords if _keyword_pattern(keyword).search(text)]
