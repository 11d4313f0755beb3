"""Sentence spans for newswire: splits on . ! ? and newlines, not after abbreviations or initials.

>>> text = "The U.S. Treasury said on Jan. 5 it would act. Police arrested 44 people! Next"
>>> [text[s:e] for s, e in split(text)]
['The U.S. Treasury said on Jan. 5 it would act.', 'Police arrested 44 people!', 'Next']
"""

from __future__ import annotations

import re
from functools import cache

from streams.core.tagging import data

_CANDIDATE = re.compile(r"[.!?]+[\"'”’)]*(?=\s+[\"'“‘(]?[A-Z0-9])|\n+")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


@cache
def _abbreviations() -> frozenset[str]:
    return frozenset(a.lower() for a in data.load("language.toml")["abbreviations"])


def _is_abbreviation(text: str, dot: int) -> bool:
    match = _WORD_BEFORE.search(text, max(0, dot - 12), dot)
    if not match:
        return False
    word = match.group(1).lower()
    return word in _abbreviations() or (len(word) == 1 and word.isalpha())


def split(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of the sentences of `text`, whitespace trimmed."""
    spans = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    return [trimmed for s, e in spans if (trimmed := _trim(text, s, e))[0] < trimmed[1]]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
