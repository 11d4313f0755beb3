"""Countries marked on what an event is done to or by: "an Iranian oil platform", "two of its platforms".

A role noun bound to a country is an actor already ("Iranian troops", actors.py). A country's
installations, vessels, aircraft, territory and people are not actors, but by the coding rules
they stand for it: "U.S. warships attacked an Iranian oil platform" is an assault on Iran. So the
noun phrase right after a trigger (its object) or right before it (its subject) names a country
when a demonym marks it and one of those holdings heads it (data/actors.toml `[holdings]`); "its"
and "their" mark it too, for the caller to resolve. Goods and markets ("Iranian oil prices") are
no holdings, and a compound ("Soviet-made missiles", "U.S.-flagged tanker") names a maker or a
flag, not an owner. A wrapped wire line ("an Iranian oil\\nplatform") is read across when the
next line goes on in lower case.

>>> from streams.core.tagging.gazetteer import Gazetteer
>>> text = "Jets attacked two Iranian oil platforms and Soviet-made missiles hit Iranian oil prices."
>>> demonyms = Marks.of(Gazetteer.default().find(text))
>>> holdings = Holdings.default()
>>> holdings.after(text, len("Jets attacked"), demonyms), holdings.before(text, text.index("hit"), demonyms)
(Mark(start=18, code='IRN'), None)
>>> holdings.after(text, text.index("hit") + 3, demonyms) is None
True
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from streams.core.tagging import data
from streams.core.tagging.gazetteer import PlaceMention

# The next word after a position: across spaces, or a line break when the next line goes on in
# lower case (a hard-wrapped sentence, not a new paragraph or headline).
_NEXT = re.compile(r"(?:[ \t]+|[ \t]*\n(?=[a-z]))([\w'’-]+)")
_WORD = re.compile(r"[\w'’-]+")
_GAP = re.compile(r"[ \t]+|[ \t]*\n")
# Words that may stand between a trigger and its object's marker: "on", "against", "two of", "at least".
OBJECT_LEAD = frozenset([
    "a", "an", "the", "on", "against", "at", "upon", "of", "least", "two", "three", "four", "five", "six", "seven",
    "eight", "nine", "ten", "several", "some", "many", "both", "all", "more", "other", "another", "and", "or",
])  # fmt: skip
# Words that may stand between a subject and its trigger: "Iranian gunboats have attacked", "were hit".
SUBJECT_GAP = frozenset(
    ["has", "have", "had", "was", "were", "is", "are", "been", "being", "also", "reportedly", "again", "later", "then"]
)
# Words that end a noun phrase before any head: "Iranian officials said", "Soviet and Cuban".
_STOP = frozenset([
    "and", "or", "of", "in", "on", "at", "to", "for", "from", "by", "with", "the", "a", "an", "said", "says", "was",
    "were", "is", "are", "has", "have", "had",
])  # fmt: skip
POSSESSIVES = frozenset({"its", "their"})
DETERMINERS = frozenset(["a", "an", "the", "this", "that", "these", "those"])
MAX_LEAD = 4
MAX_MODIFIERS = 3
PRONOUN = ""  # the code of a phrase "its" or "their" marks: the caller resolves it


class Mark(NamedTuple):
    """A marked phrase: where its marker starts and the country (PRONOUN for "its"/"their")."""

    start: int
    code: str


class Marks(NamedTuple):
    """An article's demonyms by where they start and where they end."""

    starts: dict[int, PlaceMention]
    ends: dict[int, PlaceMention]

    @classmethod
    def of(cls, places: list[PlaceMention]) -> Marks:
        demonyms = [p for p in places if p.kind == "demonym"]
        return cls({p.start: p for p in demonyms}, {p.end: p for p in demonyms})


