"""A country marked on what an event is done to or by: its installations, vessels, territory, people.

Invented sentences. `Tagger.candidates` gives every found event with its source and target country.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas import TaggedArticle
from streams.core.tagging import Tagger, sentences
from streams.core.tagging.evaluate import article_of
from streams.core.tagging.lexicon import TRIGGER_LAYER
from tests.core.tagging.conftest import make_article

DEVSET = Path(__file__).parents[2] / "data" / "devset.jsonl"

# (sentence, event type, source country, target country)
CASES = [
    ("Navy warships attacked and destroyed an Iranian oil platform on Monday.", "ASSAULT", None, "IRN"),
    ("Unidentified jets bombed three Iranian oil rigs in the southern Gulf.", "ASSAULT", None, "IRN"),
    ("Artillery shelled several Iraqi border towns overnight.", "ASSAULT", None, "IRQ"),
    ("Rebels fired on Sudanese army positions near the river.", "ASSAULT", None, "SDN"),
    ("Gunmen attacked the Turkish consulate in the port city.", "ASSAULT", None, "TUR"),
    ("Guerrillas killed two Japanese nationals near the hotel.", "ASSAULT", None, "JPN"),
    # "its" is the country of a reporting clause's speaker.
    ("Iran said American planes attacked two of its oil platforms.", "ASSAULT", "USA", "IRN"),
    ("Gunboats attacked its oil terminal on Sunday.", "ASSAULT", None, None),  # no speaker: unknown
    # A hard-wrapped wire line goes on in lower case.
    ("Warships attacked and destroyed\nan Iranian oil\nplatform on Monday.", "ASSAULT", None, "IRN"),
    # The subject: a marked holding, a people, or an adjective after a determiner.
    ("Iranian gunboats attacked a tanker near the coast.", "ASSAULT", "IRN", None),
    ("The Iraqis bombed a power station on Friday.", "ASSAULT", "IRQ", None),
    ("An Iranian attack damaged the tanker.", "ASSAULT", "IRN", None),
    ("Two Iranian oil platforms were attacked on Monday.", "ASSAULT", None, "IRN"),
    # Not an owner: goods, a maker, a flag, part of a firm's name.
    ("Gunboats attacked Iranian oil exports, traders said.", "ASSAULT", None, None),
    ("Rebels attacked Soviet-made tanks near the border.", "ASSAULT", None, None),
    ("Pirates attacked a Liberian-registered tanker at dawn.", "ASSAULT", None, None),
    ("Gunboats attacked a Greek tanker at dawn.", "ASSAULT", None, None),  # a merchant ship's flag
    ("Anglo French consortium attacks tax plan", "ACCUSE", None, None),
]


def event_of(tagger: Tagger, text: str, kind: str) -> tuple[str | None, str | None]:
    *_, found = tagger.candidates(make_article(text))
    event = next(e for e in found if e.type == kind)
    return event.source_country, event.target_country


@pytest.mark.parametrize(("text", "kind", "source", "target"), CASES)
def test_a_marked_holding_gives_the_event_its_country(
    tagger: Tagger, text: str, kind: str, source: str | None, target: str | None
) -> None:
    assert event_of(tagger, text, kind) == (source, target)


def test_a_nearer_marked_object_wins_over_a_later_actor(tagger: Tagger) -> None:
    text = "Warships attacked an Iranian platform in reply to an attack on a ship flagged by the United States."
    assert event_of(tagger, text, "ASSAULT")[1] == "IRN"


def test_an_attacked_country_counts_as_an_actor_not_a_passing_mention(tag) -> None:  # type: ignore[no-untyped-def]
    tagged: TaggedArticle = tag("Unidentified jets bombed three Iranian oil rigs in the southern Gulf on Monday.")
    assert {c.code: c.role for c in tagged.countries}["IRN"] == "actor"
    prices: TaggedArticle = tag("Iranian oil prices rose on Monday after jets bombed a refinery.")
    assert {c.code: c.role for c in prices.countries}["IRN"] == "mentioned"


def test_holdings_change_only_countries_never_types_confidence_or_actors(tagger: Tagger) -> None:
    """The reported model reads `src`/`tgt` from the actors and the confidence from their
    presence: the countries of marked holdings must leave both as they were."""
    records = [json.loads(line) for line in DEVSET.read_text(encoding="utf-8").splitlines() if line.strip()]
    moved = 0
    for record in records:
        text, _, _, found = tagger.candidates(article_of(record))
        hits = tagger.matcher.find(text).get(TRIGGER_LAYER)
        if not hits:
            continue
        _, _, _, _, _, _, _, actors = tagger._read(article_of(record))
        plain = tagger.events.find(text, sentences.split(text), hits, actors)
        assert [e._replace(source_country=None, target_country=None) for e in found] == [
            e._replace(source_country=None, target_country=None) for e in plain
        ]
        moved += sum(a[8:10] != b[8:10] for a, b in zip(found, plain, strict=True))
    assert moved > 0  # the set does hold marked holdings
