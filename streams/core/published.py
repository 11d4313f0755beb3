"""The one rule for an article's `published_at`, wherever articles enter.

The worker's ingest edge and `geopulse tag`/`replay` both apply it (through
`streams.core.ingest.validate_article`), so live and offline runs window the same articles alike:

- a time with a zone (`2022-01-10T06:05:00Z`, `2022-01-10T12:05:00+06:00`) is that instant;
- a time without a zone (`2022-01-10T06:05:00`) is read as UTC;
- a date without a time (`2022-01-10`) or no time at all makes the article invalid
  (`invalid_article`): the worker dead-letters it, tag and replay report it and skip it.
  A made-up time would put it in a wrong window.

>>> with_zone({"published_at": "2022-01-10T06:05:00"})["published_at"]
'2022-01-10T06:05:00+00:00'
>>> with_zone({"published_at": "2022-01-10T12:05:00+06:00"})["published_at"]
'2022-01-10T12:05:00+06:00'
>>> with_zone({"title": "t"})
Traceback (most recent call last):
...
streams.errors.InvalidMessage: published_at: missing; an article needs its publication time, e.g. 2022-01-10T06:05:00Z
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from streams.errors import InvalidMessage

MISSING = "published_at: missing; an article needs its publication time, e.g. 2022-01-10T06:05:00Z"


def with_zone(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with a zone-less ISO `published_at` read as UTC; InvalidMessage when there is none."""
    value = data.get("published_at")
    if value is None or value == "":
        raise InvalidMessage("invalid_article", MISSING)
    if not isinstance(value, str):
        return data  # numbers (unix seconds) and anything else are the model's to judge
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return data  # not ISO 8601: the model says why
    if parsed.tzinfo is not None or ":" not in value:  # zoned, or a bare date (no hour to window by)
        return data
    return {**data, "published_at": parsed.replace(tzinfo=UTC).isoformat()}
