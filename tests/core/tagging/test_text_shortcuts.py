"""String-method shortcuts of the place guards and actor binding give the regexes' answers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.tagging.actors import _BEFORE_GAP, _binds_before
from streams.core.tagging.gazetteer import _PREV_WORD, _previous_word

PIECES = ["a", "B", "Mr", "St.", "x1y", " ", "  ", "\n", "\t", "\x1c", ".", "'", "’", "-", "_", "1", ",", "(", "é"]


def reference_previous_word(text: str, start: int) -> str:
    match = _PREV_WORD.search(text, max(0, start - 30), start)
    return match.group(1) if match else ""


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=24).map("".join), st.integers(0, 60))
def test_previous_word_equals_the_regex(text: str, start: int) -> None:
    start = min(start, len(text))
    assert _previous_word(text, start) == reference_previous_word(text, start)


GAP_PIECES = [" ", "  ", "\t", "\n", "\u00a0", "-led", "'s", "’s", "-", "said", "and", "troops", "anti-riot", "A", "2"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(GAP_PIECES), max_size=9).map("".join))
def test_binding_gap_shortcuts_equal_the_regex(gap: str) -> None:
    assert _binds_before(gap) == (_BEFORE_GAP.fullmatch(gap) is not None)