def singular(word: str) -> str:
    """The singular of a plural noun, well enough for the holdings ("embassies", "fishermen")."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("men"):
        return word[:-3] + "man"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


class Holdings:
    """The head nouns of what stands for a country as an event's object or subject."""

    def __init__(self, heads: frozenset[str]) -> None:
        self.heads = frozenset(singular(h.lower()) for h in heads)

    @classmethod
    @cache
    def default(cls) -> Holdings:
        groups = data.load("actors.toml")["holdings"]
        return cls(frozenset(noun for nouns in groups.values() for noun in nouns))

    def after(self, text: str, end: int, marks: Marks) -> Mark | None:
        """The object right after a trigger ending at `end`, if a marker and a holding make it."""
        pos, lead, coordinated = end, 0, False
        while (match := _NEXT.match(text, pos)) is not None:
            start = match.start(1)
            place = marks.starts.get(start)
            if place is not None:
                if text[place.end : place.end + 1] == "-":
                    return None  # "Soviet-made", "U.S.-flagged": a maker or a flag
                return Mark(start, place.code) if self._headed(text, place.end) else None
            word = match.group(1).lower()
            if word in POSSESSIVES:
                return Mark(start, PRONOUN) if self._headed(text, match.end()) else None
            if lead == MAX_LEAD or not (word in OBJECT_LEAD or word.isdigit() or (coordinated and word.endswith("ed"))):
                return None  # "and destroyed an Iranian platform" is one object of two verbs
            pos, lead, coordinated = match.end(), lead + 1, word in ("and", "or")
        return None

    def before(self, text: str, start: int, marks: Marks) -> Mark | None:
        """The subject right before a trigger starting at `start`: a marked holding ("Iranian
        gunboats attacked", "Iranian platforms were hit") or a demonym itself ("Iranians attacked",
        "an Iranian attack")."""
        words = _words_before(text, start)
        index = 0
        while index < len(words) and index < 3 and words[index][2] in SUBJECT_GAP:
            index += 1
        if index < len(words) and words[index][1] in marks.ends:
            place = marks.ends[words[index][1]]
            return Mark(place.start, place.code) if _stands_alone(words, index) else None
        if index == len(words) or singular(words[index][2]) not in self.heads:
            return None
        for word_start, word_end, word in words[index + 1 : index + 2 + MAX_MODIFIERS]:
            owner = marks.ends.get(word_end)
            if owner is not None:
                return Mark(owner.start, owner.code) if text[owner.end : owner.end + 1] != "-" else None
            if word in POSSESSIVES:
                return Mark(word_start, PRONOUN)
            if word in _STOP:
                return None
        return None

    def _headed(self, text: str, pos: int) -> bool:
        """Whether a holding heads the words after `pos`, behind at most MAX_MODIFIERS modifiers."""
        for _ in range(MAX_MODIFIERS + 1):
            match = _NEXT.match(text, pos)
            if match is None:
                return False
            word = match.group(1).lower()
            if singular(word) in self.heads:
                return True
            if word in _STOP:
                return False
            pos = match.end()
        return False


def _stands_alone(words: list[tuple[int, int, str]], index: int) -> bool:
    """Whether the demonym at `index` is a people ("Iranians attacked") or an adjective after a
    determiner ("an Iranian attack", "Friday's Iranian attack"), not part of a name ("Anglo
    American attacks")."""
    word = words[index][2]
    if word.endswith("s") and not word.endswith("ss"):
        return True
    before = words[index + 1][2] if index + 1 < len(words) else ""
    return before in DETERMINERS or before.endswith(("'s", "’s"))


def _words_before(text: str, start: int) -> list[tuple[int, int, str]]:
    """Up to eight (start, end, lowercased word) right before `start`, nearest first, as far back as
    only spaces or wrapped line breaks separate them."""
    low = max(0, start - 80)
    found = [(m.start() + low, m.end() + low, m.group().lower()) for m in _WORD.finditer(text, low, start)]
    words: list[tuple[int, int, str]] = []
    edge = start
    for item in reversed(found[-8:]):
        gap = text[item[1] : edge]
        if not _GAP.fullmatch(gap) or ("\n" in gap and not text[edge : edge + 1].islower()):
            break
        words.append(item)
        edge = item[0]
    return words
