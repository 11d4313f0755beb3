"""The name of one series: a country and a topic, written `"COUNTRY|topic"` in store keys and APIs.

>>> key = SeriesKey.parse("KAZ|unrest")
>>> key.country, key.topic, str(key)
('KAZ', 'unrest', 'KAZ|unrest')
>>> str(SeriesKey("KAZ", "all")) == "KAZ|all", SeriesKey.parse("KAZ|a|b").topic
(True, 'a|b')
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["SeriesKey"]


class SeriesKey(NamedTuple):
    """A series' country and topic; `str()` gives the `"COUNTRY|topic"` form stored and shown."""

    country: str
    topic: str

    @classmethod
    def parse(cls, text: str) -> SeriesKey:
        """The key of `"COUNTRY|topic"` (the topic is everything after the first `|`)."""
        country, topic = text.split("|", 1)
        return cls(country, topic)

    def __str__(self) -> str:
        return f"{self.country}|{self.topic}"
