"""The seed page: a Reuters story on Kazakhstan with Bangladeshi site boilerplate after it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas import Article, TaggedArticle
from streams.core.tagging import Tagger
from tests.conftest import SEED_PAGE as SEED


@pytest.fixture(scope="module")
def seed() -> TaggedArticle:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    # Title is line 1; the story is lines 4..13 (before the "- ..." related-headline lists).
    article = Article(
        id="seed", source="bdnews24.com", title=lines[0], body="\n".join(lines[3:13]),
        published_at=datetime(2022, 1, 10, 6, 5, tzinfo=UTC),
    )  # fmt: skip
    return Tagger.default().tag(article)


def test_seed_countries_are_the_story_not_the_boilerplate(seed: TaggedArticle) -> None:
    codes = {c.code for c in seed.countries}
    assert {"KAZ", "USA", "RUS"} <= codes
    assert not codes & {"BGD", "JPN", "CHN", "FRA", "IND", "SAU"}


def test_seed_kazakhstan_is_the_location(seed: TaggedArticle) -> None:
    assert {c.code: c.role for c in seed.countries}["KAZ"] == "location"


def test_passing_mentions_are_at_most_low_scoring_mentions(seed: TaggedArticle) -> None:
    top = {c.code: c.score for c in seed.countries if c.code in {"KAZ", "USA", "RUS"}}
    for country in seed.countries:
        if country.code in {"VNM", "IRQ"}:
            assert country.role == "mentioned" and country.score < min(top.values()) / 2


def test_seed_events(seed: TaggedArticle) -> None:
    found = {e.type for e in seed.events if not e.negated}
    assert {"PROTEST", "MOBILIZE"} <= found and found & {"REQUEST", "ACCUSE"}
    assert "unrest" in seed.topics


def test_seed_actors(seed: TaggedArticle) -> None:
    actors = {(a.name, a.type, a.country) for a in seed.actors}
    assert ("Antony Blinken", "GOV", "USA") in actors
    assert ("Collective Security Treaty Organization", "IGO", None) in actors
