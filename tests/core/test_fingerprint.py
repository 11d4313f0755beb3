"""Fingerprints: the hex encoding the dedupe stores, and the sketch's basic properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streams.core.fingerprint import SIZE, decode, encode, resemblance, sketch


@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=SIZE).map(tuple))
def test_encoding_is_eight_lowercase_hex_digits_per_value_and_decodes_back(values: tuple[int, ...]) -> None:
    assert encode(values) == "".join(f"{v:08x}" for v in values)
    assert decode(encode(values)) == values


@pytest.mark.parametrize(
    ("text", "size"),
    [("", 1), ("one", 1), ("one two", 1), ("one two three", 1), ("a b c d e f g h i j k l m n o p q r s t", SIZE)],
)
def test_sketch_is_sorted_distinct_and_bounded(text: str, size: int) -> None:
    values = sketch(text)
    assert len(values) == size and list(values) == sorted(set(values))


def test_identical_texts_resemble_fully_and_case_and_punctuation_do_not_matter() -> None:
    text = "Russia sent troops to Kazakhstan on Thursday"
    assert resemblance(sketch(text), sketch(text.upper().replace(" ", ", "))) == 1.0
