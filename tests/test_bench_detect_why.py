"""bench/detect_real.py `--why`: what stopped a missed surge, read off the tracker's own judging, and the
watching changes nothing that is raised."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

import pytest

from bench.detect_real import DATA, WARM_SHIFT, Surge, run, warm_history, watching, why_missed
from schemas import CountryMention, TaggedArticle
from streams.core.config import TrackerConfig

START = datetime(2022, 1, 3, tzinfo=UTC)  # a Monday
WORDS = ["harbour", "market", "station", "bridge", "airport", "stadium", "cathedral", "terminal", "district", "valley"]


def story(n: int, country: str, at: datetime, source: str, topics: list[str]) -> TaggedArticle:
    title = f"{WORDS[n % 10]} {WORDS[(n // 10) % 10]} {WORDS[(n // 100) % 10]} report number {n}"
    return TaggedArticle(id=f"a{n}", source=source, title=title, published_at=at, topics=topics,
                         countries=[CountryMention(code=country, role="location", mentions=2, score=0.9)],
                         tagger_version="t")  # fmt: skip


def stream(surge_sources: int) -> list[TaggedArticle]:
    """Three days of a wire (a story every 10 minutes, countries in turn), then six KEN stories in an hour."""
    countries = ["USA", "GBR", "FRA", "DEU", "JPN", "KEN"]
    found = [story(n, countries[n % 6], START + timedelta(minutes=10 * n), f"s{n % 5}", ["diplomacy"])
             for n in range(6 * 24 * 3)]  # fmt: skip
    at = START + timedelta(days=3, hours=1)
    found += [story(1000 + k, "KEN", at + timedelta(minutes=8 * k), f"out{k % surge_sources}", ["unrest"])
              for k in range(6)]  # fmt: skip
    return found


def kenya(first: datetime) -> Surge:
    return Surge("KEN unrest", "small", "KEN", "unrest", first, ((0, 6),), 2)


def test_watching_leaves_every_alert_as_it_was() -> None:
    articles = stream(surge_sources=3)
    with watching({"KEN"}) as judged:
        watched = run(articles, TrackerConfig())
    plain = run(articles, TrackerConfig())
    assert [(r.alert, r.at, r.peak) for r in watched] == [(r.alert, r.at, r.peak) for r in plain]
    assert any(row.get("key", "").startswith("KEN|") for row in judged)
    assert any(r.alert.country == "KEN" for r in plain)  # the surge is found: the case below is its one-outlet twin


def test_a_one_outlet_surge_is_said_to_be_stopped_by_the_sources_gate() -> None:
    articles = stream(surge_sources=1)
    first = START + timedelta(days=3, hours=1)
    with watching({"KEN"}) as judged:
        raised = run(articles, TrackerConfig())
    per_surge = {"KEN unrest": {"detected": any(r.alert.country == "KEN" and r.at >= first for r in raised)}}
    assert not per_surge["KEN unrest"]["detected"]
    why = why_missed([kenya(first)], {"KEN unrest": first}, per_surge, raised, judged)["KEN unrest"]
    assert "1h: never gated: most 6 stories/1 sources" in why
    assert why_missed([kenya(first)], {"KEN unrest": first}, {"KEN unrest": {"detected": True}}, raised, judged) == {}


def test_warm_history_is_the_background_earlier_with_its_own_ids_and_weekdays() -> None:
    background = stream(surge_sources=3)[:50]
    history = warm_history(background)
    assert [h.id for h in history] == [f"warm-{a.id}" for a in background]
    assert all(a.published_at - h.published_at == WARM_SHIFT for a, h in zip(background, history, strict=True))
    assert all(a.published_at.weekday() == h.published_at.weekday() for a, h in zip(background, history, strict=True))
    assert [h.model_copy(update={"id": a.id, "published_at": a.published_at}) for a, h in
            zip(background, history, strict=True)] == background  # fmt: skip


@pytest.mark.skipif(not DATA.exists(), reason=f"the shared wire file {DATA} is not beside the repo")
def test_the_warm_history_of_the_wire_ends_before_its_first_story() -> None:
    with gzip.open(DATA, "rt") as lines:
        times = [
            datetime.fromisoformat(row["published_at"]) for row in map(json.loads, lines) if row.get("published_at")
        ]
    assert max(times) - WARM_SHIFT < min(times)
