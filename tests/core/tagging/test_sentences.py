"""Sentence spans: newswire abbreviations and initials, and the fast split against a plain reference."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.tagging.sentences import _abbreviations, split

_PLAIN_CANDIDATE = re.compile(r"[.!?]+[\"'”’)]*(?=\s+[\"'“‘(]?[A-Z0-9])|\n+")


def reference_split(text: str) -> list[tuple[int, int]]:
    """The rule written plainly: cut at every candidate not after an abbreviation, then trim."""
    cuts = []
    for match in _PLAIN_CANDIDATE.finditer(text):
        before = re.search(r"([\w.]+)$", text[max(0, match.start() - 12) : match.start()])
        word = before.group(1).lower() if before else ""
        if text[match.start()] == "." and (word in _abbreviations() or (len(word) == 1 and word.isalpha())):
            continue
        cuts.append(match.end())
    spans = []
    for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True):
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + lead + len(piece.strip())))
    return spans


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Police came. Protesters left.", ["Police came.", "Protesters left."]),
        ("The U.S. Treasury acted. Next", ["The U.S. Treasury acted.", "Next"]),
        ("On Jan. 5 he left. She stayed.", ["On Jan. 5 he left.", "She stayed."]),
        ("John F. Kennedy spoke.", ["John F. Kennedy spoke."]),
        ('He said "stop." Then he left!', ['He said "stop."', "Then he left!"]),
        ("Really?! Yes.", ["Really?!", "Yes."]),
        ("Headline\n\nBody text. more text", ["Headline", "Body text. more text"]),
        ("  \n ", []),
        ("It rose 1.5 pct. 2022 was worse.", ["It rose 1.5 pct.", "2022 was worse."]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split(text)] == expected


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "B", " ", ".", "!", "?", "\n", "\t", '"', "’", ")", "(", "“", "7",
                                 "U.S.", "Jan.", "Dr. ", "x.", "É", "_", "Corp.", "said."]),
                max_size=40).map("".join))  # fmt: skip
def test_split_equals_the_plain_reference(text: str) -> None:
    assert split(text) == reference_split(text)
