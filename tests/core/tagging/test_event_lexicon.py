"""Lexicon entries kept by the rotation check (`train_reported --rotate`): what each proposes, in invented sentences.

These test the candidates the lexicon proposes (not the learned decision): a type the lexicon never
proposes can never be reported, and a sense the lexicon proposes falsely costs the decision a guess.
"""

from __future__ import annotations

import pytest

from streams.core.tagging import Tagger

from .conftest import make_article


def proposed(tagger: Tagger, body: str) -> set[str]:
    """The types of the non-negated events the lexicon finds in the body."""
    _, _, _, found = tagger.candidates(make_article(body, title="Report"))
    return {e.type for e in found if not e.negated}


@pytest.mark.parametrize(
    ("body", "kind", "absent"),
    [
        # an announced resignation is CONCEDE (EVENT_RULES)
        ("The prime minister said his government would resign next week.", "CONCEDE", "RETREAT"),
        ("The defence minister offered to resign over the arms affair.", "CONCEDE", "RETREAT"),
        # "decline" refuses only with an object of refusal
        ("The president declined the invitation to the summit.", "REJECT", "AGREE"),
        ("The minister declines to attend the conference in Paris.", "REJECT", "AGREE"),
        # "support" as backing
        ("The foreign minister expressed support for the new government.", "SUPPORT", "REJECT"),
    ],
)
def test_the_lexicon_proposes_the_type(tagger: Tagger, body: str, kind: str, absent: str) -> None:
    found = proposed(tagger, body)
    assert kind in found and absent not in found


@pytest.mark.parametrize(
    ("body", "absent"),
    [
        # a fall in a figure is no refusal
        ("Exports declined 12 pct in March, the statistics office said.", "REJECT"),
        ("The sharp decline of the dollar worried the central bank.", "REJECT"),
        ("Share prices were declining for the third day running.", "REJECT"),
        # "support" in its economic senses is no backing
        ("The agriculture ministry raised the support price for wheat to 300 australs a tonne.", "SUPPORT"),
        ("Critics say price support programs cost taxpayers too much.", "SUPPORT"),
        ("The central bank bought dollars to support the dollar on Monday.", "SUPPORT"),
    ],
)
def test_the_lexicon_does_not_propose_the_type(tagger: Tagger, body: str, absent: str) -> None:
    assert absent not in proposed(tagger, body)


def test_a_resignation_demanded_is_a_request_not_a_concession(tagger: Tagger) -> None:
    # a governing verb absorbs its complement: "urged him to resign" is the demand, not a resignation announced
    found = proposed(tagger, "The opposition urged the prime minister to resign over the scandal.")
    assert "REQUEST" in found and "CONCEDE" not in found
