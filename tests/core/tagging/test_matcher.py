"""Matcher: word boundaries and case rules of the one automaton pass, per surface form."""

from __future__ import annotations

import pytest

from streams.core.tagging.matcher import COMMON, PROPER, Entry, Matcher

MATCHER = Matcher(
    [
        ("US", Entry(0, PROPER, "USA")),
        ("Niger", Entry(0, PROPER, "NER")),
        ("protest", Entry(3, COMMON, "PROTEST")),
        ("sent troops", Entry(3, COMMON, "MOBILIZE")),
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the US said", [(4, 6, "US")]),
        ("let us go", []),  # a proper name in lowercase is another word
        ("THE US AND NIGER", [(4, 6, "US"), (11, 16, "NIGER")]),  # ALL CAPS fits any entry
        ("Nigeria and Niger", [(12, 17, "Niger")]),  # "Niger" inside "Nigeria" is no word
        ("a protest.", [(2, 9, "protest")]),
        ("Protest grew", [(0, 7, "Protest")]),  # capitalised common word at the text start
        ("They left.\t Protest grew", [(12, 19, "Protest")]),  # ... and after a sentence end
        ("the Protest Party", []),  # capitalised mid-sentence: a name, not the word
        ("pROTEST", []),
        ("Russia sent troops", [(7, 18, "sent troops")]),
        ("protesters", []),
        ("anti-protest", [(5, 12, "protest")]),  # a hyphen is a boundary
        ("US1 and 1US", []),  # digits are word characters
    ],
)
def test_boundaries_and_case(text: str, expected: list[tuple[int, int, str]]) -> None:
    hits = sorted((h for layer in MATCHER.find(text).values() for h in layer), key=lambda h: h.start)
    assert [(h.start, h.end, text[h.start : h.end]) for h in hits] == expected


def test_text_whose_lowercase_changes_length_keeps_offsets() -> None:
    text = "İstanbul: the US said"  # "İ".lower() is two characters
    assert [(h.start, h.end) for h in MATCHER.find(text)[0]] == [(14, 16)]
