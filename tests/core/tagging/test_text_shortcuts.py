"""String-method shortcuts of the place guards, actor binding, relay search, wrap breaks and the reported
model's words give the plain regexes' answers."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from streams.core.tagging.actors import _BEFORE_GAP, _binds_before
from streams.core.tagging.gazetteer import _PREV_WORD, Gazetteer, _previous_word, _relays_of
from streams.core.tagging.reported import _WORD, _sentence
from streams.core.tagging.sentences import _WRAP_BREAK

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


RELAY_PIECES = ["heard in ", "HEARD  in", "Monitored", "received by radio in ", "in ", " ", "NICOSIA", "Nicosia,",
                "nicosian", ".", "x", "İ", "ı", "é", "\n"]  # fmt: skip


def reference_relays(text: str, city: str) -> list[tuple[int, int]]:
    return _relays_of(text, city.split(",")[0].strip().lower())


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(RELAY_PIECES), max_size=12).map("".join), st.sampled_from(["NICOSIA", "", " , x"]))
@example("Tehran radio, heard in Nicosia, said", "NICOSIA")
@example("IRNA, RECEIVED IN NICOSIA, said", "NICOSIA")
@example("Radio Baghdad, monitored by the BBC in Nicosia.", "NICOSIA, Oct 19")
def test_relays_skip_the_regex_only_when_it_cannot_match(text: str, city: str) -> None:
    assert Gazetteer.relays(text, city) == reference_relays(text, city)


WRAP_PIECES = ["\n", "\n\n", " ", "\t", "a", "B.", "-", "–", "—", "•", "*", "é", "\r", "\u2028", "\x0b"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(WRAP_PIECES), max_size=30).map("".join))
def test_wrap_breaks_are_the_newlines_after_a_non_space_before_no_indent_or_bullet(text: str) -> None:
    reference = re.compile(r"(?<=\S)\n(?=[^\s\-–—•*])")
    assert [m.span() for m in _WRAP_BREAK.finditer(text)] == [m.span() for m in reference.finditer(text)]


SENTENCE_PIECES = ["Police", " ", "don't", "o'", "'s", "44", "İ", "ß", "Straße", ".", "-", "\n", "x1", "’", "A'B"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(SENTENCE_PIECES), max_size=20).map("".join))
def test_reported_sentence_words_and_offsets_are_the_word_regex_matches(sentence: str) -> None:
    info = _sentence(sentence, set())
    matches = list(_WORD.finditer(sentence.lower()))
    assert info.words == [m.group() for m in matches]
    assert info.offsets == [m.start() for m in matches]
