"""The fast fingerprint on long texts, where it keeps only hashes below a limit before sorting."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.fingerprint import sketch
from streams.core.tagging.fastsketch import fingerprint_of

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789É", min_size=1, max_size=9)


@settings(max_examples=60, deadline=None)
@given(st.lists(WORDS, min_size=40, max_size=900), st.integers(0, 40))
def test_fast_fingerprint_of_long_text_equals_the_reference(words: list[str], size: int) -> None:
    text = " ".join(words)
    assert fingerprint_of(text, size) == sketch(text, size)


def test_repeated_text_with_few_distinct_shingles_equals_the_reference() -> None:
    text = "police fired tear gas " * 300  # 4 distinct shingles among ~1200
    assert fingerprint_of(text) == sketch(text)
