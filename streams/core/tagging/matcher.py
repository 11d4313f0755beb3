"""One pass of an Aho-Corasick automaton over an article, with word-boundary and case checks.

Every lexicon of the tagger (places, actors, role nouns, triggers) is compiled into one automaton
over lowercased keys. A hit is kept when it starts and ends at word boundaries and the original
text's casing fits the entry: proper names must appear as written or in ALL CAPS ("US" but not
"us"), common words in lowercase, ALL CAPS or capitalised at a sentence start.

>>> m = Matcher([("US", Entry(0, PROPER, "USA")), ("protest", Entry(1, COMMON, "PROTEST"))])
>>> [(h.start, h.end, h.entry.value) for h in m.find("Protests in the US let us know")[0]]
[(16, 18, 'USA')]
>>> m.find("Protests in the US let us know").get(1, [])  # "Protests" is another word
[]
"""

from __future__ import annotations

import string
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import ahocorasick

PROPER = 0
COMMON = 1
_ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)
_SENTENCE_END = ".!?\n\"'“”‘’:(-–—"


@dataclass(frozen=True, slots=True)
class Entry:
    """What a surface form means: its layer (overlaps resolve per layer), case rule and value."""

    layer: int
    case: int
    value: Any
    surface: str = ""


class Hit(NamedTuple):
    """An entry found at [start, end) of the text (a tuple: hits are made per match, cheaply)."""

    start: int
    end: int
    entry: Entry


def _case_fits(entry: Entry, found: str, text: str, start: int) -> bool:
    if found == entry.surface or (found.isupper() and (found.isascii() or any(c.isalpha() for c in found))):
        return True
    if entry.case == PROPER:
        return False
    if found.islower() or not found[:1].isupper() or not found[1:].islower():
        return found.islower()
    before = start - 1
    while before >= 0 and text[before] in " \t":
        before -= 1
    return before < 0 or text[before] in _SENTENCE_END


class Matcher:
    """Finds all entries in a text in one automaton pass; `find` returns hits per layer."""

    def __init__(self, entries: Iterable[tuple[str, Entry]]) -> None:
        table: dict[str, list[Entry]] = defaultdict(list)
        for surface, entry in entries:
            key = surface.lower()
            if not key.strip():
                continue
            table[key].append(Entry(entry.layer, entry.case, entry.value, surface))
        self._automaton = ahocorasick.Automaton()
        for key, group in table.items():
            # A hit starts len - 1 before its last character; each entry comes with its surface and layer.
            rows = tuple((entry.surface, entry.layer, entry) for entry in group)
            self._automaton.add_word(key, (len(key) - 1, rows))
        self._automaton.make_automaton()
        self.size = len(table)

    def find(self, text: str) -> dict[int, list[Hit]]:
        """Hits per layer in text order; across all layers, leftmost-longest and non-overlapping."""
        lowered = text.lower()
        if len(lowered) != len(text):  # a few characters change length when lowercased
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        found: dict[int, list[Hit]] = defaultdict(list)
        padded = f" {text} "  # padded[i] is the character before text[i], padded[i + 2] the one after
        new_hit = tuple.__new__  # Hit(...) without NamedTuple's Python-level __new__
        alnum = _ASCII_ALNUM
        # iter_long is the C-side leftmost-longest scan: one candidate per position, no overlaps.
        # The loop is the tagger's hottest: word boundaries and the common exact-case match inline,
        # an ASCII character's test a set lookup rather than a method call.
        for last, (span, rows) in self._automaton.iter_long(lowered):
            start = last - span
            c = padded[start]
            if c in alnum or (c > "\x7f" and c.isalnum()):
                continue
            c = padded[last + 2]
            if c in alnum or (c > "\x7f" and c.isalnum()):
                continue
            end = last + 1
            piece = text[start:end]
            for surface, layer, entry in rows:
                if piece == surface or _case_fits(entry, piece, text, start):
                    found[layer].append(new_hit(Hit, (start, end, entry)))
        return found
