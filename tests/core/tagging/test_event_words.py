"""The word scan of event sentences: the fast split equals a plain regex scan, offsets included."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.tagging.events import _words

_PLAIN = re.compile(r"[\w'’]+(?:-[\w'’]+)*|[,;:]")
PIECES = ["a", "B", " ", "-", "--", "'", "’", ",", ";", ":", ".", '"', "(", "x1", "_", "É", "İ", "Σ", "n't", "\t"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join), st.integers(0, 50))
def test_words_and_starts_equal_a_plain_scan(sentence: str, offset: int) -> None:
    words = _words(sentence, offset)
    plain = [(m.group().lower(), m.start() + offset) for m in _PLAIN.finditer(sentence)]
    assert list(zip(words.text, words.starts, strict=True)) == plain
