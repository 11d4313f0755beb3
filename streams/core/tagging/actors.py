"""Actors: the curated list of named actors, and role nouns bound to a country.

"Antony Blinken" comes from data/actors.toml; "Kazakh authorities", "Russia's foreign ministry"
and "protesters in Almaty" are role nouns (authorities, ministry, protesters) bound to the country
named right before or after them; a country or capital used as a subject ("Washington said")
is the state itself.

>>> from streams.core.tagging.gazetteer import Gazetteer
>>> from streams.core.tagging.matcher import Matcher
>>> lex = ActorLexicon.default()
>>> text = "Kazakh authorities met Antony Blinken while protesters in Almaty marched."
>>> places = Gazetteer.default().find(text)
>>> hits = Matcher(lex.entries()).find(text)
>>> [(a.name, a.type, a.country) for a in lex.resolve(text, hits, places)]
[('Kazakhstan government', 'GOV', 'KAZ'), ('Antony Blinken', 'GOV', 'USA'), ('Kazakhstan civilians', 'CVL', 'KAZ')]
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from streams.core.tagging import data
from streams.core.tagging.gazetteer import PlaceMention
from streams.core.tagging.matcher import COMMON, PROPER, Entry, Hit
from streams.core.tagging.places import short_names

ACTOR_LAYER = 1
ROLE_LAYER = 2
LABELS = {
    "GOV": "government", "MIL": "military", "COP": "police", "CVL": "civilians", "REB": "rebels",
    "OPP": "opposition", "JUD": "judiciary", "MED": "media", "BUS": "business", "LEG": "legislature",
}  # fmt: skip
STATE_KINDS = frozenset({"name", "capital", "institution"})
_BEFORE_GAP = re.compile(
    r"(?:-(?:led|backed|based|controlled|allied|aligned|supported|sponsored|trained|run)|['’]s)?"
    r"(?:\s+(?!(?:said|says|sent|and|or|in|on|at|to|the|a|an|of|with|by|has|have|had|was|were|is|are|"
    r"will|would|that|for|as|its|their|his|her|from)\b)[a-z][a-z-]*){0,2}\s+$"
)
_AFTER_GAP = re.compile(r"\s+(?:in|of|from|for)\s+(?:the\s+)?$")
_STATE_BLOCK = frozenset(
    ["in", "at", "near", "across", "throughout", "outside", "inside", "into", "from", "to", "of", "within", "via"]
)


@dataclass(frozen=True, slots=True)
class ActorInfo:
    name: str
    type: str
    country: str | None


class ActorMention(NamedTuple):
    """An actor at [start, end) of the text."""

    start: int
    end: int
    name: str
    type: str
    country: str | None


class ActorLexicon:
    """Curated actors and role nouns from data/actors.toml, resolved against place mentions."""

    def __init__(self) -> None:
        config = data.load("actors.toml")
        self._named: list[tuple[str, ActorInfo]] = []
        for item in [*config["people"], *config["organisations"]]:
            info = ActorInfo(item["name"], item["type"], item.get("country") or None)
            self._named.extend((form, info) for form in [item["name"], *item["aliases"]])
        self._roles = [(noun, kind) for kind, nouns in config["roles"].items() for noun in nouns]
        self._short = short_names()

    @classmethod
    @cache
    def default(cls) -> ActorLexicon:
        return cls()

    def entries(self) -> Iterator[tuple[str, Entry]]:
        for form, info in self._named:
            yield form, Entry(ACTOR_LAYER, PROPER, info)
        for noun, kind in self._roles:
            yield noun, Entry(ROLE_LAYER, COMMON, kind)

    def name_of(self, code: str | None, kind: str) -> str:
        """Canonical name of a country's sector ("Russia military"), or the bare label."""
        return f"{self._short.get(code, code)} {LABELS[kind]}" if code else LABELS[kind]

    def resolve(self, text: str, hits: dict[int, list[Hit]], places: list[PlaceMention]) -> list[ActorMention]:
        """Named actors, bound role nouns and states acting as subjects, in text order."""
        found = [
            ActorMention(h.start, h.end, h.entry.value.name, h.entry.value.type, h.entry.value.country)
            for h in hits.get(ACTOR_LAYER, [])
        ]
        used: set[int] = set()
        starts, ends = [p.start for p in places], [p.end for p in places]
        for hit in hits.get(ROLE_LAYER, []):
            # Places are in text order and do not overlap: only those ending less than 40 characters
            # before the role noun or starting less than 12 after it can bind to it.
            nearby = range(bisect_right(ends, hit.start - 40), bisect_left(starts, hit.end + 12))
            code = self._bind(text, hit, places, nearby, used)
            found.append(ActorMention(hit.start, hit.end, self.name_of(code, hit.entry.value), hit.entry.value, code))
        found.extend(self._states(text, places, used))
        found.sort(key=lambda a: a.start)
        return found

    def _bind(self, text: str, hit: Hit, places: list[PlaceMention], nearby: range, used: set[int]) -> str | None:
        for index in nearby:
            place = places[index]
            if place.end <= hit.start and hit.start - place.end < 40:
                if _BEFORE_GAP.fullmatch(text, place.end, hit.start):
                    used.add(index)
                    return place.code
            elif 0 <= place.start - hit.end < 12 and _AFTER_GAP.fullmatch(text, hit.end, place.start):
                used.add(index)
                return place.code
        return None

    def _states(self, text: str, places: list[PlaceMention], used: set[int]) -> Iterator[ActorMention]:
        for index, place in enumerate(places):
            if index in used or place.kind not in STATE_KINDS:
                continue
            before = text[max(0, place.start - 12) : place.start].split()
            prev = before[-1].lower() if before else ""
            if prev == "the" and len(before) > 1:
                prev = before[-2].lower()
            if prev not in _STATE_BLOCK:
                yield ActorMention(place.start, place.end, self._short.get(place.code, place.code), "GOV", place.code)
