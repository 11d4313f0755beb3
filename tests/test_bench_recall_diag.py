"""bench/recall_diag.py: the watched judging step agrees with the tracker, and names the gate that blocks.

A synthetic stream (no Reuters text): three days of routine news over five countries, then six
stories of one development in Kazakhstan within half an hour, labelled as an incident.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench import detect_real as real
from bench.recall_diag import Watch, blocked_by, watching
from schemas import CountryMention, TaggedArticle
from streams.core import seasons, series
from streams.core.config import TrackerConfig
from streams.core.dedupe import StoryIndex

START = datetime(2022, 1, 3, tzinfo=UTC)
ROUTINE = ["USA", "GBR", "FRA", "DEU", "JPN"]


def article(id_: str, country: str, topic: str, at: datetime, source: str) -> TaggedArticle:
    return TaggedArticle(id=id_, source=source, title=id_, published_at=at, topics=[topic],
                         countries=[CountryMention(code=country, role="location", mentions=1, score=0.9)],
                         tagger_version="test")  # fmt: skip


def stream(burst_sources: int) -> tuple[list[TaggedArticle], real.Incident]:
    found = [
        article(f"bg-{hour}-{n}", ROUTINE[(hour + n) % 5], "CONSULT", START + timedelta(hours=hour, minutes=6 * n),
                f"outlet{n}")
        for hour in range(72) for n in range(10)
    ]  # fmt: skip
    first = START + timedelta(days=3, hours=10)
    burst = [article(f"kaz-{n}", "KAZ", "PROTEST", first + timedelta(minutes=5 * n), f"wire{n % burst_sources}")
             for n in range(6)]  # fmt: skip
    incident = real.Incident("t-001", ("KAZ",), "unrest", burst[0].published_at, burst[-1].published_at,
                             tuple(a.id for a in burst), "protests in Almaty")  # fmt: skip
    return [*found, *burst, article("after", "USA", "CONSULT", first + timedelta(hours=3), "outlet0")], incident


def test_the_watched_step_reproduces_the_trackers_own_decision() -> None:
    tagged, incident = stream(burst_sources=6)
    watch = Watch([incident])
    with watching(watch):
        raised = real.run(tagged, TrackerConfig())
    assert any(real.on_incident(r, incident) for r in raised)
    rows = watch.rows[incident.name]
    opening = [r for r in rows if r["alerts"]["shipped"]]
    assert opening and opening[0].get("series_alert")  # the first window judged alerting opened a series alert
    assert all(not r.get("series_alert") for r in rows if not r["alerts"]["shipped"])
    assert {r["key"] for r in rows} <= {"KAZ|PROTEST", "KAZ|unrest", "KAZ|crisis", "KAZ|all"}


def test_one_outlet_is_blocked_by_the_sources_gate_alone() -> None:
    tagged, incident = stream(burst_sources=1)
    watch = Watch([incident])
    with watching(watch):
        raised = real.run(tagged, TrackerConfig())
    assert not any(real.on_incident(r, incident) for r in raised)
    assert blocked_by(watch.rows[incident.name]) == ["sources"]


def test_watching_puts_the_cores_methods_back() -> None:
    before = [series.SeriesTracker._step_alert, series.SeriesTracker.volume_floor, seasons.Seasons.factor,
              StoryIndex.assign]  # fmt: skip
    try:
        with watching(Watch([])):
            assert series.SeriesTracker._step_alert is not before[0]
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    after = [series.SeriesTracker._step_alert, series.SeriesTracker.volume_floor, seasons.Seasons.factor,
             StoryIndex.assign]  # fmt: skip
    assert after == before
