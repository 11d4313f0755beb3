"""The demo's sample news: a few days of invented articles with an unrest surge in one country.

Built at run time from the hand-written templates in `templates.toml`, deterministically from a
seed, so nothing generated is committed. Three days of background news (diplomacy, economy,
elections, sport, weather, health and a few routine protests) across 40 countries from ten invented
outlets, then, from the third day, a surge of unrest in one country (protests, clashes, emergency
rule, troops, arrests, curfew) covered by every outlet, including wire stories syndicated as
near-duplicate copies. Articles come back sorted by `published_at`, ready to produce in order.

>>> articles = sample_articles(short=True)
>>> 70 <= len(articles) <= 100, articles == sample_articles(short=True)
(True, True)
>>> sum(SURGE_COUNTRY in a.title + a.body for a in articles if a.published_at >= plan(short=True).surge_start) > 30
True

Run `python -m streams.demo.sample [--short] [--seed N] > sample.jsonl` to look at it as JSONL.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from itertools import cycle
from typing import Any

from schemas import Article

_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_DATELINE_SHARE = 0.5
_BYLINE_SHARE = 0.75
_QUOTE_SHARE = 0.6
_PLACE_NAMED_SHARE = 0.8  # surge stories naming only a city get the country added; the rest test the gazetteer


@cache
def _templates() -> dict[str, Any]:
    return tomllib.loads(resources.files("streams.demo").joinpath("templates.toml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Plan:
    """The sample's timeline: hours of background news and where the surge sits in them."""

    start: datetime
    hours: int
    background_per_hour: float
    surge_start_hour: int
    surge_profile: tuple[int, ...]
    wire_copies: int

    @property
    def surge_start(self) -> datetime:
        return self.start + timedelta(hours=self.surge_start_hour)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(hours=self.hours)


def plan(short: bool = False) -> Plan:
    """The full (458 articles over 3 days) or short (94 over 45 hours) timeline (seed 0)."""
    raw = dict(_templates()["plan"]["short" if short else "full"])
    raw["surge_profile"] = tuple(raw["surge_profile"])
    return Plan(**raw)


SURGE_COUNTRY: str = _templates()["surge"]["country"]


@dataclass
class _Draft:
    """An article before it becomes one: chosen outlet, time, texts."""

    outlet: Mapping[str, Any]
    when: datetime
    title: str
    sentences: list[str]
    place: str
    authors: list[str] = field(default_factory=list)
    agency: str | None = None


def fill(template: str, slots: Mapping[str, object], rng: random.Random) -> str:
    """Fill a template: pick one of each "[a|b]", then fill the "{slot}"s.

    >>> fill("[the|a] {x} said", {"x": "minister"}, random.Random(1))
    'the minister said'
    """
    return _CHOICE.sub(lambda m: rng.choice(m[1].split("|")), template).format_map(slots)


def expand(template: str, slots: Mapping[str, object], rng: random.Random) -> str:
    """`fill`, then capitalise the first letter: for titles and sentences."""
    text = fill(template, slots, rng)
    return text[:1].upper() + text[1:]


def _numbers(rng: random.Random) -> dict[str, object]:
    goals = rng.randint(1, 4)
    return {
        "n": rng.randint(2, 9),
        "big": f"{rng.randint(12, 950) * 100:,}",
        "pct": f"{rng.uniform(1.5, 9.9):.1f}",
        "score": f"{goals}-{rng.randint(0, goals - 1)}",
        "temp": rng.randint(35, 44),
        "squad": rng.randint(18, 26),
        "injured": rng.randint(20, 220),
        "detained": f"{rng.randint(4, 40) * 100:,}",
        "share": rng.randint(24, 46),
    }


def _name(country: Mapping[str, Any]) -> str:
    return ("the " if country.get("the") else "") + str(country["name"])


