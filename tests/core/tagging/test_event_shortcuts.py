"""Shortcuts of the event finder give the answers of the full checks they skip."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.tagging.events import EventFinder, _words

FINDER = EventFinder.default()
WORDS = ["not", "didn't", "won’t", "no", "plans", "did", "failed", "to", "ruled", "out", "casino", "longer",
         "denied", ",", "but", "and", "police", "fired", "sent", "troops", "were", "the"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=14), st.integers(0, 14))
def test_a_sentence_without_cues_has_no_negated_window(words: list[str], first: int) -> None:
    if FINDER._negated(words, min(first, len(words))):
        assert FINDER._may_negate(words)


@pytest.mark.parametrize(
    ("words", "trigger", "passive"),
    [
        (["troops", "were", "sent"], "were sent", True),  # the trigger itself is passive
        (["troops", "were", "sent"], "Were Sent", True),  # whatever its casing (cached per text)
        (["troops", "were", "sent"], "sent", True),  # an auxiliary right before a participle
        (["he", "was", "quickly", "shot"], "shot", True),
        (["police", "sent", "troops"], "sent", False),
        (["they", "are", "protesting"], "protesting", False),  # not a participle
        (["it", "is", "attacked"], "attacked", True),
        (["was", "a", "b", "attacked"], "attacked", False),  # the auxiliary is too far back
    ],
)
def test_passive_voice(words: list[str], trigger: str, passive: bool) -> None:
    for _ in range(2):  # computed, then cached
        assert FINDER._passive(words, len(words) - len(trigger.split()), trigger) is passive


_PLAIN = re.compile(r"[\w'’]+(?:-[\w'’]+)*|[,;:]")
ASCII_PIECES = ["a", "Bc", " ", "-", "--", "'", ",", ";", ":", ".", '"', "(", "x1", "_", "9", "\t", "n't", "\u212a"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(ASCII_PIECES), max_size=40).map("".join), st.integers(0, 50))
def test_ascii_word_scan_equals_a_plain_scan(sentence: str, offset: int) -> None:
    words = _words(sentence, offset)  # "\u212a" (Kelvin) lowercases to ASCII "k"
    plain = [(m.group().lower(), m.start() + offset) for m in _PLAIN.finditer(sentence)]
    assert list(zip(words.text, words.starts, strict=True)) == plain
