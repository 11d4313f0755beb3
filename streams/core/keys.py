"""The name of one series: a country and a topic, written `"COUNTRY|topic"` in store keys and APIs.

>>> key = SeriesKey.parse("KAZ|unrest")
>>> key.country, key.topic, str(key)
('KAZ', 'unrest', 'KAZ|unrest')
>>> str(SeriesKey("KAZ", "all")) == "KAZ|all", SeriesKey.parse("KAZ|a|b").topic
(True, 'a|b')
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

__all__ = ["SeriesKey"]


class SeriesKey(NamedTuple):
    """A series' country and topic; `str()` gives the `"COUNTRY|topic"` form stored and shown."""

    country: str
    topic: str

    @classmethod
    def parse(cls, text: str) -> SeriesKey:
        """The key of `"COUNTRY|topic"` (the topic is everything after the first `|`)."""
        return _parse(text)

    def __str__(self) -> str:
        return f"{self.country}|{self.topic}"


@lru_cache(maxsize=1 << 14)  # read per article and window by the trackers; series are countries x topics
def _parse(text: str) -> SeriesKey:
    country, topic = text.split("|", 1)
    return SeriesKey(country, topic)
