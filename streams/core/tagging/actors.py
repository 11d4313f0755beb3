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
from operator import itemgetter
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
HOMED = frozenset({"GOV", "MIL", "COP", "CVL", "OPP", "REB", "JUD"})  # sectors that default to the home country
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


_mention = tuple.__new__  # ActorMention(...) without NamedTuple's Python-level __new__
_START = itemgetter(0)


def _binds_before(gap: str) -> bool:
    """Whether a place this far before a role noun names its country ("Kazakh police", "Iran's army")."""
    if gap.isspace():  # most often one space: a gap _BEFORE_GAP accepts
        return True
    # _BEFORE_GAP allows a suffix and two words: more whitespace-separated pieces never match.
    return len(gap.split(None, 3)) <= 3 and _BEFORE_GAP.fullmatch(gap) is not None


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
        self._names: dict[tuple[str | None, str], str] = {}  # name_of, per (country, sector) seen

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
        name = self._names.get((code, kind))
        if name is None:
            name = self._names[code, kind] = f"{self._short.get(code, code)} {LABELS[kind]}" if code else LABELS[kind]
        return name

    def resolve(
        self, text: str, hits: dict[int, list[Hit]], places: list[PlaceMention], home: str | None = None
    ) -> list[ActorMention]:
        """Named actors, bound role nouns and states acting as subjects, in text order.

        With a `home` country, a domestic actor of no country ("police") belongs to it.
        """
        found = [
            _mention(ActorMention, (start, end, entry.value.name, entry.value.type, entry.value.country))
            if entry.value.country or not home or entry.value.type not in HOMED
            else self._homed(start, end, entry.value.type, home)
            for start, end, entry in hits.get(ACTOR_LAYER, ())
        ]
        used: set[int] = set()
        roles = hits.get(ROLE_LAYER)
        if roles:
            starts, ends = [p[0] for p in places], [p[1] for p in places]
            names = self._names
            for hit in roles:
                start, end, entry = hit
                # Places are in text order and do not overlap: only those ending less than 40 characters
                # before the role noun or starting less than 12 after it can bind to it.
                nearby = range(bisect_right(ends, start - 40), bisect_left(starts, end + 12))
                code = self._bind(text, hit, places, nearby, used) if nearby else None
                kind = entry.value
                if not code and home and kind in HOMED:
                    code = home
                name = names.get((code, kind)) or self.name_of(code, kind)
                found.append(_mention(ActorMention, (start, end, name, kind, code)))
        found.extend(self._states(text, places, used))
        found.sort(key=_START)
        return found

    def _homed(self, start: int, end: int, kind: str, home: str) -> ActorMention:
        return _mention(ActorMention, (start, end, self.name_of(home, kind), kind, home))

    def _bind(self, text: str, hit: Hit, places: list[PlaceMention], nearby: range, used: set[int]) -> str | None:
        for index in nearby:
            place = places[index]
            if place.end <= hit.start and hit.start - place.end < 40:
                if _binds_before(text[place.end : hit.start]):
                    used.add(index)
                    return place.code
            elif 0 <= place.start - hit.end < 12 and _AFTER_GAP.fullmatch(text, hit.end, place.start):
                used.add(index)
                return place.code
        return None

    def _states(self, text: str, places: list[PlaceMention], used: set[int]) -> list[ActorMention]:
        """Country names, capitals and institutions not bound to a role noun, acting as governments."""
        states = []
        for index, (start, end, code, kind) in enumerate(places):
            if kind not in STATE_KINDS or index in used:
                continue
            before = text[max(0, start - 12) : start].split()
            prev = before[-1].lower() if before else ""
            if prev == "the" and len(before) > 1:
                prev = before[-2].lower()
            if prev not in _STATE_BLOCK:  # every resolved place has a country code
                states.append(_mention(ActorMention, (start, end, self._short.get(code, code), "GOV", code)))
        return states
