"""Actors: curated names and role nouns bound to a country."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("body", "name", "kind", "country"),
    [
        ("Antony Blinken spoke.", "Antony Blinken", "GOV", "USA"),
        ("Blinken spoke.", "Antony Blinken", "GOV", "USA"),
        ("The CSTO met.", "Collective Security Treaty Organization", "IGO", None),
        ("The Collective Security Treaty Organisation met.", "Collective Security Treaty Organization", "IGO", None),
        ("NATO and the EU met.", "North Atlantic Treaty Organization", "IGO", None),
        ("The BNP held a rally.", "Bangladesh Nationalist Party", "PTY", "BGD"),
        ("The Awami League won.", "Awami League", "PTY", "BGD"),
        ("Russian-led troops arrived.", "Russia military", "MIL", "RUS"),
        ("Kazakh authorities said.", "Kazakhstan government", "GOV", "KAZ"),
        ("Bangladesh police detained them.", "Bangladesh police", "COP", "BGD"),
        ("Thousands of protesters in Almaty marched.", "Kazakhstan civilians", "CVL", "KAZ"),
        ("Russia's foreign ministry said.", "Russia government", "GOV", "RUS"),
        ("The government of Kazakhstan resigned.", "Kazakhstan government", "GOV", "KAZ"),
        ("Washington was seeking answers.", "United States", "GOV", "USA"),
    ],
)
def test_actor_is_found_with_type_and_country(tag, body: str, name: str, kind: str, country: str | None) -> None:  # type: ignore[no-untyped-def]
    actors = {(a.name, a.type, a.country) for a in tag(body).actors}
    assert (name, kind, country) in actors


def test_place_after_a_preposition_is_not_a_state_actor(tag) -> None:  # type: ignore[no-untyped-def]
    assert all(a.name != "Kazakhstan" for a in tag("Troops were deployed in Kazakhstan.").actors)


def test_actor_spans_point_at_the_mentions(tag) -> None:  # type: ignore[no-untyped-def]
    tagged = tag("Blinken said. Blinken added.", title="T")
    text = "T\nBlinken said. Blinken added."
    (blinken,) = [a for a in tagged.actors if a.name == "Antony Blinken"]
    assert [text[s.start : s.end] for s in blinken.spans] == ["Blinken", "Blinken"]
