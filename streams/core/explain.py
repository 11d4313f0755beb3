"""What one series saw in one window, kept so an alert can explain itself, and its summary line.

A `Tally` counts articles, stories and sources, and keeps the exemplar article of each of the
biggest stories (the article that made it big enough to enter the top), the actors and the other
countries of the window's articles. It is a JSON-able dict in the store, bounded by the window.

>>> tally = Tally.empty()
>>> tally.add(story="s1", article={"id": "a1", "title": "Protests in Almaty", "url": None,
...           "source": "reuters.com", "published_at": 60}, actors=["Kassym-Jomart Tokayev"],
...           countries=["RUS"])
>>> tally.add(story="s1", article={"id": "a2", "title": "Protests in Almaty", "url": None,
...           "source": "apnews.com", "published_at": 90}, actors=[], countries=[])
>>> tally.articles, tally.stories, tally.sources
(2, 1, 2)
>>> country_name("KOR"), country_name("COD")
('South Korea', 'The Democratic Republic of the Congo')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pycountry

from streams.core.detect import Verdict
from streams.core.windows import describe_span, from_seconds

TOP = 5


@dataclass
class Tally:
    """Counts and exemplars of one series in one window (state lives in `to_json`)."""

    articles: int = 0
    story_articles: dict[str, int] = field(default_factory=dict)
    source_articles: dict[str, int] = field(default_factory=dict)
    top: list[list[Any]] = field(default_factory=list)  # [story, articles, exemplar article]
    actors: dict[str, int] = field(default_factory=dict)
    countries: dict[str, int] = field(default_factory=dict)
    first: int | None = None
    last: int | None = None

    @classmethod
    def empty(cls) -> Tally:
        return cls()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tally:
        return cls(data["n"], dict(data["st"]), dict(data["src"]), [list(t) for t in data["top"]],
                   dict(data["act"]), dict(data["co"]), data["first"], data["last"])  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {"n": self.articles, "st": self.story_articles, "src": self.source_articles, "top": self.top,
                "act": self.actors, "co": self.countries, "first": self.first, "last": self.last}  # fmt: skip

    @property
    def stories(self) -> int:
        return len(self.story_articles)

    @property
    def sources(self) -> int:
        return len(self.source_articles)

    def add(self, story: str, article: dict[str, Any], actors: list[str], countries: list[str]) -> None:
        """Count one (new, distinct) article of `story`; `article` is its exemplar dict."""
        ts = article["published_at"]
        self.articles += 1
        self.story_articles[story] = self.story_articles.get(story, 0) + 1
        self.source_articles[article["source"]] = self.source_articles.get(article["source"], 0) + 1
        for name in dict.fromkeys(actors):
            self.actors[name] = self.actors.get(name, 0) + 1
        for code in dict.fromkeys(countries):
            self.countries[code] = self.countries.get(code, 0) + 1
        self.first = ts if self.first is None else min(self.first, ts)
        self.last = ts if self.last is None else max(self.last, ts)
        self._rank(story, article)

    def _rank(self, story: str, article: dict[str, Any]) -> None:
        size = self.story_articles[story]
        for entry in self.top:
            if entry[0] == story:
                entry[1] = size
                break
        else:
            if len(self.top) >= TOP and size <= self.top[-1][1]:
                return
            self.top.append([story, size, article])
        self.top.sort(key=lambda entry: -entry[1])  # stable: earlier stories win ties
        del self.top[TOP:]

    def top_actors(self, n: int = TOP) -> list[str]:
        return [name for name, _ in sorted(self.actors.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]

    def co_countries(self, n: int = TOP) -> list[str]:
        return [code for code, _ in sorted(self.countries.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


@cache
def country_name(code: str) -> str:
    """Short English name of an ISO alpha-3 code ("South Korea"), or the code when unknown."""
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    name: str = getattr(country, "common_name", None) or country.name
    if ", " in name:  # "Congo, The Democratic Republic of the" reads better turned round
        head, _, tail = name.partition(", ")
        name = f"{tail[0].upper()}{tail[1:]} {head}"
    return name


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def when(end: int, size: int) -> str:
    """ "the hour to 14:00 UTC" or "the day to 2022-01-05 00:00 UTC"."""
    moment = from_seconds(end)
    stamp = moment.strftime("%H:%M UTC") if size < 86_400 else moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"the {describe_span(size)} to {stamp}"


def summary(country: str, topic: str, tally: Tally, end: int, size: int, verdict: Verdict, severity: str,
            status: str) -> str:  # fmt: skip
    """One line a human reads in a chat message."""
    head = f"{country_name(country)} · {topic}: "
    stories = f"{tally.stories} {'story' if tally.stories == 1 else 'stories'}"
    counts = f"{stories} from {plural(tally.sources, 'source')}"
    expected = f"{verdict.expected:.1f}" if verdict.expected >= 0.1 else f"{verdict.expected:.2g}"
    tail = f"in {when(end, size)}, {expected} expected (score {verdict.score:.1f}"
    if status == "resolved":
        return f"{head}back to baseline, {counts} {tail}; peaked {severity})"
    return f"{head}{counts} {tail}, {severity})"