class _Writer:
    """Writes stories from templates, dealing each pool in shuffled rounds.

    A lead or detail comes back only after the rest of its pool has been used, so two stories
    from one template rarely share more than their lead: they read as different stories, which is
    what they are (only the wire copies are meant to be near-duplicates).
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.piles: dict[str, list[Any]] = {}

    def deal(self, key: str, items: Sequence[Any], k: int = 1) -> list[Any]:
        """`k` different items of `items` (at most all of them), from the pile named `key`."""
        dealt: list[Any] = []
        while len(dealt) < min(k, len(items)):
            pile = self.piles.get(key) or self.rng.sample(list(items), len(items))
            self.piles[key] = pile
            item = pile.pop()
            if item not in dealt:
                dealt.append(item)
        return dealt

    def story(
        self, key: str, kind: Mapping[str, Any], slots: Mapping[str, object], extra: Sequence[str] = ()
    ) -> tuple[str, list[str]]:
        """A lead with its title, then 1–5 details; `extra` templates join the details."""
        rng = self.rng
        [lead] = self.deal(key + ".leads", range(len(kind["leads"])))
        details = self.deal(key + ".details", kind["details"], rng.randint(1, 5 - len(extra)))
        order = [*details, *extra]
        rng.shuffle(order)
        sentences = [expand(t, slots, rng) for t in [kind["leads"][lead], *order]]
        return expand(kind["titles"][lead], slots, rng), sentences


def _background(p: Plan, writer: _Writer) -> Iterator[_Draft]:
    data, rng = _templates(), writer.rng
    countries = list(data["places"]["countries"])
    rng.shuffle(countries)
    turn = cycle(countries)  # every country gets its turn before any gets a second
    topics = list(data["background"])
    weights = [data["background"][t]["weight"] for t in topics]
    for hour in range(p.hours):
        for _ in range(_count(p.background_per_hour, rng)):
            country = next(turn)
            other = rng.choice([c for c in countries if c is not country])
            city = rng.choice([country["capital"], *country["cities"]])
            slots = {"country": _name(country), "capital": country["capital"], "city": city,
                     "other": _name(other), "other_capital": other["capital"]}  # fmt: skip
            when = _when(p, hour, rng)
            topic = rng.choices(topics, weights)[0]
            title, sentences = writer.story(topic, data["background"][topic], _slots(slots, when, rng))
            yield _Draft(rng.choice(data["outlets"]), when, title, sentences, city)


def _surge(p: Plan, writer: _Writer) -> Iterator[_Draft]:
    surge, rng = _templates()["surge"], writer.rng
    for offset, count in enumerate(p.surge_profile):
        phase = [ph for ph in surge["phases"] if ph["from"] <= offset][-1]["kinds"]
        for _ in range(count):
            city = rng.choice(surge["cities"])
            when = _when(p, p.surge_start_hour + offset, rng)
            slots = _slots({"country": surge["country"], "capital": surge["capital"], "city": city,
                            "other": rng.choice(surge["others"])}, when, rng)  # fmt: skip
            [slots["context"]] = [fill(t, slots, rng) for t in writer.deal("contexts", surge["contexts"])]
            # Running coverage: a general line about the crisis, and often a quote.
            extra = writer.deal("colour", surge["colour"])
            if rng.random() < _QUOTE_SHARE:
                extra += writer.deal("quotes", surge["quotes"])
            kind = rng.choices(list(phase), list(phase.values()))[0]
            title, sentences = writer.story(kind, surge["kinds"][kind], slots, extra)
            if surge["country"] not in " ".join(sentences) and rng.random() < _PLACE_NAMED_SHARE:
                sentences[0] = _name_country(sentences[0], city, surge["country"])
            yield _Draft(rng.choice(_templates()["outlets"]), when, title, sentences, city)


def _wire(p: Plan, rng: random.Random) -> Iterator[_Draft]:
    """Copies of each wire story on several outlets: same text, small edits, minutes apart."""
    data = _templates()
    for story in data["wire"]:
        hour = p.surge_start_hour + story["hour"]
        if not 0 <= hour < p.hours:
            continue
        when = _when(p, hour, rng)
        slots = _slots({"country": data["surge"]["country"]}, when, rng)
        paragraphs = [expand(t, slots, rng) for t in story["paragraphs"]]
        for i, outlet in enumerate(rng.sample(data["outlets"], p.wire_copies)):
            title = expand(story["titles"][i % len(story["titles"])], slots, rng)
            kept = paragraphs if i % 2 == 0 else paragraphs[:-1]
            copy_when = when + timedelta(minutes=rng.randint(0, 40))
            dateline = f"{story['dateline']}, {copy_when:%b} {copy_when.day} ({story['agency']}) - "
            sentences = [dateline + kept[0], *kept[1:]] if i % 3 != 1 else list(kept)
            yield _Draft(outlet, copy_when, title, sentences, "", list(story["authors"]), story["agency"])


def _name_country(sentence: str, city: str, country: str) -> str:
    """'… in Almaty on Tuesday' → '… in Almaty, Kazakhstan, on Tuesday' (first mention only)."""
    pattern = rf"\b{re.escape(city)}\b(?=[ .])"
    return re.sub(pattern, lambda m: f"{city}, {country}", sentence, count=1).replace(
        f"{city}, {country} ", f"{city}, {country}, ", 1
    )


def _slots(place: Mapping[str, object], when: datetime, rng: random.Random) -> dict[str, object]:
    return {**_numbers(rng), **place, "weekday": f"{when:%A}"}


def _count(rate: float, rng: random.Random) -> int:
    """An integer number of articles averaging `rate`, jittered by up to ±1."""
    whole = int(rate) + (rng.random() < rate - int(rate))
    return max(0, whole + rng.choice((-1, 0, 0, 1)))


def _when(p: Plan, hour: int, rng: random.Random) -> datetime:
    return p.start + timedelta(hours=hour, minutes=rng.randint(0, 59))


def _article(draft: _Draft, serial: int, rng: random.Random) -> Article:
    outlet = draft.outlet
    sentences = list(draft.sentences)
    style = outlet["dateline"]
    if draft.agency is None and draft.place and style and rng.random() < _DATELINE_SHARE:
        mark = " — " if style == "dash" else f", {draft.when:%b} {draft.when.day} ({outlet['name']}) - "
        sentences[0] = draft.place.upper() + mark + sentences[0]
    authors = draft.authors
    if draft.agency is None and rng.random() < _BYLINE_SHARE:
        authors = rng.sample(outlet["staff"], rng.choice((1, 1, 2)))
    slug = "-".join(re.findall(r"[a-z0-9]+", draft.title.lower())[:8])
    url = f"https://{outlet['domain']}/{draft.when:%Y/%m/%d}/{slug}-{serial}"
    return Article.model_validate(
        {
            "id": "demo-" + hashlib.sha256(url.encode()).hexdigest()[:16],
            "url": url,
            "source": outlet["domain"],
            "title": draft.title,
            "body": "\n\n".join(_paragraphs(sentences)),
            "published_at": draft.when,
            "authors": authors,
            "agency": draft.agency,
        }
    )


def _paragraphs(sentences: Sequence[str]) -> list[str]:
    """The lead alone, then the other sentences two to a paragraph."""
    rest = sentences[1:]
    return [sentences[0], *(" ".join(rest[i : i + 2]) for i in range(0, len(rest), 2))]


def sample_articles(seed: int = 0, *, short: bool = False) -> list[Article]:
    """The sample articles for `seed`, sorted by publication time (same seed, same articles)."""
    rng = random.Random(seed)
    p = plan(short)
    writer = _Writer(rng)
    drafts = [*_background(p, writer), *_surge(p, writer), *_wire(p, rng)]
    articles = [_article(d, n, rng) for n, d in enumerate(drafts)]
    return sorted(articles, key=lambda a: (a.published_at, a.id))


def main(argv: Sequence[str] | None = None) -> None:
    """Write the sample as JSONL (one Article per line) to stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--short", action="store_true", help="the ~80-article sample for smoke runs")
    args = parser.parse_args(argv)
    for article in sample_articles(args.seed, short=args.short):
        sys.stdout.buffer.write(article.to_json() + b"\n")


if __name__ == "__main__":
    main()
