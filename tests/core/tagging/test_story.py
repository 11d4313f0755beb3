"""The story gate: what it reads of a story, and that its shipped weights tell politics from business copy."""

from __future__ import annotations

from datetime import UTC, datetime

from schemas import Article
from streams.core.tagging import Tagger
from streams.core.tagging.story import StoryGate, bin_of


def _wire(title: str, body: str) -> Article:
    return Article(id=title[:8], source="wire", title=title, body=body, published_at=datetime(1987, 3, 3, tzinfo=UTC))


WAR = _wire(
    "IRAQ SAYS ITS TROOPS REPULSED IRANIAN ATTACK",
    "BAGHDAD, March 3 - Iraq said its troops repulsed an Iranian attack on the southern front and killed "
    "hundreds of Iranian soldiers. The Iranian news agency said Iranian forces captured new positions.",
)
RESULTS = _wire(
    "ACME CORP SEES FIRST QUARTER PROFIT UP",
    "NEW YORK, March 3 - Acme Corp said first quarter profits would rise 12 pct to 40 mln dlrs, and "
    "analysts said the company's shares could face an attack from rivals cutting prices in the price war.",
)


def test_the_gate_reads_headline_lead_actors_found_types_and_money() -> None:
    features = Tagger.default().story(WAR)
    assert {"hw=iraq", "hw=troops", "lw=repulsed", "ct=ASSAULT", "m=none"} <= set(features)
    assert "lw=captured" not in features  # the second sentence is no lead
    assert any(f.startswith("aa=") for f in features) and any(f.startswith("al=") for f in features)
    assert "m=much" in Tagger.default().story(RESULTS) or "m=some" in Tagger.default().story(RESULTS)


def test_the_shipped_gate_rates_war_news_above_business_copy() -> None:
    tagger = Tagger.default()
    war, results = (StoryGate.default().probability(tagger.story(a)) for a in (WAR, RESULTS))
    assert war > 0.5 > results


def test_the_probability_falls_in_one_of_five_bins() -> None:
    assert [bin_of(p) for p in (0.0, 0.19, 0.2, 0.79, 0.8, 1.0)] == [
        "gate=0", "gate=0", "gate=1", "gate=3", "gate=4", "gate=4",
    ]  # fmt: skip


def test_every_candidate_of_a_story_carries_its_gate_bin() -> None:
    tagger = Tagger.default()
    text, body_start, spans, found = tagger.candidates(WAR)
    from streams.core.tagging.reported import candidate_features

    rows = candidate_features(text, body_start, spans, found, "gate=4")
    assert rows and all(row[-1] == "gate=4" for row in rows)
