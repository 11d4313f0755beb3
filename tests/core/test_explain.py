"""Explanations: tallies of a series window, country names and the one-line summary."""

from __future__ import annotations

from typing import Any

import pytest

from streams.core.alerts import Episode, alert_id
from streams.core.detect import Verdict
from streams.core.explain import Tally, country_name, summary


def exemplar(n: int, source: str = "s") -> dict[str, Any]:
    return {"id": f"a{n}", "title": f"title {n}", "url": None, "source": source, "published_at": n}


@pytest.mark.parametrize(
    ("code", "name"),
    [("KAZ", "Kazakhstan"), ("KOR", "South Korea"), ("IRN", "Iran"), ("COD", "The Democratic Republic of the Congo"),
     ("USA", "United States"), ("XXX", "XXX")],
)  # fmt: skip
def test_country_names(code: str, name: str) -> None:
    assert country_name(code) == name


def test_top_stories_are_the_biggest_and_keep_their_exemplar() -> None:
    tally = Tally.empty()
    for n, story in enumerate(["s1", "s2", "s3", "s4", "s5", "s6", "s6", "s6", "s2"]):
        tally.add(story, exemplar(n, source=f"site{n % 4}"), actors=["Tokayev"] * (n % 2), countries=["RUS"])
    assert [entry[0] for entry in tally.top] == ["s6", "s2", "s1", "s3", "s4"]
    assert tally.top[0][2]["id"] == "a6"  # s6's second article: the one that lifted it into the top five
    assert (tally.articles, tally.stories, tally.sources) == (9, 6, 4)
    assert tally.top_actors() == ["Tokayev"] and tally.co_countries() == ["RUS"]
    assert Tally.from_json(tally.to_json()) == tally


def test_summary_reads_like_a_chat_line() -> None:
    tally = Tally.empty()
    for n in range(38):
        tally.add(f"s{n}", exemplar(n, source=f"site{n % 9}"), [], [])
    verdict = Verdict(expected=0.6, score=21.34, severity="high", settled=False)
    line = summary("KAZ", "unrest", tally, end=1_641_391_200, size=3_600, verdict=verdict, severity="high",
                   status="open")  # fmt: skip
    assert (
        line
        == "Kazakhstan · unrest: 38 stories from 9 sources in the hour to 14:00 UTC, 0.6 expected (score 21.3, high)"
    )
    day = summary("KAZ", "unrest", tally, end=1_641_427_200, size=86_400, verdict=verdict, severity="high",
                  status="resolved")  # fmt: skip
    assert "back to baseline" in day and "in the day to 2022-01-06 00:00 UTC" in day


def test_alert_ids_depend_only_on_series_and_opening_window() -> None:
    assert alert_id("KAZ", "unrest", 3_600) == alert_id("KAZ", "unrest", 3_600)
    assert len({alert_id("KAZ", "unrest", 3_600), alert_id("KAZ", "unrest", 7_200), alert_id("KAZ", "all", 3_600)}) == 3
    episode = Episode.open("KAZ", "unrest", start=3_600, severity="low", observed=4, ts=3_700)
    episode.step(7_200, "medium", 9)
    assert (episode.id, episode.revision, episode.severity) == (alert_id("KAZ", "unrest", 3_600), 1, "medium")
    assert Episode.from_json(episode.to_json()) == episode
